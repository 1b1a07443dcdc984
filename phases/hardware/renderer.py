"""LightingInstructions over their time windows -> one DMX frame per universe at any show time.

Deterministic and free of I/O: the same plan and time give the same bytes. Rules:
- before the first cue, and for groups a cue leaves out, the level is 0 (black);
- a group's transition (cut, fade, crossfade; delay then duration) runs from the state each of its fixtures
  was in when the cue started to the cue's target for it: the group's level and colour, or an override's
  (GroupInstruction.overrides, by focus area or fixture id, later entries win);
  fade and crossfade interpolate level and colour linearly;
- a group coming up from black takes its new colour at once, and a group going to black keeps its colour;
- the group's effect is layered on top, then the rig group's and fixture's max_intensity cap the level;
- dimmer channels carry the level (16-bit when the profile has a fine channel); colour channels carry the
  mixed colour at full, or scaled by the level when the profile has no dimmer; at level 0 they are 0.
"""

import bisect
from dataclasses import dataclass

from phases.contracts import Colour, Effect, GroupInstruction, LightingInstruction, Rig, Transition

from .colour_mixing import RGB, emitter_colours, mix
from .effects import apply_effect
from .errors import HardwareError
from .patch import UNIVERSE_SIZE, PatchedFixture, patch_rig
from .profiles import FixtureProfile

CUT = Transition(type="cut", duration=0)
EXTRA_EMITTERS = ("white", "amber")


@dataclass(frozen=True)
class GroupState:
    level: float
    colour: RGB


@dataclass(frozen=True)
class _Target:
    state: GroupState
    transition: Transition
    effect: Effect | None


def _lerp(a: float, b: float, p: float) -> float:
    return a + (b - a) * p


def _byte(value: float) -> int:
    return max(0, min(255, int(value + 0.5)))


