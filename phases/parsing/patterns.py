"""Line patterns that mark structure in scripts. Each matches a whole line, never a word in prose."""

import re

ROMAN = r"[IVXLC]+"
NUMBER_WORD = r"ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|FIRST|SECOND|THIRD|FOURTH|FIFTH"

# `ACT I.`, `Act 2`, `ACT THREE` alone on a line (optionally followed by a scene on the same line).
ACT = re.compile(
    rf"^[ \t]*(?:ACT|Act)[ \t]+(?P<num>{ROMAN}|\d+|{NUMBER_WORD})\b\.?[ \t]*(?:[,.:;]?[ \t]*(?P<rest>(?:SCENE|Scene)\b.*))?$",
)
# `SCENE I. An open Place. Thunder and Lightning.`, `Scene 2`, `SCENE I.--Another part of the island`.
SCENE = re.compile(rf"^[ \t]*(?:SCENE|Scene)[ \t]+(?P<num>{ROMAN}|\d+|{NUMBER_WORD})\b[ \t]*[.:,\-—–]*[ \t]*(?P<rest>.*)$")
# Prologue, induction, chorus and epilogue as headings on their own line.
PLAY_PART = re.compile(
    r"^[ \t]*(?:THE[ \t]+)?(?P<part>PROLOGUE|Prologue|INDUCTION|Induction|EPILOGUE|Epilogue|CHORUS|Chorus)\.?[ \t]*$"
)
# A speaker's cue in a play: `FIRST WITCH.` alone, or `MACBETH. So foul and fair a day...`.
PLAY_SPEAKER = re.compile(r"^[ \t]*(?P<name>[A-Z][A-Z'’\- ]*[A-Z](?:[ \t]+\d)?)\.(?:[ \t]+(?P<line>\S.*))?$")

# Screenplay slug lines: INT. / EXT. / INT./EXT. / I/E / EST, or a Fountain forced heading `.THE VAULT`.
SLUG = re.compile(r"^[ \t]*(?P<prefix>INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E)[.\s][ \t]*(?P<rest>.+)$")
FORCED_SLUG = re.compile(r"^\.(?P<rest>[A-Za-z0-9].*)$")
TIME_OF_DAY = re.compile(
    r"(?:\s*(?:-{1,2}|–|—)\s*|\s+)(?P<tod>DAY|NIGHT|DAWN|DUSK|MORNING|AFTERNOON|EVENING|SUNSET|SUNRISE|"
    r"LATER|CONTINUOUS|MOMENTS LATER|SAME)\b.*$",
    re.IGNORECASE,
)
CHARACTER_CUE = re.compile(r"^[ \t]*(?P<name>[A-Z][A-Z0-9 .'’\-]*[A-Z0-9])(?P<ext>[ \t]*\([^)]*\))*[ \t]*\^?$")
TRANSITION = re.compile(r"^[ \t]*(?:>[ \t]*)?(?P<t>[A-Z ]+(?:TO|IN|OUT)[:.]|FADE[ \t]+(?:IN|OUT|TO BLACK)[:.]?)[ \t]*<?$")

# Timestamps: `[00:01:30]`, `00:01:30`, `01:30`, and ranges `00:01:30 - 00:02:10`.
_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?"
TIMESTAMP = re.compile(
    rf"^[ \t]*\[?(?P<start>{_TS})\]?(?:[ \t]*(?:-|–|—|to|-->)[ \t]*\[?(?P<end>{_TS})\]?)?[ \t]*(?:[-–—:|][ \t]*)?(?P<rest>.*)$"
)
# Run-sheet clock times: `09:00 AM Doors open`, `9.30am - 10:15am Keynote`, `14:00 | Panel`.
_CLOCK = r"\d{1,2}[:.]\d{2}[ \t]*(?:[AaPp]\.?[Mm]\.?)?"
CLOCK_SLOT = re.compile(
    rf"^[ \t]*(?P<start>{_CLOCK})(?:[ \t]*(?:-|–|—|to)[ \t]*(?P<end>{_CLOCK}))?[ \t]*(?:[-–—:|\t][ \t]*)?(?P<rest>\S.*)$"
)
AM_PM = re.compile(r"\d[ \t]*[AaPp]\.?[Mm]\b")

# Bracketed stage directions in plays, possibly over several lines.
STAGE_DIRECTION = re.compile(r"\[[^\[\]]{1,2000}\]|\((?=[^()]*[a-z])[^()]{1,2000}\)", re.S)
