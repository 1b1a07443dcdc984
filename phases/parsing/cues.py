"""Cue sheets: CSV cue lists (cue id, fade speed, looks) and JSON lists of scenes."""

import csv
import json
import math
import re

from phases.contracts import ScriptType
from phases.contracts.scene import SHOW_CLOCK_LIMIT

from .errors import ParseError
from .explicit import find_cues
from .segments import Segment, split_lines
from .timed import parse_timestamp
from .vocabulary import alternation, words

_CUE_ID = re.compile(r"^(?:[A-Z]{0,4}[ -]?)?\d+(?:\.\d+)?[A-Z]?(?:-[A-Z]+)?$", re.IGNORECASE)
_SPEED = re.compile(rf"^(?:{alternation('fade_speeds')}|\d+(?:\.\d+)?\s*S?)$", re.IGNORECASE)
_TIME_HEADERS = tuple(words("time_headers"))
_IGNORED_HEADERS = tuple(words("ignored_headers"))


def segment_csv(text: str, name: str) -> list[Segment]:
    lines = split_lines(text)
    rows: list[tuple[int, list[str]]] = []
    for line in lines:
        if not line.text.strip():
            continue
        try:
            cells = next(csv.reader([line.text]))
        except (csv.Error, StopIteration):
            raise ParseError(f"{name}: line {line.number} is not valid CSV") from None
        rows.append((line.start, [c.strip() for c in cells]))
    if not rows:
        raise ParseError(f"{name}: the cue sheet has no rows")
    header = rows[0][1]
    has_header = not _CUE_ID.match(header[0] or "") or any(
        h and not _SPEED.match(h) and not _CUE_ID.match(h) for h in header[1:2]
    )
    body = rows[1:] if has_header else rows
    if not body:
        raise ParseError(f"{name}: the cue sheet has a header but no cues")
    names = [h or f"column {i + 1}" for i, h in enumerate(header)] if has_header else []
    # A time column holds show-clock times (hh:mm:ss); plain numbers there are fade times (Eos "Time").
    time_col = next(
        (i for i, h in enumerate(names) if h.lower() in _TIME_HEADERS and any(i < len(c) and ":" in c[i] for _, c in body)),
        None,
    )
    ignored = {i for i, h in enumerate(names) if h.lower() in _IGNORED_HEADERS}
    segments = []
    for start, cells in body:
        cue_id = cells[0] if cells else ""
        segment = Segment(start=start, script_type="cue_sheet", heading=cue_id or None)
        described = []
        for i, cell in enumerate(cells[1:], start=1):
            if not cell or i == time_col or i in ignored:
                continue
            column = names[i] if i < len(names) else ""
            if _SPEED.match(cell):
                segment.cues.append(f"{column} {cell}".strip())
            elif not column.upper().endswith("TYPE"):
                segment.cues.append(cell)
                described.append(cell)
            segment.action_words += len(cell.split())
        segment.directions.extend(described)
        if time_col is not None and time_col < len(cells) and cells[time_col]:
            try:
                segment.start_time = parse_timestamp(cells[time_col])
            except ValueError:
                raise ParseError(f"{name}: cue {cue_id}: time {cells[time_col]!r} is not hh:mm:ss") from None
        segments.append(segment)
    segments[0].content_start, segments[0].start = segments[0].start, 0
    return segments


_JSON_KEYS = {
    "scene_id",
    "heading",
    "title",
    "text",
    "location",
    "time_of_day",
    "start",
    "end",
    "time_window",
    "explicit_lighting",
    "script_type",
    "characters",
}


def _refuse_constant(value: str) -> float:
    raise ValueError(f"{value} is not a number of seconds")


def segment_json(text: str, name: str) -> list[Segment]:
    """A JSON list of scenes (or {"scenes": [...]}), each with at least `text`."""
    try:
        # NaN and Infinity are not JSON; Python's reader accepts them unless told not to.
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise ParseError(f"{name}: invalid JSON: {exc}") from None
    except RecursionError:
        raise ParseError(f"{name}: the JSON is nested too deeply to be a list of scenes") from None
    if isinstance(data, dict) and isinstance(data.get("scenes"), list):
        data = data["scenes"]
    if not isinstance(data, list) or not data:
        raise ParseError(f"{name}: expected a non-empty JSON list of scenes")
    segments = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ParseError(f"{name}: scene {index} is not an object")
        unknown = sorted(set(item) - _JSON_KEYS - {"emotion", "source", "dialogue"})
        if unknown:
            raise ParseError(f"{name}: scene {index} has unknown field(s) {', '.join(unknown)}")
        body = item.get("text")
        if not isinstance(body, str) or not body.strip():
            raise ParseError(f"{name}: scene {index} has no text")
        for key in ("scene_id", "heading", "title", "location", "time_of_day"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ParseError(f"{name}: scene {index}: {key} must be a string, got {_json_type(item[key])}")
        script_type: ScriptType = item.get("script_type", "cue_sheet")  # type: ignore[assignment]
        if script_type not in ("timestamped_drama", "raw_drama", "event_schedule", "cue_sheet", "mixed"):
            raise ParseError(f"{name}: scene {index} has unknown script_type {script_type!r}")
        segment = Segment(start=0, script_type=script_type, heading=item.get("heading") or item.get("title"))
        segment.body = body
        segment.location = item.get("location")
        segment.time_of_day = item.get("time_of_day")
        window = item.get("time_window") or {}
        if not isinstance(window, dict):
            raise ParseError(f"{name}: scene {index}: time_window must be an object {{start, end}}, got {_json_type(window)}")
        try:
            segment.start_time = _seconds(item.get("start", window.get("start")))
            segment.end_time = _seconds(item.get("end", window.get("end")))
        except (TypeError, ValueError, OverflowError):
            raise ParseError(
                f"{name}: scene {index} has an invalid start or end time (seconds from 0 to {SHOW_CLOCK_LIMIT:,.0f}, or hh:mm:ss)"
            ) from None
        given = item.get("explicit_lighting") or []
        if not isinstance(given, list) or not all(isinstance(c, str) for c in given):
            raise ParseError(f"{name}: scene {index}: explicit_lighting must be a list of strings")
        characters = item.get("characters")
        if characters is not None and (not isinstance(characters, list) or not all(isinstance(c, str) for c in characters)):
            raise ParseError(f"{name}: scene {index}: characters must be a list of strings")
        segment.cues = list(given) or find_cues(body)
        segment.action_words = len(body.split())
        segments.append(segment)
    return segments


def _json_type(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("bool")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = parse_timestamp(value)
    else:
        raise TypeError(type(value).__name__)
    if not math.isfinite(seconds) or not 0 <= seconds <= SHOW_CLOCK_LIMIT:
        raise ValueError("out of range")
    return seconds
