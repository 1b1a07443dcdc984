"""The plan as a console cue list: numbers, labels, up/down times and delays, follows, per-channel levels.

Every format writes from this one reading of the plan, so the ASCII file, the QLC+ workspace and the cue
sheet always agree. Timing: a group whose level rises (or holds) counts for the up fade, a group that
falls for the down fade; each fade takes the longest transition (and delay) of its groups, and falls back
to the cue's longest when no group moves that way. Groups the cue leaves out fade to black in its longest.
"""

from dataclasses import dataclass
from pathlib import Path

from phases.contracts import Colour, CueTrigger, LightingInstruction, Rig, Scene, Transition
from phases.hardware.profiles import FixtureProfile

from .errors import ExportError
from .levels import FixtureLook, channel_numbers, check_overrides, fixture_looks
from .plan_files import Plan

CUT = Transition(type="cut", duration=0)


@dataclass(frozen=True)
class ConsolePart:
    """Groups of a cue that move on their own time: a part cue (the cyc 2 s late, the specials slower)."""

    number: int
    time: float
    delay: float
    channels: tuple[int, ...]


@dataclass(frozen=True)
class ConsoleCue:
    number: float
    label: str
    up_time: float
    up_delay: float
    down_time: float
    down_delay: float
    follow_wait: float | None  # this cue goes by itself, this many seconds after the previous cue's GO
    levels: dict[int, int]  # channel -> percent 0..100, every channel of the rig
    looks: dict[str, FixtureLook]  # fixture_id -> level and colour
    group_colours: dict[str, str]  # group_id -> colour name, for the groups the cue lights
    effects: tuple[str, ...]  # "ambient: lightning 0.3 Hz", layered on the state
    scene_id: str
    called_on: CueTrigger
    start: float  # show clock, seconds
    parts: tuple[ConsolePart, ...] = ()  # empty when every group moves on the same time


@dataclass(frozen=True)
class ConsoleShow:
    name: str
    rig: Rig
    channels: dict[str, int]  # fixture_id -> channel
    colours: dict[str, Colour]
    scenes: dict[str, Scene]
    cues: list[ConsoleCue]
    instructions: list[LightingInstruction]  # the plan's cues, in the same order
    profiles: dict[str, FixtureProfile]
    lines_per_page: int | None = None  # paging a script that was not a PDF (None: a standard page)
    qlc_into: Path | None = None  # a QLC+ workspace the cue list is added to (None: a workspace of its own)


def number_text(number: float) -> str:
    """A cue number as a console shows it: 12, 12.5, 12.25."""
    return f"{number:.3f}".rstrip("0").rstrip(".")


def seconds_text(seconds: float) -> str:
    """A time as consoles take it: 5, 2.5, 0.25."""
    return f"{round(seconds, 2):.2f}".rstrip("0").rstrip(".")


def percent(level: float) -> int:
    return int(level * 100 + 0.5)


def _group_levels(cue: LightingInstruction) -> dict[str, float]:
    return {g.group_id: g.parameters.intensity for g in cue.groups}


def _timing(cue: LightingInstruction, before: dict[str, float], groups: list[str]) -> tuple[float, float, float, float]:
    given = {g.group_id: g.transition or CUT for g in cue.groups}
    longest = max(given.values(), key=lambda t: t.delay + t.duration)
    level = _group_levels(cue)
    ups: list[Transition] = []
    downs: list[Transition] = []
    for group_id in groups:
        tr = given.get(group_id, longest)
        old, new = before.get(group_id, 0.0), level.get(group_id, 0.0)
        if new == old == 0:
            continue
        (downs if new < old else ups).append(tr)
    up = max(ups, key=lambda t: t.delay + t.duration, default=longest)
    down = max(downs, key=lambda t: t.delay + t.duration, default=longest)
    return up.duration, up.delay, down.duration, down.delay


def _parts(cue: LightingInstruction, rig: Rig, channels: dict[str, int]) -> tuple[ConsolePart, ...]:
    """One part per distinct (delay, time) among the cue's groups, in that order; none if all share one."""
    given = {g.group_id: g.transition or CUT for g in cue.groups}
    longest = max(given.values(), key=lambda t: t.delay + t.duration)
    timing: dict[tuple[float, float], list[int]] = {}
    for f in rig.fixtures:
        tr = given.get(f.group_id, longest)
        timing.setdefault((tr.delay, tr.duration), []).append(channels[f.fixture_id])
    if len(timing) < 2:
        return ()
    return tuple(
        ConsolePart(number, duration, delay, tuple(sorted(chans)))
        for number, ((delay, duration), chans) in enumerate(sorted(timing.items()), start=1)
    )


def _effects(cue: LightingInstruction) -> tuple[str, ...]:
    out = []
    for g in cue.groups:
        e = g.parameters.effect
        if e is not None:
            out.append(f"{g.group_id}: {e.type} {e.rate_hz:g} Hz")
    return tuple(out)


def console_show(plan: Plan, lines_per_page: int | None = None, qlc_into: Path | None = None) -> ConsoleShow:
    """Read the plan once for every format."""
    rig = plan.rig
    channels = channel_numbers(rig)
    groups = rig.group_ids()
    cues: list[ConsoleCue] = []
    before: dict[str, float] = {}
    for cue in plan.cues:
        check_overrides(cue, rig)
        looks = fixture_looks(cue, rig)
        for g in cue.groups:
            for name in [g.parameters.color, *(o.color for o in g.overrides if o.color)]:
                if name not in plan.colours:
                    raise ExportError(f"cue {number_text(cue.cue_number)}: colour {name!r} is not in the colour table")
        up, up_delay, down, down_delay = _timing(cue, before, groups)
        trigger = cue.called_on
        cues.append(
            ConsoleCue(
                number=cue.cue_number,
                label=cue.label,
                up_time=up,
                up_delay=up_delay,
                down_time=down,
                down_delay=down_delay,
                follow_wait=trigger.follow_wait if trigger.kind == "follow" and cues else None,
                levels={channels[fid]: percent(look.level) for fid, look in looks.items()},
                looks=looks,
                group_colours={g.group_id: g.parameters.color for g in cue.groups if g.parameters.intensity > 0},
                effects=_effects(cue),
                scene_id=cue.scene_id,
                called_on=trigger,
                start=cue.time_window.start,
                parts=_parts(cue, rig, channels),
            )
        )
        before = _group_levels(cue)
    return ConsoleShow(
        plan.name, rig, channels, plan.colours, plan.scenes, cues, plan.cues, plan.profiles, lines_per_page, qlc_into
    )
