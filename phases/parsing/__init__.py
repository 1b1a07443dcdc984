"""Phase 1: read a script file and split it into scenes with time windows and explicit cues."""

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from phases.contracts import ParsedScript, Scene, SourceSpan, TimeChange
from phases.contracts.validation import field_error

from .closing import split_closing_cues
from .cues import segment_csv, segment_json
from .detect import Detection, detect
from .errors import ParseError
from .genre import PlayPart, read_genre
from .limits import limits
from .patterns import act_number
from .plays import place_from_first_direction, place_from_first_lines, read_play_scene, segment_play
from .reading import DEFAULT_MAX_BYTES, SUPPORTED_EXTENSIONS, check_text, read_script
from .screenplay import read_fountain, read_plain_scene, segment_screenplay
from .segments import Segment, split_lines
from .time_mentions import read_words
from .time_of_day import Before, SceneTime, read_scene_time
from .time_place import carries, heading_time, read_setting
from .timed import read_timed_scene, segment_schedule, segment_timestamped
from .timing import TimingRates, assign_windows
from .vocabulary import time_of_day_value

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ParseError",
    "ParseOptions",
    "TimingRates",
    "parse_file",
    "parse_text",
]


_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ParseOptions:
    max_bytes: int = DEFAULT_MAX_BYTES
    rates: TimingRates = field(default_factory=TimingRates)


def parse_file(path: str | Path, options: ParseOptions = ParseOptions()) -> ParsedScript:
    source = read_script(path, max_bytes=options.max_bytes)
    return _checked_parse(source.text, source.name, source.kind, options, source.page_starts)


def parse_text(text: str, name: str = "text", kind: str = "txt", options: ParseOptions = ParseOptions()) -> ParsedScript:
    if not isinstance(text, str):
        raise ParseError(f"{name}: expected text, got {type(text).__name__}")
    if len(text.encode("utf-8", "surrogatepass")) > options.max_bytes:
        raise ParseError(f"{name}: the text is over the {options.max_bytes:,}-byte limit")
    if _SURROGATE.search(text):
        raise ParseError(f"{name}: the text holds unpaired surrogates (undecodable characters)")
    return _checked_parse(check_text(text, name), name, kind, options)


def _checked_parse(
    text: str, name: str, kind: str, options: ParseOptions, page_starts: tuple[int, ...] = ()
) -> ParsedScript:
    """_parse, with whatever the contract refuses (a time past a week, a bad field) as one ParseError line."""
    try:
        return _parse(text, name, kind, options, page_starts)
    except ValidationError as exc:
        where, message = field_error(exc)
        raise ParseError(f"{name}: {exc.title} {where}: {message}") from None
    except RecursionError:
        raise ParseError(f"{name}: the script is nested too deeply to read") from None


def _check_sizes(name: str, segments: list[Segment], bodies: list[str]) -> None:
    cap = limits()
    if len(segments) > cap.max_scenes:
        raise ParseError(f"{name}: {len(segments):,} scenes is over the limit of {cap.max_scenes:,} per script; split the script")
    for index, body in enumerate(bodies, start=1):
        size = len(body.encode("utf-8", "surrogatepass"))
        if size > cap.max_scene_bytes:
            raise ParseError(
                f"{name}: scene {index} is {size:,} bytes, over the {cap.max_scene_bytes:,}-byte limit per scene;"
                " add scene headings (ACT/SCENE, INT./EXT.) so it splits"
            )


def _parse(text: str, name: str, kind: str, options: ParseOptions, page_starts: tuple[int, ...] = ()) -> ParsedScript:
    lines = split_lines(text)
    detection = detect(lines, kind, text)
    segments = split_closing_cues(text, _segment(text, lines, detection, name))
    bodies = _bodies(text, segments)
    _check_sizes(name, segments, bodies)
    previous_location: str | None = None
    for segment, body in zip(segments, bodies, strict=True):
        own = body[segment.content_start - segment.start :] if segment.content_start else body
        _read_details(segment, own)
        if segment.reader == "play" and not segment.location:
            segment.location = place_from_first_direction(segment, own, previous_location)
            if not segment.location and previous_location and segment.heading:  # "SCENE II": the place goes on
                segment.location, segment.place_inherited = previous_location, True
            elif not segment.location:  # its first lines may say ("this is the Forrest of Arden"): its own place
                segment.location = place_from_first_lines(own)
                segment.place_stated = segment.location is not None
        if not segment.place_stated:
            previous_location = segment.location or previous_location
    windows = assign_windows(segments, options.rates)
    scenes = []
    line_number = 1  # counted scene by scene: counting from the top each time is quadratic on long scripts
    closing_time: str | None = None  # the time at the end of the scene before, after its changes
    closing_overcast = False  # and its sky
    carried: Scene | None = None  # the last scene whose setting goes on (not one whose own lines named its place)
    for index, (segment, body, window) in enumerate(zip(segments, bodies, windows, strict=True), start=1):
        span = None
        if segment.body is None:
            end = segment.start + len(body)
            inner_breaks = body.count("\n", 0, max(len(body) - 1, 0))
            last_line = line_number + inner_breaks
            span = SourceSpan(
                start_char=segment.start,
                end_char=end,
                start_line=line_number,
                end_line=last_line,
                start_page=bisect_right(page_starts, line_number) or None,
                page_lines=[n for n in page_starts[bisect_right(page_starts, line_number) :] if n <= last_line],
            )
            line_number += body.count("\n")
        act = act_number(segment.heading) or (scenes[-1].act if scenes else None)
        before = scenes[-1] if scenes else None
        time = _time_of(segment, body, before, act, closing_time, closing_overcast)
        closing_time, closing_overcast = time.closing, time.closing_overcast
        setting = read_setting(segment.heading, segment.location)
        if setting is None and carried is not None and (segment.reader == "closing_cue" or not segment.location):
            setting = carried.setting  # a blackout, or a scene with no place of its own, stays where it was
        scenes.append(
            Scene(
                scene_id=f"scene_{index:03d}",
                script_type=segment.script_type,
                time_window=window,
                text=body,
                heading=segment.heading,
                act=act,
                location=segment.location,
                time_of_day=time.value,  # type: ignore[arg-type]
                time_of_day_evidence=time.evidence,
                time_of_day_source=time.source,
                overcast=time.overcast,
                time_changes=[
                    TimeChange(start_char=c.start_char, to=c.to, evidence=c.evidence, overcast=c.overcast)  # type: ignore[arg-type]
                    for c in time.changes
                ],
                setting=setting,  # type: ignore[arg-type]
                characters=segment.characters,
                dialogue=segment.dialogue,
                explicit_lighting=list(dict.fromkeys(segment.cues)),
                source=span,
            )
        )
        if not segment.place_stated:
            carried = scenes[-1]
    _read_genre(segments, bodies, scenes)
    return ParsedScript(
        source_name=name,
        script_type=detection.script_type,
        confidence=detection.confidence,
        reader="+".join(detection.readers),
        scenes=scenes,
    )


