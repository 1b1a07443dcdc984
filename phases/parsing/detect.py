"""Which kind of script is this? Decided by structural lines, never by words in prose."""

from dataclasses import dataclass

from phases.contracts import ScriptType

from .plays import count_play_headings
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


@dataclass(frozen=True)
class Detection:
    script_type: ScriptType
    confidence: float
    readers: tuple[str, ...]  # one reader, or several for a mixed script
    markers: dict[str, int]


def detect(lines: list[Line], kind: str) -> Detection:
    if kind == "csv":
        return Detection("cue_sheet", 0.95, ("cue_csv",), {"cue_csv": 1})
    if kind == "json":
        return Detection("cue_sheet", 0.95, ("cue_json",), {"cue_json": 1})
    schedule = len(clock_lines(lines)) if looks_like_schedule(lines) else 0
    markers = {
        "play": count_play_headings(lines),
        "screenplay": count_slugs(lines),
        "timestamped": 0 if schedule else len(timestamp_lines(lines)),
        "schedule": schedule,
    }
    if kind == "fountain":
        markers["fountain"] = max(markers.pop("screenplay"), 1)
    total = sum(markers.values())
    ranked = sorted(((n, r) for r, n in markers.items() if n), reverse=True)
    if not ranked:
        return Detection("raw_drama", 0.3, ("prose",), markers)
    top_count, top = ranked[0]
    significant = [r for n, r in ranked if n >= 2 and n >= 0.2 * total]
    if len(significant) >= 2:
        share = sum(markers[r] for r in significant) / total
        return Detection("mixed", round(min(0.95, 0.5 + 0.45 * share), 2), tuple(significant), markers)
    confidence = (top_count / total) * min(1.0, 0.55 + 0.15 * top_count)
    return Detection(READER_TYPES[top], round(min(0.99, confidence), 2), (top,), markers)
