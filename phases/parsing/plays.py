"""Stage plays: ACT/SCENE headings (also the First Folio's Latin), prologues and choruses, speakers, directions."""

import re
from collections import Counter
from functools import cache

from phases.contracts import DialogueLine

from .explicit import find_cues
from .patterns import (
    ABBREVIATED_SPEAKER,
    ACT,
    BARE_SPEAKER,
    DIRECTION_LINE,
    EFFECT_LINE,
    FOLIO_SPEAKER,
    PLAY_PART,
    PLAY_SPEAKER,
    SCENE,
    STAGE_DIRECTION,
)
from .segments import Line, Segment, add_character, split_lines
from .vocabulary import alternation, words

_SAME = re.compile(r"^(?:the\s+)?same\b[.,;:]?\s*", re.IGNORECASE)
_SOUND_OR_LIGHT = re.compile(rf"\b{alternation('heading_effect_words')}\b", re.IGNORECASE)
_TIME_SENTENCE = re.compile(rf"^(?:(?:later|early|that|the|same|next)\s+)*{alternation('time_only_words')}$", re.IGNORECASE)


def _any_of(*patterns: re.Pattern[str]) -> re.Pattern[str]:
    """One pattern matching wherever any of `patterns` does: a single cheap test before the precise ones."""
    return re.compile("|".join("(?:" + re.sub(r"\(\?P<\w+>", "(?:", p.pattern) + ")" for p in patterns))


_ANY_HEADING = _any_of(ACT, SCENE)
_ANY_PLAY_HEADING = _any_of(ACT, SCENE, PLAY_PART)
_ANY_STRUCTURE = _any_of(ACT, SCENE, PLAY_PART, DIRECTION_LINE, EFFECT_LINE, PLAY_SPEAKER, FOLIO_SPEAKER)


def count_play_headings(lines: list[Line]) -> int:
    match = _ANY_HEADING.match
    return sum(1 for ln in lines if match(ln.text))


def count_speaker_lines(lines: list[Line]) -> int:
    """Lines that open a speech in a layout only plays use (`HAMLET.` alone, `  Ham. words`)."""
    names: Counter[str] = Counter()
    for ln in lines:
        match = FOLIO_SPEAKER.match(ln.text) or PLAY_SPEAKER.match(ln.text)
        if match:
            names[match.group("name")] += 1
    # Speakers come back again and again; titles of poems or sections do not.
    recurring = [n for n, count in names.items() if count >= 3]
    return sum(names[n] for n in recurring) if len(recurring) >= 2 else 0


def segment_play(text: str, lines: list[Line] | None = None) -> list[Segment]:
    """One segment per scene heading. An ACT, PROLOGUE or INDUCTION line directly over a scene heading
    joins that scene's heading; with text of its own before the next heading it is a scene itself."""
    lines = lines or split_lines(text)
    segments: list[Segment] = []
    pending: list[Line] = []  # act and part headings not yet attached to a scene
    pending_has_text = False
    previous_location: str | None = None

    def flush_pending() -> None:
        nonlocal pending, pending_has_text
        if pending:
            heading = " ".join(p.text.strip() for p in pending)
            segments.append(Segment(start=pending[0].start, script_type="raw_drama", heading=heading))
        pending, pending_has_text = [], False

    i = 0
    while i < len(lines):
        line = lines[i]
        text_ = line.text
        if not _ANY_PLAY_HEADING.match(text_):
            if pending and text_.strip():
                pending_has_text = True
            i += 1
            continue
        act = ACT.match(text_)
        scene = None if act else SCENE.match(text_)
        if act and not act.group("rest"):
            if pending_has_text:
                flush_pending()
            pending.append(line)
            i += 1
            continue
        if act or scene:
            rest = (act.group("rest") if act else scene.group("rest")) or ""  # type: ignore[union-attr]
            if act:
                inner = SCENE.match(rest)
                rest = inner.group("rest") if inner else ""
            heading = text_.strip()
            # A heading that wraps onto the next line, e.g. "...with a gate leading to the\nPalace."
            if i + 1 < len(lines) and _is_heading_continuation(lines, i + 1):
                i += 1
                heading += " " + lines[i].text.strip()
                rest = (rest + " " + lines[i].text.strip()).strip()
            if pending_has_text:
                flush_pending()
            start = pending[0].start if pending else line.start
            heading = " ".join([p.text.strip() for p in pending] + [heading])
            pending, pending_has_text = [], False
            location = _location(rest, previous_location)
            previous_location = location or previous_location
            segment = Segment(start=start, script_type="raw_drama", heading=heading, location=location)
            if rest:
                segment.directions.append(rest)
            segments.append(segment)
            i += 1
            continue
        part = PLAY_PART.match(text_)
        if part and _is_part_heading(lines, i, _part_name(part), bool(pending) and not pending_has_text):
            if _part_name(part) == "EPILOGUE" and segments and not pending:
                # Spoken from the final stage picture, so it stays in the last scene's cue.
                i += 1
                continue
            if pending_has_text:
                flush_pending()
            pending.append(line)
            i += 1
            continue
        if pending:
            pending_has_text = True
        i += 1
    flush_pending()
    if not segments:
        segments.append(Segment(start=0, script_type="raw_drama"))
    # Front matter (title, persons represented) stays with the first scene.
    segments[0].content_start, segments[0].start = segments[0].start, 0
    return segments


