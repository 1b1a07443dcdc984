"""What the rig allows a group: its intensity ceiling and whether it can mix colour (computed once per rig)."""

from dataclasses import dataclass

from phases.contracts import Rig


@dataclass(frozen=True)
class GroupLimits:
    ceiling: float  # the group's own limit, and no higher than its most capable fixture allows
    fixed_colour: str | None  # the gel of a group that cannot mix colour


_CACHE: dict[int, tuple[Rig, dict[str, GroupLimits]]] = {}


def limits(rig: Rig) -> dict[str, GroupLimits]:
    cached = _CACHE.get(id(rig))
    if cached is not None and cached[0] is rig:
        return cached[1]
    table = {}
    for group in rig.groups:
        fixtures = rig.fixtures_in(group.group_id)
        mixes = any("color" in f.capabilities for f in fixtures)
        table[group.group_id] = GroupLimits(
            ceiling=min(group.max_intensity, max(f.constraints.max_intensity for f in fixtures)),
            fixed_colour=None if mixes else fixtures[0].fixed_color,
        )
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(rig)] = (rig, table)  # the rig is held, so its id cannot be reused while cached
    return table


def group_ceiling(rig: Rig, group_id: str) -> float:
    return limits(rig)[group_id].ceiling


def can_mix_colour(rig: Rig, group_id: str) -> bool:
    return limits(rig)[group_id].fixed_colour is None


def fixed_colour(rig: Rig, group_id: str) -> str | None:
    return limits(rig)[group_id].fixed_colour
