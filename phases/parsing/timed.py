"""Scripts that carry times: timestamped dramas ([hh:mm:ss], mm:ss, ranges) and event run-sheets."""

import re

from phases.contracts import DialogueLine

from .explicit import find_cues
from .patterns import AM_PM, CLOCK_SLOT, TIMED_SPEECH, TIMESTAMP
from .segments import Line, Segment, add_character, split_lines
from .vocabulary import alternation

_EVENT_WORDS = re.compile(rf"\b{alternation('event_words')}\b", re.IGNORECASE)


def parse_clock(value: str) -> float:
    """Seconds since midnight for `09:00`, `9.30am`, `2:15 PM`."""
    value = re.sub(r"^(\d{1,2})\.(\d{2})", r"\1:\2", value.strip().lower())
    pm = "p" in value
    am = "a" in value
    digits = re.match(r"(\d{1,2}):(\d{2})", value)
    if not digits:
        raise ValueError(f"not a clock time: {value!r}")
    hours, minutes = int(digits.group(1)), int(digits.group(2))
    if pm and hours < 12:
        hours += 12
    if am and hours == 12:
        hours = 0
    return float(hours * 3600 + minutes * 60)


def parse_timestamp(value: str) -> float:
    """Seconds for `hh:mm:ss`, `mm:ss` or `hh:mm:ss.fff`."""
    parts = value.strip().replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def timestamp_lines(lines: list[Line]) -> list[tuple[Line, re.Match[str]]]:
    found = []
    for line in lines:
        match = TIMESTAMP.match(line.text)
        if not match or not (match.group("rest").strip() or match.group("end")):
            continue
        if not AM_PM.search(line.text[: match.end("start") + 4]):
            if ":" in match.group("start"):
                found.append((line, match))
    return found


def clock_lines(lines: list[Line]) -> list[tuple[Line, re.Match[str]]]:
    return [(ln, m) for ln in lines if (m := CLOCK_SLOT.match(ln.text))]


def looks_like_schedule(lines: list[Line]) -> bool:
    """Clock times of day rather than elapsed timestamps: am/pm, or agenda words beside the times."""
    slots = clock_lines(lines)
    if not slots:
        return False
    with_am_pm = sum(1 for ln, m in slots if AM_PM.search(m.group("start")))
    with_words = sum(1 for ln, m in slots if _EVENT_WORDS.search(m.group("rest")))
    return with_am_pm >= max(1, len(slots) // 2) or with_words >= max(2, len(slots) // 3)


def segment_timestamped(text: str, lines: list[Line] | None = None) -> list[Segment]:
    lines = lines or split_lines(text)
    segments = []
    for line, match in timestamp_lines(lines):
        rest = match.group("rest").strip()
        segment = Segment(
            start=line.start,
            script_type="timestamped_drama",
            heading=line.text.strip(),
            start_time=parse_timestamp(match.group("start")),
            end_time=parse_timestamp(match.group("end")) if match.group("end") else None,
        )
        segment.directions.append(rest)
        segments.append(segment)
    return _finish(segments)


def read_timed_scene(segment: Segment, body: str) -> None:
    """Speech (`NAME: words`) and directions under a timestamp; the timestamp line itself is already read."""
    for raw in body.split("\n")[1:]:
        stripped = raw.strip()
        if not stripped or stripped.isdigit():  # subtitle files number their cues
            continue
        speech = TIMED_SPEECH.match(raw)
        if speech:
            name = " ".join(speech.group("name").split())
            add_character(segment, name)
            segment.dialogue.append(DialogueLine(character=name, text=speech.group("line").strip()))
            segment.dialogue_words += len(speech.group("line").split())
            continue
        segment.directions.append(stripped.strip("[]() ") or stripped)
        segment.action_words += len(stripped.split())
    segment.action_words += sum(len(d.split()) for d in segment.directions[:1])
    for direction in segment.directions:
        segment.cues.extend(c for c in find_cues(direction) if c not in segment.cues)


def segment_schedule(text: str, lines: list[Line] | None = None) -> list[Segment]:
    """One scene per agenda slot; clock times become seconds after the first slot."""
    lines = lines or split_lines(text)
    segments = []
    first: float | None = None
    previous = 0.0
    day_offset = 0.0
    for line, match in clock_lines(lines):
        start = parse_clock(match.group("start"))
        end = parse_clock(match.group("end")) if match.group("end") else None
        if first is None:
            first = start
        if start + day_offset < previous:  # the agenda ran past midnight
            day_offset += 24 * 3600
        start_rel = start + day_offset - first
        end_rel = None
        if end is not None:
            end_rel = end + day_offset - first
            if end_rel < start_rel:
                end_rel += 24 * 3600
        previous = start + day_offset
        rest = match.group("rest").strip()
        title = re.split(r"\t| \| ", rest)[0].strip()
        segment = Segment(
            start=line.start,
            script_type="event_schedule",
            heading=line.text.strip(),
            location=None,
            start_time=start_rel,
            end_time=end_rel,
        )
        segment.directions.append(rest)
        segment.action_words += len(rest.split())
        segment.cues.extend(find_cues(rest))
        if title:
            segment.location = _room(rest)
        segments.append(segment)
    return _finish(segments)


_ROOM = re.compile(rf"\b(?:in|at|@)\s+(?:the\s+)?((?:Main |Grand |Small |Studio )?{alternation('room_words')}\b[\w ]*)")


_ROOM_CELL = re.compile(rf"\b{alternation('room_words')}\b")


def _room(rest: str) -> str | None:
    """`Keynote in the Main Hall`, or a table's location cell (`7:00 PM | Welcome | Main Hall`)."""
    match = _ROOM.search(rest)
    if match:
        return match.group(1).strip()
    cells = [c.strip() for c in re.split(r"\t| \| ", rest)[1:]]
    return next((c for c in cells if _ROOM_CELL.search(c) and len(c) <= 40), None)


def _finish(segments: list[Segment]) -> list[Segment]:
    if segments:
        segments[0].content_start, segments[0].start = segments[0].start, 0
    return segments