def read_play_scene(segment: Segment, body: str) -> None:
    """Fill a play segment's speakers, dialogue, directions, word counts and cues from its text."""
    directions = [m.group(0) for m in STAGE_DIRECTION.finditer(body)] if ("[" in body or "(" in body) else []
    segment.directions.extend(d.strip("[]() \n") for d in directions)
    speech_text = STAGE_DIRECTION.sub(" ", body) if directions else body
    speaker: str | None = None
    speech: list[str] = []
    open_direction: list[str] | None = None  # an unbracketed direction that may wrap onto the next lines

    def flush() -> None:
        if speaker and speech:
            spoken = " ".join(speech)
            segment.dialogue.append(DialogueLine(character=speaker, text=spoken))
            segment.dialogue_words += len(spoken.split())

    def close_direction() -> None:
        nonlocal open_direction
        if open_direction:
            direction = " ".join(open_direction)
            segment.directions.append(direction)
            segment.action_words += len(direction.split())
        open_direction = None

    def carry_on(raw: str, stripped: str) -> None:
        """A line that starts nothing new continues the open direction, the speech, or the action."""
        if open_direction is not None and not raw[:1].isspace():
            open_direction.append(stripped)
        elif speaker:
            speech.append(stripped)
        else:
            segment.action_words += len(stripped.split())

    rows = speech_text.split("\n")
    after_blank = True
    for index, raw in enumerate(rows):
        stripped = raw.strip()
        if not stripped:
            close_direction()
            after_blank = True
            continue
        plain = not after_blank and not _ANY_STRUCTURE.match(raw)  # one cheap test for most verse lines
        after_blank = False
        if plain:
            carry_on(raw, stripped)
            continue
        if ACT.match(raw) or SCENE.match(raw) or (_is_part_line(raw) and not _opens_speech(rows, index)):
            close_direction()
            continue
        if DIRECTION_LINE.match(raw) or EFFECT_LINE.match(raw):
            close_direction()
            open_direction = [stripped]
            continue
        name, line = _speaker(rows, index)
        if name is not None:
            close_direction()
            flush()
            speaker = name
            speech = [line] if line else []
            add_character(segment, speaker)
            continue
        carry_on(raw, stripped)
    close_direction()
    flush()
    segment.action_words += sum(len(d.split()) for d in directions)
    for direction in segment.directions:
        segment.cues.extend(c for c in find_cues(direction) if c not in segment.cues)


_NOT_SPEAKERS = frozenset(words("not_speakers"))


def _speaker(rows: list[str], index: int) -> tuple[str | None, str | None]:
    """The speaker a line names, and the words spoken on the same line, in the layouts play texts use."""
    name, line = _speaker_layout(rows, index)
    if name is not None and name.lower() in _NOT_SPEAKERS:
        return None, None
    return name, line


def _speaker_layout(rows: list[str], index: int) -> tuple[str | None, str | None]:
    raw = rows[index]
    match = PLAY_SPEAKER.match(raw)
    if match and len(match.group("name")) <= 40:
        return " ".join(match.group("name").split()), match.group("line")
    after_blank = index == 0 or not rows[index - 1].strip()
    before_speech = index + 1 < len(rows) and bool(rows[index + 1].strip())
    if after_blank and before_speech:
        match = ABBREVIATED_SPEAKER.match(raw) or BARE_SPEAKER.match(raw)
        if match and len(match.group("name")) <= 30:
            return " ".join(match.group("name").split()), None
    match = FOLIO_SPEAKER.match(raw)
    if match:
        return " ".join(match.group("name").split()), match.group("line")
    return None, None


