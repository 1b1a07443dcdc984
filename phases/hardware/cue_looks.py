"""A cue's intent -> each fixture's level, colour and effect: the one reading that the DMX renderer, the preview
checks and every export (USITT ASCII, QLC+, the cue sheet) share.

A group the cue leaves out goes to black; a group's fixtures take its intensity, colour and effect, then its
overrides (by area or by fixture, later entries win); a fixture that cannot mix colour shows its gel. The
caps (the rig group's and the fixture's max_intensity, and a lit fixture's min_intensity floor) apply to
the level with its effect on top, as the renderer plays it; `level` is the steady state, effect left out.
"""

from dataclasses import dataclass

from phases.contracts import Effect, Fixture, GroupInstruction, LightingInstruction, Rig, Transition

from .errors import HardwareError

CUT = Transition(type="cut", duration=0)


@dataclass(frozen=True)
class FixtureLook:
    intent: float  # the level the cue asks of the fixture, before caps (an effect plays on this)
    level: float  # the steady level sent, caps applied, 0..1
    colour: str | None  # a colour-table name; None when the cue leaves the fixture dark and uncoloured
    effect: Effect | None  # the group's effect, layered on the level
    transition: Transition
    index: int  # the fixture's place in its group, and the group's size (chase and flicker use them)
    count: int
    in_cue: bool  # False when the cue leaves the fixture's group out (it goes to black)
    focus: str | None = None  # the group's focus in this cue (an area or named position, for movers)


def capped(level: float, fixture: Fixture, group_cap: float) -> float:
    """The level a fixture is sent: the group's and its own ceilings, and a lit fixture's floor."""
    limits = fixture.constraints
    level = min(level, group_cap, limits.max_intensity)
    if level > 0:
        level = max(level, min(limits.min_intensity, limits.max_intensity))
    return max(0.0, min(1.0, level))


def cue_looks(cue: LightingInstruction, rig: Rig) -> dict[str, FixtureLook]:
    """Every fixture of the rig, in patch order, as this cue lights it. Raises HardwareError for a group or an
    override the rig does not have (a plan made for another rig)."""
    caps = {g.group_id: g.max_intensity for g in rig.groups}
    given: dict[str, GroupInstruction] = {}
    for g in cue.groups:
        if g.group_id not in caps:
            raise HardwareError(
                f"cue {cue.cue_number:g}: group {g.group_id!r} is not in the rig"
                " (a plan made for another rig? give it with --rig)"
            )
        given[g.group_id] = g
    members = {group_id: rig.fixtures_in(group_id) for group_id in caps}
    for g in cue.groups:
        for o in g.overrides:
            if o.fixture_id is not None and all(f.fixture_id != o.fixture_id for f in members[g.group_id]):
                raise HardwareError(f"cue {cue.cue_number:g}: group {g.group_id} has no fixture {o.fixture_id!r}")
    longest = max((g.transition or CUT for g in cue.groups), key=lambda t: t.delay + t.duration)
    position = {f.fixture_id: (i, len(m)) for m in members.values() for i, f in enumerate(m)}
    looks: dict[str, FixtureLook] = {}
    for f in rig.fixtures:
        index, count = position[f.fixture_id]
        g = given.get(f.group_id)
        if g is None:  # left out: to black, in the cue's longest time
            looks[f.fixture_id] = FixtureLook(0.0, 0.0, f.fixed_color, None, longest, index, count, False)
            continue
        level, colour = g.parameters.intensity, g.parameters.color
        for o in g.overrides:
            if o.fixture_id == f.fixture_id or (o.area is not None and o.area == f.focus_area):
                level, colour = o.intensity, o.color or colour
        if "color" not in f.capabilities and f.fixed_color:
            colour = f.fixed_color
        steady = capped(level, f, caps[f.group_id])
        looks[f.fixture_id] = FixtureLook(
            level, steady, colour, g.parameters.effect, g.transition or CUT, index, count, True, g.focus_area
        )
    return looks
