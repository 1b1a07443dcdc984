"""Line patterns that mark structure in scripts. Each matches a whole line, never a word in prose."""

import re

from .vocabulary import alternation

ROMAN = r"[IVXLC]+"
NUMBER_WORD = r"(?i:one|two|three|four|five|six|seven|eight|nine|ten|first|second|third|fourth|fifth)"
# First Folio texts number in Latin: `Actus Primus. Scoena Prima.`, `Scena Secunda.`, `Actus Quartus, Scaena prima.`
LATIN_ORDINAL = (
    r"(?i:prim(?:us|a)|secund(?:us|a)|terti(?:us|a)|quart(?:us|a)|quint(?:us|a)|sext(?:us|a)|septim(?:us|a)|"
    r"octau(?:us|a)|octav(?:us|a)|non(?:us|a)|decim(?:us|a))"
)
_NUM = rf"(?P<num>{ROMAN}|\d+|{NUMBER_WORD}|{LATIN_ORDINAL})"
_ACT_WORD = r"(?:ACT|Act|ACTUS|Actus)"
_SCENE_WORD = r"(?:SCENE|Scene|SCENA|Scena|SCOENA|Scoena|SCAENA|Scaena|Sc(?:æ|œ)na)"

# `ACT I.`, `Act 2`, `ACT THREE`, `Actus Primus.` alone on a line (optionally followed by a scene on the same line).
ACT = re.compile(
    rf"^[ \t]*{_ACT_WORD}[ \t]+{_NUM}\b\.?[ \t]*(?:[,.:;]?[ \t]*(?P<rest>{_SCENE_WORD}\b.*))?$",
)
# `SCENE I. An open Place. Thunder and Lightning.`, `Scene 2`, `SCENE I.--Another part of the island`, `Scena Secunda.`
# After the number comes a stop, the end of the line, or a place in capitals: never prose ("Scene 3 was long").
SCENE = re.compile(rf"^[ \t]*{_SCENE_WORD}[ \t]+{_NUM}\b(?:[ \t]*[.:,\-—–]+|[ \t]*$|(?=[ \t]+[A-Z][A-Z]))[ \t]*(?P<rest>.*)$")
# Prologue, induction, chorus and epilogue as headings on their own line (the Folio spells them with V).
PLAY_PART = re.compile(
    r"^[ \t]*(?:THE[ \t]+)?"
    r"(?P<part>PROLOG[UV]E|Prolog[uv]e|IND[UV]CTION|Ind[uv]ction|EPILOG[UV]E|Epilog[uv]e|CHORUS|Chorus)\.?[ \t]*$"
)
# A speaker's cue in a play: `FIRST WITCH.` alone, `MACBETH. So foul and fair a day...`, `ANNA: Hello.`
PLAY_SPEAKER = re.compile(r"^[ \t]*(?P<name>[A-Z][A-Z'’\- ]*[A-Z](?:[ \t]+\d)?)[.:](?:[ \t]+(?P<line>\S.*))?$")
# An abbreviated speaker alone on its line: `Ham.`, `Ber.`, `1. Witch.`, `First Sen.`, `Lady M.`.
ABBREVIATED_SPEAKER = re.compile(
    r"^[ \t]*(?P<name>(?:\d\.?[ \t]*)?[A-Z][A-Za-z'’\-]*(?:[ \t]+(?:of|de|la|le|[A-Z][A-Za-z'’\-]*)){0,3})\.[ \t]*$"
)
# A First Folio speech: indented abbreviation, then the words: `  Bar. Long liue the King`, `  1. When shall we...`.
FOLIO_SPEAKER = re.compile(
    r"^[ \t]+(?P<name>\d|(?:\d\.?[ \t]*)?[A-Z][A-Za-z'’\-]*(?:[ \t]+[A-Z][A-Za-z'’\-]*){0,2})\.[ \t]+(?P<line>\S.*)$"
)
# A speaker in capitals with no stop, alone between a blank line and the speech: `THESEUS`.
BARE_SPEAKER = re.compile(r"^[ \t]*(?P<name>[A-Z][A-Z'’\-]*(?:[ \t][A-Z][A-Z'’\-]*){0,3})[ \t]*$")
# Unbracketed stage directions (Folio style): `Thunder and Lightning. Enter three Witches.`, `Exeunt.`
DIRECTION_LINE = re.compile(rf"^[ \t]*{alternation('direction_openers')}\b")
# Sound and light words that open a direction only when the line is short and ends with a stop: `Thunder.`
EFFECT_LINE = re.compile(rf"^[ \t]*{alternation('effect_openers')}\b[^!?]{{0,80}}\.[ \t]*$")

# Screenplay slug lines: INT. / EXT. / INT./EXT. / I/E / EST, or a Fountain forced heading `.THE VAULT`.
SLUG = re.compile(r"^[ \t]*(?P<prefix>INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E)[.\s][ \t]*(?P<rest>.+)$")
FORCED_SLUG = re.compile(r"^\.(?P<rest>[A-Za-z0-9].*)$")
TIME_OF_DAY = re.compile(
    rf"(?:\s*(?:-{{1,2}}|–|—)\s*|\s+)(?P<tod>{alternation('slug_times')})\b.*$",
    re.IGNORECASE,
)
CHARACTER_CUE = re.compile(r"^[ \t]*(?P<name>[A-Z][A-Z0-9 .'’\-]*[A-Z0-9])(?P<ext>[ \t]*\([^)]*\))*[ \t]*\^?$")
TRANSITION = re.compile(r"^[ \t]*(?:>[ \t]*)?(?P<t>[A-Z ]+(?:TO|IN|OUT)[:.]|FADE[ \t]+(?:IN|OUT|TO BLACK)[:.]?)[ \t]*<?$")

# Timestamps: `[00:01:30]`, `00:01:30`, `01:30`, ranges `00:01:30 - 00:02:10`, subtitles `00:00:01,000 --> 00:00:04,000`.
_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?"
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

# A line of dialogue in a timestamped script: `ANNA: Where is everyone?`
TIMED_SPEECH = re.compile(r"^[ \t]*(?P<name>[A-Z][A-Za-z'’.\- ]{0,30}[A-Za-z.]):[ \t]+(?P<line>\S.*)$")

_ACT_IN_HEADING = re.compile(rf"(?:^|\s){_ACT_WORD}[ \t]+{_NUM}\b")
_ORDINAL_STEMS = ("one first prim", "two second secund", "three third terti", "four fourth quart", "five fifth quint",
                  "six sext", "seven septim", "eight octau octav", "nine non", "ten decim")  # fmt: skip
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if re.fullmatch(ROMAN, word):
        values = [_ROMAN_VALUES[c] for c in word]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    lower = word.lower()
    return next((n for n, stems in enumerate(_ORDINAL_STEMS, 1) if any(lower.startswith(s) for s in stems.split())), None)


def act_number(heading: str | None) -> int | None:
    """The act a heading opens ("ACT II. SCENE I.", "Actus Secundus."), or None."""
    match = _ACT_IN_HEADING.search(heading or "")
    return _number(match.group("num")) if match else None