class ShowRenderer:
    def __init__(
        self,
        plan: list[LightingInstruction],
        rig: Rig,
        colours: dict[str, Colour],
        profiles: dict[str, FixtureProfile],
        universe_offset: int = 0,
    ) -> None:
        if not plan:
            raise HardwareError("the plan has no cues to play")
        self.cues = sorted(plan, key=lambda c: c.time_window.start)
        self.fixtures: list[PatchedFixture] = patch_rig(rig, profiles, universe_offset)
        self.universes = sorted({f.universe for f in self.fixtures})
        self.group_cap = {g.group_id: g.max_intensity for g in rig.groups}
        self.emitters = emitter_colours()
        self._rgb = {name: tuple(float(v) for v in c.rgb) for name, c in colours.items()}
        self._members = {g: [f for f in self.fixtures if f.fixture.group_id == g] for g in self.group_cap}
        self._fixed = {}
        for f in self.fixtures:
            if "color" not in f.fixture.capabilities and f.fixture.fixed_color:
                self._fixed[f.fixture.fixture_id] = self._colour(f.fixture.fixed_color, f.fixture.fixture_id)
        self._starts = [c.time_window.start for c in self.cues]
        self._targets = [self._cue_targets(c) for c in self.cues]
        self._from: list[dict[str, GroupState]] = []
        dark = GroupState(0.0, (0.0, 0.0, 0.0))
        state = {f.fixture.fixture_id: dark for f in self.fixtures}
        for index in range(len(self.cues)):
            self._from.append(state)
            if index + 1 < len(self.cues):
                state = self._states(index, self._starts[index + 1])
        ends = [c.time_window.end for c in self.cues]
        for start, targets in zip(self._starts, self._targets, strict=True):
            ends += [start + t.transition.delay + t.transition.duration for t in targets.values()]
        self.duration = max(ends)

    def _colour(self, name: str, where: str) -> RGB:
        try:
            return self._rgb[name]  # type: ignore[return-value]
        except KeyError:
            raise HardwareError(f"{where}: colour {name!r} is not in the colour table") from None

    def _cue_targets(self, cue: LightingInstruction) -> dict[str, _Target]:
        """Each fixture's target in the cue: its group's, or its area's or its own override (later ones win)."""
        given: dict[str, GroupInstruction] = {}
        for g in cue.groups:
            if g.group_id not in self.group_cap:
                raise HardwareError(f"{cue.scene_id}: group {g.group_id!r} is not in the rig")
            given[g.group_id] = g
        # Groups the cue leaves out go to black with the cue's longest transition.
        timing = max((g.transition or CUT for g in cue.groups), key=lambda t: t.delay + t.duration)
        targets: dict[str, _Target] = {}
        for group_id, members in self._members.items():
            g = given.get(group_id)
            if g is None:
                black = _Target(GroupState(0.0, (0.0, 0.0, 0.0)), timing, None)
                for f in members:
                    targets[f.fixture.fixture_id] = black
                continue
            where = f"{cue.scene_id} {group_id}"
            colour = self._colour(g.parameters.color, where)
            # One shared target for the fixtures without an override, so _states can work them out once.
            shared = _Target(GroupState(g.parameters.intensity, colour), g.transition or CUT, g.parameters.effect)
            for f in members:
                target = shared
                for o in g.overrides:
                    if o.fixture_id == f.fixture.fixture_id or (o.area is not None and o.area == f.fixture.focus_area):
                        rgb = self._colour(o.color, where) if o.color else colour
                        target = _Target(GroupState(o.intensity, rgb), shared.transition, shared.effect)
                targets[f.fixture.fixture_id] = target
        return targets

    def _states(self, index: int, t: float) -> dict[str, GroupState]:
        """Every fixture's level and colour during cue `index` at show time t (before effects and caps)."""
        start = self._starts[index]
        states: dict[str, GroupState] = {}
        done: dict[tuple[int, int], GroupState] = {}  # fixtures sharing a target and a start state share the result
        for fixture_id, target in self._targets[index].items():
            before = self._from[index][fixture_id]
            key = (id(target), id(before))
            if key in done:
                states[fixture_id] = done[key]
                continue
            tr = target.transition
            into = t - start - tr.delay
            if into < 0:
                progress = 0.0
            elif tr.type == "cut" or tr.duration == 0:
                progress = 1.0
            else:
                progress = min(1.0, into / tr.duration)
            to = target.state
            from_colour = to.colour if before.level == 0 else before.colour
            to_colour = before.colour if to.level == 0 and before.level > 0 else to.colour
            colour = tuple(_lerp(a, b, progress) for a, b in zip(from_colour, to_colour, strict=True))
            states[fixture_id] = done[key] = GroupState(_lerp(before.level, to.level, progress), colour)  # type: ignore[arg-type]
        return states

    def fixture_levels(self, t: float) -> dict[str, tuple[float, RGB]]:
        """Each fixture's final level (effects and caps applied) and colour at show time t."""
        index = bisect.bisect_right(self._starts, t) - 1
        levels: dict[str, tuple[float, RGB]] = {}
        if index < 0:
            return {f.fixture.fixture_id: (0.0, (0.0, 0.0, 0.0)) for f in self.fixtures}
        states = self._states(index, t)
        targets = self._targets[index]
        for group_id, members in self._members.items():
            for position, f in enumerate(members):
                fixture_id = f.fixture.fixture_id
                state = states[fixture_id]
                effect = targets[fixture_id].effect
                level = state.level
                if effect is not None:
                    level = apply_effect(effect, level, t - self._starts[index], group_id, position, len(members))
                limits = f.fixture.constraints
                level = min(level, self.group_cap[group_id], limits.max_intensity)
                if level > 0:
                    level = max(level, min(limits.min_intensity, limits.max_intensity))
                colour = self._fixed.get(fixture_id, state.colour)
                levels[fixture_id] = (max(0.0, min(1.0, level)), colour)
        return levels

    def frame_at(self, t: float) -> dict[int, bytes]:
        """The 512-channel frame of every patched universe at show time t (seconds)."""
        frames = {u: bytearray(UNIVERSE_SIZE) for u in self.universes}
        levels = self.fixture_levels(t)
        for f in self.fixtures:
            frame = frames[f.universe]
            profile = f.profile
            for offset, channel in enumerate(profile.channels):
                frame[f.start + offset] = channel.default
            level, colour = levels[f.fixture.fixture_id]
            dimmer = profile.offset("dimmer")
            if dimmer is not None:
                fine = profile.offset("dimmer_fine")
                if fine is None:
                    frame[f.start + dimmer] = _byte(level * 255)
                else:
                    value = max(0, min(65535, int(level * 65535 + 0.5)))
                    frame[f.start + dimmer], frame[f.start + fine] = value >> 8, value & 0xFF
            if profile.mixes_colour and level > 0:
                extras = tuple(e for e in EXTRA_EMITTERS if profile.offset(e) is not None)
                scale = 1.0 if dimmer is not None else level
                for role, value in mix(colour, extras, self.emitters).items():
                    offset = profile.offset(role)
                    if offset is not None:
                        frame[f.start + offset] = _byte(value * scale)
            elif profile.mixes_colour:
                for role in ("red", "green", "blue", *EXTRA_EMITTERS):
                    offset = profile.offset(role)
                    if offset is not None:
                        frame[f.start + offset] = 0
        return {u: bytes(frame) for u, frame in frames.items()}

    def blackout(self) -> dict[int, bytes]:
        """All channels 0 on every patched universe: what the player sends when it stops or fails."""
        return {u: bytes(UNIVERSE_SIZE) for u in self.universes}
