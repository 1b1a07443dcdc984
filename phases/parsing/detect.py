"""Which kind of script is this? Decided by structural lines, never by words in prose."""

import re
from dataclasses import dataclass

from phases.contracts import ScriptType

from .plays import count_play_headings, count_speaker_lines
from .screenplay import count_slugs
from .segments import Line
from .timed import clock_lines, looks_like_schedule, timestamp_lines

READER_TYPES: dict[str, ScriptType] = {
    "play": "raw_drama",
    "screenplay": "raw_drama",
    "fountain": "raw_drama",
    "timestamped": "timestamped_drama",
    "schedule": "event_schedule",
    "cue_csv": "cue_sheet",
    "cue_json": "cue_sheet",
    "prose": "raw_drama",
}


_MIN_SPEAKER_LINES = 10


@dataclass(frozen=True)
class Detection:
    script_type: ScriptType
    confidence: float
    readers: tuple[str, ...]  # one reader, or several for a mixed script
    markers: dict[str, int]


# Cheap whole-text tests that rule a kind of line out before any line is tested one by one.
_ANY_TIME = re.compile(r"\d[:.]\d\d")
_ANY_SLUG_START = re.compile(r"^[ \t]*(?:INT|EXT|EST|I/E|\.[A-Za-z0-9])", re.MULTILINE)
_ANY_HEADING_START = re.compile(r"^[ \t]*(?:ACT|Act|SC|Sc)", re.MULTILINE)


def detect(lines: list[Line], kind: str, text: str | None = None) -> Detection:
    if kind == "csv":
        return Detection("cue_sheet", 0.95, ("cue_csv",), {"cue_csv": 1})
    if kind == "json":
        return Detection("cue_sheet", 0.95, ("cue_json",), {"cue_json": 1})
    text = "\n".join(ln.text for ln in lines) if text is None else text
    timed = _ANY_TIME.search(text) is not None
    schedule = len(clock_lines(lines)) if timed and looks_like_schedule(lines) else 0
    timestamps = 0 if schedule or not timed else len(timestamp_lines(lines))
    markers = {
        "play": count_play_headings(lines) if _ANY_HEADING_START.search(text) else 0,
        "screenplay": count_slugs(lines) if _ANY_SLUG_START.search(text) else 0,
        # One time of day in prose ("at 10:30 we met") is no schedule: times mark structure when they recur.
        "timestamped": timestamps if timestamps >= 2 else 0,
        "schedule": schedule if schedule >= 2 else 0,
    }
    if kind == "fountain":
        markers["fountain"] = max(markers.pop("screenplay"), 1)
    total = sum(markers.values())
    ranked = sorted(((n, r) for r, n in markers.items() if n), reverse=True)
    if not ranked:
        # A play text with no act or scene headings (many Folio plays) still shows its speakers.
        speakers = count_speaker_lines(lines)
        if speakers >= _MIN_SPEAKER_LINES:
            return Detection("raw_drama", 0.5, ("play",), {**markers, "speakers": speakers})
        return Detection("raw_drama", 0.3, ("prose",), markers)
    top_count, top = ranked[0]
    significant = [r for n, r in ranked if n >= 2 and n >= 0.2 * total]
    if len(significant) >= 2:
        share = sum(markers[r] for r in significant) / total
        return Detection("mixed", round(min(0.95, 0.5 + 0.45 * share), 2), tuple(significant), markers)
    confidence = (top_count / total) * min(1.0, 0.55 + 0.15 * top_count)
    return Detection(READER_TYPES[top], round(min(0.99, confidence), 2), (top,), markers)
