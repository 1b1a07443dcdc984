"""Time windows: explicit times when the script gives them, else estimates from word counts.

Rates (documented defaults, all adjustable through TimingRates):
- dialogue is spoken at 150 words a minute (2.5 words/s), the usual rate for stage and screen;
- action and stage directions are played at 2 words/s, plus 2 s for each direction (an entrance takes a beat);
- a scene lasts at least 10 s; a cue with no time holds 30 s; the last agenda slot with no end lasts 15 min.
"""

from dataclasses import dataclass

from phases.contracts import TimeWindow

from .segments import Segment


@dataclass(frozen=True)
class TimingRates:
    dialogue_words_per_second: float = 2.5
    action_words_per_second: float = 2.0
    seconds_per_direction: float = 2.0
    min_scene_seconds: float = 10.0
    cue_seconds: float = 30.0
    final_slot_seconds: float = 900.0


def estimate_seconds(segment: Segment, rates: TimingRates) -> float:
    if segment.script_type == "cue_sheet":
        return rates.cue_seconds
    if segment.script_type == "event_schedule":
        return rates.final_slot_seconds
    spoken = segment.dialogue_words / rates.dialogue_words_per_second
    staged = segment.action_words / rates.action_words_per_second
    beats = len(segment.directions) * rates.seconds_per_direction
    return max(rates.min_scene_seconds, spoken + staged + beats)


def assign_windows(segments: list[Segment], rates: TimingRates = TimingRates()) -> list[TimeWindow]:
    """Monotonic, non-overlapping windows, each at least the minimum long."""
    windows: list[TimeWindow] = []
    cursor = 0.0
    for index, segment in enumerate(segments):
        start = max(cursor, segment.start_time) if segment.start_time is not None else cursor
        following = segments[index + 1].start_time if index + 1 < len(segments) else None
        if segment.end_time is not None and segment.end_time > start:
            end = segment.end_time
        elif following is not None and following > start:
            end = following
        else:
            end = start + estimate_seconds(segment, rates)
        end = max(end, start + rates.min_scene_seconds)
        windows.append(TimeWindow(start=round(start, 3), end=round(end, 3)))
        cursor = end
    return windows
