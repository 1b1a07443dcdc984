"""A cue's intent -> each fixture's level and colour. Every export format uses this one function.

The same reading as the DMX renderer's: a group the cue leaves out goes to black; a group's fixtures take
its intensity and colour, then its overrides (by area or by fixture, later entries win); the rig group's
and the fixture's max_intensity cap the level, and a lit fixture sits at least at its min_intensity; a
fixture that cannot mix colour shows its gel. Effects are motion on top of the state, not the state.
"""

from dataclasses import dataclass

from phases.contracts import Fixture, GroupInstruction, LightingInstruction, Rig
from phases.rig.channels import channel_numbers as rig_channels
from phases.rig.errors import RigError

from .errors import ExportError


@dataclass(frozen=True)
class FixtureLook:
    level: float  # 0..1
    colour: str | None  # a colour-table name; None when dark and never coloured by the cue


def _override(group: GroupInstruction, fixture: Fixture, level: float, colour: str) -> tuple[float, str]:
    for o in group.overrides:
        if o.fixture_id == fixture.fixture_id or (o.area is not None and o.area == fixture.focus_area):
            level, colour = o.intensity, o.color or colour
    return level, colour


def check_overrides(cue: LightingInstruction, rig: Rig) -> None:
    """An override must name a fixture or an area of its group: otherwise the plan was made for another rig."""
    for g in cue.groups:
        members = rig.fixtures_in(g.group_id)
        for o in g.overrides:
            if o.fixture_id is not None and all(f.fixture_id != o.fixture_id for f in members):
                raise ExportError(f"cue {cue.cue_number:g}: group {g.group_id} has no fixture {o.fixture_id!r}")
            if o.area is not None and all(f.focus_area != o.area for f in members):
                raise ExportError(f"cue {cue.cue_number:g}: group {g.group_id} has no fixture in area {o.area!r}")


def fixture_looks(cue: LightingInstruction, rig: Rig) -> dict[str, FixtureLook]:
    """Every fixture of the rig, in patch order, with its level and colour in this cue."""
    caps = {g.group_id: g.max_intensity for g in rig.groups}
    given: dict[str, GroupInstruction] = {}
    for g in cue.groups:
        if g.group_id not in caps:
            raise ExportError(
                f"cue {cue.cue_number:g}: group {g.group_id!r} is not in the rig {rig.name!r} (made for another rig?)"
            )
        given[g.group_id] = g
    looks: dict[str, FixtureLook] = {}
    for f in rig.fixtures:
        g = given.get(f.group_id)
        if g is None:
            looks[f.fixture_id] = FixtureLook(0.0, f.fixed_color)
            continue
        level, colour = _override(g, f, g.parameters.intensity, g.parameters.color)
        limits = f.constraints
        level = min(level, caps[f.group_id], limits.max_intensity)
        if level > 0:
            level = max(level, min(limits.min_intensity, limits.max_intensity))
        if "color" not in f.capabilities and f.fixed_color:
            colour = f.fixed_color
        looks[f.fixture_id] = FixtureLook(max(0.0, min(1.0, level)), colour)
    return looks


def channel_numbers(rig: Rig) -> dict[str, int]:
    """Console channel per fixture, as `cueflow rig check` numbers them (phases/rig/channels.py)."""
    try:
        return rig_channels(rig)
    except RigError as exc:
        raise ExportError(str(exc)) from None
