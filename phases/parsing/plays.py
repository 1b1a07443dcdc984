"""Stage plays: ACT/SCENE headings in their common variants, speakers, bracketed directions."""

import re

from phases.contracts import DialogueLine

from .explicit import find_cues
from .patterns import ACT, PLAY_PART, PLAY_SPEAKER, SCENE, STAGE_DIRECTION
from .segments import Line, Segment, add_character, split_lines

_SAME = re.compile(r"^(?:the\s+)?same\b[.,;:]?\s*", re.IGNORECASE)
_SOUND_OR_LIGHT = re.compile(r"\b(?:thunder|lightning|alarum|flourish|storm|music|noise|trumpets?)\b", re.I)
_TIME_SENTENCE = re.compile(
    r"^(?:(?:later|early|that|the|same|next)\s+)*(?:dawn|dusk|night|morning|evening|day|noon|midnight)$", re.I
)
_TIME_WORDS = re.compile(r"\b(night|midnight|dawn|daybreak|morning|evening|dusk|twilight|sunset|sunrise|noon)\b", re.IGNORECASE)


def count_play_headings(lines: list[Line]) -> int:
    return sum(1 for ln in lines if SCENE.match(ln.text) or ACT.match(ln.text))


def segment_play(text: str, lines: list[Line] | None = None) -> list[Segment]:
    lines = lines or split_lines(text)
    segments: list[Segment] = []
    pending_act: Line | None = None
    previous_location: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        act = ACT.match(line.text)
        scene = SCENE.match(line.text)
        part = PLAY_PART.match(line.text)
        if act and not act.group("rest"):
            if pending_act is not None:  # an act with no scenes of its own is one scene
                segments.append(Segment(start=pending_act.start, script_type="raw_drama", heading=pending_act.text.strip()))
            pending_act = line
            i += 1
            continue
        if act or scene:
            heading_line = line
            rest = (act.group("rest") if act else scene.group("rest")) or ""  # type: ignore[union-attr]
            if act:
                rest = SCENE.match(rest).group("rest") if SCENE.match(rest) else ""  # type: ignore[union-attr]
            heading = line.text.strip()
            # A heading that wraps onto the next line, e.g. "...with a gate leading to the\nPalace."
            if i + 1 < len(lines) and _is_heading_continuation(lines, i + 1):
                i += 1
                heading += " " + lines[i].text.strip()
                rest = (rest + " " + lines[i].text.strip()).strip()
            start = pending_act.start if pending_act is not None else heading_line.start
            if pending_act is not None:
                heading = f"{pending_act.text.strip()} {heading}"
            pending_act = None
            location = _location(rest, previous_location)
            previous_location = location or previous_location
            segment = Segment(start=start, script_type="raw_drama", heading=heading, location=location)
            if rest:
                segment.directions.append(rest)
            segments.append(segment)
            i += 1
            continue
        if part:
            name = part.group("part").upper()
            if name == "EPILOGUE" and segments:
                # Spoken from the final stage picture, so it stays in the last scene's cue.
                i += 1
                continue
            if pending_act is not None:
                segments.append(Segment(start=pending_act.start, script_type="raw_drama", heading=pending_act.text.strip()))
                pending_act = None
            segments.append(Segment(start=line.start, script_type="raw_drama", heading=line.text.strip()))
            i += 1
            continue
        i += 1
    if pending_act is not None:
        segments.append(Segment(start=pending_act.start, script_type="raw_drama", heading=pending_act.text.strip()))
    if not segments:
        segments.append(Segment(start=0, script_type="raw_drama"))
    # Front matter (title, persons represented) stays with the first scene.
    segments[0].content_start, segments[0].start = segments[0].start, 0
    return segments


def read_play_scene(segment: Segment, body: str) -> None:
    """Fill a play segment's speakers, dialogue, directions, word counts and cues from its text."""
    directions = [m.group(0) for m in STAGE_DIRECTION.finditer(body)]
    segment.directions.extend(d.strip("[]() \n") for d in directions)
    speech_text = STAGE_DIRECTION.sub(" ", body)
    speaker: str | None = None
    speech: list[str] = []

    def flush() -> None:
        if speaker and speech:
            segment.dialogue.append(DialogueLine(character=speaker, text=" ".join(speech)))
            segment.dialogue_words += sum(len(s.split()) for s in speech)

    for raw in speech_text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            continue
        if ACT.match(raw) or SCENE.match(raw) or PLAY_PART.match(raw):
            continue
        match = PLAY_SPEAKER.match(raw)
        if match and len(match.group("name")) <= 40:
            flush()
            speaker = " ".join(match.group("name").split())
            speech = [match.group("line")] if match.group("line") else []
            add_character(segment, speaker)
            continue
        if speaker:
            speech.append(stripped)
        else:
            segment.action_words += len(stripped.split())
    flush()
    segment.action_words += sum(len(d.split()) for d in directions)
    for direction in segment.directions:
        segment.cues.extend(c for c in find_cues(direction) if c not in segment.cues)
        tod = _TIME_WORDS.search(direction)
        if tod and segment.time_of_day is None:
            segment.time_of_day = tod.group(1).upper()


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