def _is_part_line(raw: str) -> bool:
    part = PLAY_PART.match(raw)
    return bool(part) and _part_name(part) != "CHORUS"  # type: ignore[union-attr]


def _part_name(part: re.Match[str]) -> str:
    return part.group("part").upper().replace("V", "U")


def _opens_speech(rows: list[str], index: int) -> bool:
    return index + 1 < len(rows) and bool(rows[index + 1].strip())


def _is_part_heading(lines: list[Line], i: int, part: str, after_act: bool) -> bool:
    """PROLOGUE on its own is a heading; `PROLOGUE` directly over a speech is the Prologue speaking.

    A Chorus is a heading only where it opens an act (`ACT II.` then `CHORUS.`); elsewhere it is a speaker.
    """
    if part == "CHORUS" and not after_act:
        return False
    following = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
    return not following or following.startswith(("[", "("))


def _is_heading_continuation(lines: list[Line], j: int) -> bool:
    text = lines[j].text.strip()
    if not text or text.startswith(("[", "(")):
        return False
    if PLAY_SPEAKER.match(lines[j].text) or SCENE.match(lines[j].text) or ACT.match(lines[j].text):
        return False
    return len(text) < 60 and (j + 1 >= len(lines) or not lines[j + 1].text.strip())


def _location(rest: str, previous: str | None) -> str | None:
    rest = " ".join(rest.split()).strip(" .-—")
    if not rest:
        return None
    same = _SAME.match(rest)
    if same:
        rest = rest[same.end() :]
        place = (previous or "").split(". ")[0]
        rest = f"{place}. {rest}".strip(" .") if rest else place
    sentences = [s.strip(" .") for s in re.split(r"(?<=\.)\s+", rest) if s.strip(" .")]
    kept = [s for s in sentences if not _SOUND_OR_LIGHT.search(s) and not _TIME_SENTENCE.match(s)] or sentences[:1]
    return ". ".join(kept) or None


@cache
def _place_statements() -> tuple[tuple[re.Pattern[str], ...], dict[str, str], int]:
    """The place statements of data/vocabulary.yaml, each with the place words in it; the old spellings; how
    many lines are read."""
    nouns = "|".join(sorted(words("place_words"), key=len, reverse=True))
    place = rf"(?P<place>{nouns})\b(?:[ \t]+of[ \t]+(?P<of>(?-i:[A-Z])[\w'’\-]+(?:[ \t]+(?-i:[A-Z])[\w'’\-]+)?))?"
    statements = tuple(re.compile(s.replace("{place}", place), re.IGNORECASE) for s in words("place_statements"))
    spellings = dict(tuple(w.strip().lower() for w in item.split(":", 1)) for item in words("place_spellings"))
    return statements, spellings, int(words("place_first_lines")[0])


def place_from_first_lines(body: str) -> str | None:
    """The place a scene's first lines say it is ("Well, this is the Forrest of Arden" -> "Forest of Arden")."""
    statements, spellings, lines = _place_statements()
    head = "\n".join([row for row in body.split("\n") if row.strip()][:lines])
    found = [m for regex in statements for m in [regex.search(head)] if m]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    noun = first.group("place").lower()
    place = spellings.get(noun, noun)
    return f"{place.capitalize()} of {first.group('of')}" if first.group("of") else place.capitalize()


def place_from_first_direction(segment: Segment, body: str, previous: str | None) -> str | None:
    """A heading with no place (`SCENE 2`) is often followed by one in brackets: `[The Island. Before the cell]`."""
    own = [d for d in segment.directions if not segment.heading or d not in segment.heading]
    if not own:
        return None
    first = own[0]
    where = body.find(first)
    if where < 0 or where > 400 or DIRECTION_LINE.match(first) or len(first.split()) > 25:
        return None
    if not body[:where].rstrip().endswith("["):  # a place is bracketed; "(to speak more properly)" is an aside
        return None
    place = re.split(r"[;:]", first, maxsplit=1)[0]
    sentences = [s.strip(" .") for s in re.split(r"(?<=\.)\s+", " ".join(place.split()))]
    kept = [s for s in sentences if s and not DIRECTION_LINE.match(s) and not _SOUND_OR_LIGHT.search(s)]
    return _location(". ".join(kept), previous) if kept else None
