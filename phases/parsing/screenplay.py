"""Screenplays: Fountain through screenplain (an established parser) and plain-text screenplays."""

import io
import re

from phases.contracts import DialogueLine

from .errors import ParseError
from .explicit import find_cues
from .patterns import CHARACTER_CUE, FORCED_SLUG, SLUG, TIME_OF_DAY, TRANSITION
from .segments import Line, Segment, add_character, split_lines

_EXTENSION = re.compile(r"\s*\((?:V\.?O\.?|O\.?S\.?|O\.?C\.?|CONT'?D|CONT’D|CONTINUING|[^)]*)\)\s*", re.I)


def is_slug(text: str) -> bool:
    return bool(SLUG.match(text) and text.strip().upper() == text.strip()) or bool(FORCED_SLUG.match(text))


def count_slugs(lines: list[Line]) -> int:
    return sum(1 for ln in lines if is_slug(ln.text))


def slug_parts(heading: str) -> tuple[str | None, str | None]:
    """Location and time of day from `EXT. MOUNT GURU FOOTHILLS--DAY`."""
    match = SLUG.match(heading) or FORCED_SLUG.match(heading)
    rest = match.group("rest") if match else heading
    rest = re.sub(r"\s*#[^#]+#\s*$", "", rest).strip()  # Fountain scene numbers
    tod = TIME_OF_DAY.search(rest)
    time_of_day = tod.group("tod").upper() if tod else None
    location = rest[: tod.start()].strip(" .-–—") if tod else rest.strip(" .-–—")
    return (location or None), time_of_day


def segment_screenplay(text: str, lines: list[Line] | None = None) -> list[Segment]:
    lines = lines or split_lines(text)
    segments = []
    for line in lines:
        if is_slug(line.text):
            heading = line.text.strip().lstrip(".")
            location, tod = slug_parts(heading)
            segments.append(
                Segment(start=line.start, script_type="raw_drama", heading=heading, location=location, time_of_day=tod)
            )
    if not segments:
        segments.append(Segment(start=0, script_type="raw_drama"))
    # `FADE IN:` above the first heading opens the first scene; the title page around it is not read.
    first = segments[0].start
    for line in lines:
        if line.start >= first:
            break
        transition = TRANSITION.match(line.text)
        if transition:
            segments[0].directions.append(transition.group("t"))
    segments[0].content_start, segments[0].start = segments[0].start, 0
    return segments


def read_plain_scene(segment: Segment, body: str) -> None:
    """Character cues, dialogue, action and transitions of a plain-text screenplay scene."""
    blocks = [b for b in re.split(r"\n[ \t]*\n", body) if b.strip()]
    for block in blocks:
        block_lines = [ln for ln in block.split("\n") if ln.strip()]
        first = block_lines[0]
        if is_slug(first):
            block_lines = block_lines[1:]
            if not block_lines:
                continue
            first = block_lines[0]
        transition = TRANSITION.match(first)
        if transition and len(block_lines) == 1:
            segment.directions.append(transition.group("t"))
            continue
        cue = CHARACTER_CUE.match(first)
        if cue and len(block_lines) > 1 and not is_slug(first) and len(first.strip()) <= 40:
            name = _EXTENSION.sub(" ", cue.group("name")).strip()
            add_character(segment, name)
            spoken = [ln.strip() for ln in block_lines[1:] if not ln.strip().startswith("(")]
            segment.dialogue.append(DialogueLine(character=name, text=" ".join(spoken)))
            segment.dialogue_words += sum(len(s.split()) for s in spoken)
            continue
        action = " ".join(ln.strip() for ln in block_lines)
        segment.directions.append(action)
        segment.action_words += len(action.split())
    _collect_cues(segment)


def read_fountain(text: str) -> list[Segment]:
    """Segment Fountain with screenplain, then locate each element in the text for exact spans."""
    from screenplain.parsers import fountain
    from screenplain.types import Action, Dialog, DualDialog, Slug, Transition

    try:
        screenplay = list(fountain.parse(io.StringIO(text)))
    except Exception as exc:  # a third-party parser on arbitrary text: report it as a bad script, not a crash
        raise ParseError(f"the Fountain parser could not read this script ({type(exc).__name__})") from None
    segments: list[Segment] = []
    cursor = 0
    current = Segment(start=0, script_type="raw_drama")  # the first scene also holds the title page
    for paragraph in screenplay:
        if isinstance(paragraph, Slug):
            heading = str(paragraph.line).strip()
            found = _find_line(text, heading, cursor)
            if found < 0:
                continue
            cursor = found + len(heading)
            if current.heading is not None or segments:
                segments.append(current)
                current = Segment(start=found, script_type="raw_drama")
            current.heading = heading
            current.location, current.time_of_day = slug_parts(heading)
            continue
        dialogs = (
            [paragraph]
            if isinstance(paragraph, Dialog)
            else ([paragraph.left, paragraph.right] if isinstance(paragraph, DualDialog) else [])
        )
        for dialog in dialogs:
            name = _EXTENSION.sub(" ", str(dialog.character)).strip(" ^")
            add_character(current, name)
            spoken = [str(t) for is_paren, t in dialog.blocks if not is_paren]
            current.dialogue.append(DialogueLine(character=name, text=" ".join(spoken)))
            current.dialogue_words += sum(len(s.split()) for s in spoken)
            for is_paren, t in dialog.blocks:
                if is_paren:
                    current.directions.append(str(t))
        if isinstance(paragraph, Action):
            action = " ".join(str(ln) for ln in paragraph.lines)
            current.directions.append(action)
            current.action_words += len(action.split())
        elif isinstance(paragraph, Transition):
            current.directions.append(str(paragraph.line))
    segments.append(current)
    for segment in segments:
        _collect_cues(segment)
    segments[0].content_start, segments[0].start = segments[0].start, 0
    return segments


def _find_line(text: str, needle: str, cursor: int) -> int:
    """Offset of the line holding `needle` at or after cursor (slugs may be forced with a dot)."""
    index = text.find(needle, cursor)
    if index < 0:
        index = text.upper().find(needle.upper(), cursor)
    if index < 0:
        return -1
    return text.rfind("\n", 0, index) + 1


def _collect_cues(segment: Segment) -> None:
    for direction in segment.directions:
        for cue in find_cues(direction) or _transition_cue(direction):
            if cue not in segment.cues:
                segment.cues.append(cue)


def _transition_cue(direction: str) -> list[str]:
    flat = direction.strip().lstrip("> ").rstrip(" <")
    return [flat] if re.match(r"^(?:FADE|CUT TO BLACK|SMASH CUT|IRIS|DISSOLVE)", flat) else []