def _read_genre(segments: list[Segment], bodies: list[str], scenes: list[Scene]) -> None:
    """A play's genre from its title or its whole text (genre.py), on every scene: each is planned on its own."""
    parts = [PlayPart(s.act, seg.directions, s.text) for seg, s in zip(segments, scenes, strict=True) if seg.reader == "play"]
    if not parts:
        return
    first = segments[0]
    front = bodies[0][: first.content_start - first.start] if first.content_start else ""
    genre, evidence = read_genre(front, parts)
    for scene in scenes:
        scene.genre, scene.genre_evidence = genre, evidence


def _time_of(
    segment: Segment, body: str, before: Scene | None, act: int | None, closing: str | None, overcast: bool = False
) -> SceneTime:
    """The scene's time of day, its evidence and its changes (time_of_day.py), from its own text after any front
    matter, what its heading states, and the scene before."""
    if segment.reader == "closing_cue":  # the blackout that ends a scene plays in the scene's own time
        if before is None or closing is None:
            return SceneTime(None, None, None)
        return SceneTime(closing, f"carried on from {before.scene_id}", "carried", overcast=overcast)
    own_start = segment.content_start - segment.start if segment.content_start else 0
    stated = heading_time(segment.heading)
    slug = time_of_day_value(segment.time_of_day) if segment.reader != "play" else None  # CONTINUOUS: a carry
    if stated is None and slug is not None:  # a slug line's time (EXT. PEAK - NIGHT), a cue sheet's own field
        stated = (slug, " ".join((segment.heading or segment.time_of_day or slug).split())[:160])
    previous = None
    if before is not None:
        continues = carries(segment.heading) or segment.place_inherited
        own = before.time_of_day_source in ("heading", "own")
        previous = Before(before.scene_id, closing, own, act == before.act, continues, overcast)
    words = read_words(body, own_start, segment.reader == "play", segment.directions)
    return read_scene_time(words, stated, previous)


def _segment(text: str, lines: list, detection: Detection, name: str) -> list[Segment]:
    readers = {
        "play": lambda: segment_play(text, lines),
        "screenplay": lambda: segment_screenplay(text, lines),
        "fountain": lambda: read_fountain(text),
        "timestamped": lambda: segment_timestamped(text, lines),
        "schedule": lambda: segment_schedule(text, lines),
        "cue_csv": lambda: segment_csv(text, name),
        "cue_json": lambda: segment_json(text, name),
        "prose": lambda: [Segment(start=0, script_type="raw_drama")],
    }
    if len(detection.readers) == 1:
        segments = readers[detection.readers[0]]()
        for segment in segments:
            segment.reader = detection.readers[0]
        return segments
    # A mixed script: each reader gave its first scene the front matter (start 0); merge on where each
    # heading really is, then give the front matter to whichever scene comes first overall.
    merged: dict[int, Segment] = {}
    for reader in detection.readers:
        for segment in readers[reader]():
            segment.reader = reader
            where = segment.content_start if segment.content_start is not None else segment.start
            segment.start, segment.content_start = where, None
            merged.setdefault(where, segment)
    segments = [merged[k] for k in sorted(merged)]
    if segments[0].start > 0:
        segments[0].content_start, segments[0].start = segments[0].start, 0
    return segments


def _bodies(text: str, segments: list[Segment]) -> list[str]:
    bodies = []
    for index, segment in enumerate(segments):
        if segment.body is not None:
            bodies.append(segment.body)
            continue
        end = segments[index + 1].start if index + 1 < len(segments) else len(text)
        bodies.append(text[segment.start : end])
    return bodies


def _read_details(segment: Segment, body: str) -> None:
    if segment.reader == "play":
        read_play_scene(segment, body)
    elif segment.reader in ("screenplay", "prose"):
        read_plain_scene(segment, body)
    elif segment.reader == "timestamped":
        read_timed_scene(segment, body)
