"""LightingInstructions over their time windows -> one DMX frame per universe at any show time.

Deterministic and free of I/O: the same plan and time give the same bytes. Rules:
- before the first cue, and for groups a cue leaves out, the level is 0 (black);
- each fixture's target is its group's level and colour, then the group's overrides (AreaLevel by focus
  area or fixture_id, later entries win): McCandless warm/cool pairs and isolated areas;
- a transition (cut, fade, crossfade; delay then duration) runs from the state each fixture was in when
  the cue started to the cue's target; fade and crossfade interpolate level and colour linearly;
- a fixture coming up from black takes its new colour at once, and one going to black keeps its colour;
- the group's effect is layered on top (its clock starts at the GO of the cue that set it; a later cue that
  leaves the effect as it was lets it run on), then the rig group's and fixture's max_intensity cap the level;
- dimmer channels carry the level (16-bit when the profile has a fine channel); colour emitters carry the
  mixed colour at full, or scaled by the level when the profile has no dimmer; at level 0 they are 0;
  CMY flags carry the complement; every head of a multi-head mode is driven alike; any other channel
  (pan/tilt, shutter, gobo...) holds the default its definition gives.
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
SINGLE_EMITTERS = ("white", "amber", "uv", "lime")


@dataclass(frozen=True)
class GroupState:
    """A fixture's (or a group's) level and colour."""

    level: float
    colour: RGB


BLACK = GroupState(0.0, (0.0, 0.0, 0.0))


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
        self._position = {f.fixture.fixture_id: (i, len(m)) for m in self._members.values() for i, f in enumerate(m)}
        self._fixed = {}
        for f in self.fixtures:
            if "color" not in f.fixture.capabilities and f.fixture.fixed_color:
                self._fixed[f.fixture.fixture_id] = self._colour(f.fixture.fixed_color, f.fixture.fixture_id)
        self._layouts = {f.profile.name: _layout(f.profile) for f in self.fixtures}
        self._defaults = {f.profile.name: bytes(c.default for c in f.profile.channels) for f in self.fixtures}
        self._starts = [c.time_window.start for c in self.cues]
        self._targets = [self._cue_targets(c) for c in self.cues]
        self._effect_origin = self._effect_origins()
        self._from: list[dict[str, GroupState]] = []
        state = {f.fixture.fixture_id: BLACK for f in self.fixtures}
        for index in range(len(self.cues)):
            self._from.append(state)
            if index + 1 < len(self.cues):
                state = self._states(index, self._starts[index + 1])
        ends = [c.time_window.end for c in self.cues]
        for start, targets in zip(self._starts, self._targets, strict=True):
            ends += [start + t.transition.delay + t.transition.duration for t in targets.values()]
        self.duration = max(ends)

    def _effect_origins(self) -> list[dict[str, float]]:
        """When each cue's group effect began: a GO that leaves a group's effect as it was does not restart
        it (the storm runs on through the cues inside it), so its clock counts from the first of those cues."""
        origins: list[dict[str, float]] = []
        running: dict[str, tuple[Effect, float]] = {}
        for cue, start in zip(self.cues, self._starts, strict=True):
            now: dict[str, tuple[Effect, float]] = {}
            for g in cue.groups:
                effect = g.parameters.effect
                if effect is not None:
                    before = running.get(g.group_id)
                    now[g.group_id] = (effect, before[1] if before and before[0] == effect else start)
            running = now
            origins.append({group_id: origin for group_id, (_, origin) in now.items()})
        return origins

    def _colour(self, name: str, where: str) -> RGB:
        try:
            return self._rgb[name]  # type: ignore[return-value]
        except KeyError:
            raise HardwareError(f"{where}: colour {name!r} is not in the colour table") from None

    def _cue_targets(self, cue: LightingInstruction) -> dict[str, _Target]:
        """Every fixture's target in this cue, keyed by fixture_id."""
        given: dict[str, GroupInstruction] = {}
        for g in cue.groups:
            if g.group_id not in self.group_cap:
                raise HardwareError(
                    f"{cue.scene_id}: group {g.group_id!r} is not in the rig (a plan made for another rig? give it with --rig)"
                )
            given[g.group_id] = g
        # Groups the cue leaves out go to black with the cue's longest transition.
        timing = max((g.transition or CUT for g in cue.groups), key=lambda t: t.delay + t.duration)
        targets: dict[str, _Target] = {}
        for group_id, members in self._members.items():
            g = given.get(group_id)
            if g is None:
                targets.update({f.fixture.fixture_id: _Target(BLACK, timing, None) for f in members})
                continue
            where = f"{cue.scene_id} {group_id}"
            base = GroupState(g.parameters.intensity, self._colour(g.parameters.color, where))
            states = {f.fixture.fixture_id: base for f in members}
            for override in g.overrides:
                if override.fixture_id is not None and override.fixture_id not in states:
                    raise HardwareError(f"{where}: override names fixture {override.fixture_id!r}, not in the group")
                colour = self._colour(override.color, where) if override.color else None
                for f in members:
                    fid = f.fixture.fixture_id
                    if fid == override.fixture_id or (override.area is not None and f.fixture.focus_area == override.area):
                        states[fid] = GroupState(override.intensity, colour or states[fid].colour)
            transition = g.transition or CUT
            targets.update({fid: _Target(state, transition, g.parameters.effect) for fid, state in states.items()})
        return targets

    def _states(self, index: int, t: float) -> dict[str, GroupState]:
        """Every fixture's level and colour during cue `index` at show time t (before effects and caps)."""
        start = self._starts[index]
        states: dict[str, GroupState] = {}
        for fixture_id, target in self._targets[index].items():
            before = self._from[index][fixture_id]
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
            states[fixture_id] = GroupState(_lerp(before.level, to.level, progress), colour)  # type: ignore[arg-type]
        return states

    def fixture_levels(self, t: float) -> dict[str, tuple[float, RGB]]:
        """Each fixture's final level (effects and caps applied) and colour at show time t."""
        index = bisect.bisect_right(self._starts, t) - 1
        if index < 0:
            return {f.fixture.fixture_id: (0.0, (0.0, 0.0, 0.0)) for f in self.fixtures}
        states = self._states(index, t)
        levels: dict[str, tuple[float, RGB]] = {}
        for f in self.fixtures:
            fixture_id, group_id = f.fixture.fixture_id, f.fixture.group_id
            state = states[fixture_id]
            level = state.level
            effect = self._targets[index][fixture_id].effect
            if effect is not None:
                position, count = self._position[fixture_id]
                origin = self._effect_origin[index].get(group_id, self._starts[index])
                level = apply_effect(effect, level, t - origin, group_id, position, count)
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
            profile, start = f.profile, f.start
            layout = self._layouts[profile.name]
            frame[start : start + profile.footprint] = self._defaults[profile.name]
            level, colour = levels[f.fixture.fixture_id]
            has_dimmer = "dimmer" in layout
            _put(frame, start, layout, "dimmer", level * 255)
            if "red" in layout:
                emitters = ("red", "green", "blue", *EXTRA_EMITTERS)
                values = dict.fromkeys(emitters, 0.0)
                if level > 0:
                    extras = tuple(e for e in EXTRA_EMITTERS if e in layout)
                    scale = 1.0 if has_dimmer else level
                    values.update({role: value * scale for role, value in mix(colour, extras, self.emitters).items()})
                for role in emitters:
                    _put(frame, start, layout, role, values[role])
            elif profile.subtractive:
                if level == 0:
                    continue
                scale = 1.0 if has_dimmer else level
                for role, value in zip(("cyan", "magenta", "yellow"), colour, strict=True):
                    _put(frame, start, layout, role, 255 - value * scale)
            else:  # single-colour emitters only (white, warm/cool white, amber, UV): their own colour, at the level
                value = (255.0 if has_dimmer else level * 255) if level > 0 else 0.0
                for role in SINGLE_EMITTERS:
                    _put(frame, start, layout, role, value)
        return {u: bytes(frame) for u, frame in frames.items()}

    def moving_spans(self) -> list[tuple[float, float]]:
        """Per cue, in show order: (its GO, when its frames stop changing). From then until the next cue's GO every
        frame equals the one before (its transitions are all done and it runs no effect); before the first GO all
        is black. A cut changes the frame at its GO only: (go, go). A dry run renders only these spans frame by frame."""
        spans: list[tuple[float, float]] = []
        for index, start in enumerate(self._starts):
            end = self._starts[index + 1] if index + 1 < len(self._starts) else self.duration
            targets = self._targets[index].values()
            if any(t.effect is not None for t in targets):
                settled = end
            else:
                settled = min(end, start + max((t.transition.delay + t.transition.duration for t in targets), default=0.0))
            spans.append((start, max(start, settled)))
        return spans

    def blackout(self) -> dict[int, bytes]:
        """All channels 0 on every patched universe: what the player sends when it stops or fails."""
        return {u: bytes(UNIVERSE_SIZE) for u in self.universes}


Layout = dict[str, tuple[tuple[int, ...], tuple[int, ...]]]  # role -> (coarse offsets, their fine offsets)


def _layout(profile: FixtureProfile) -> Layout:
    roles = {c.role for c in profile.channels}
    return {r: (tuple(profile.offsets(r)), tuple(profile.offsets(f"{r}_fine"))) for r in roles if not r.endswith("_fine")}


def _put(frame: bytearray, start: int, layout: Layout, role: str, value: float) -> None:
    """Write `value` (0..255, fractional) to every channel of `role`, 16-bit where the mode has its fine byte."""
    coarse, fine = layout.get(role, ((), ()))
    for head, offset in enumerate(coarse):
        if head < len(fine):
            wide = max(0, min(65535, int(value * 257 + 0.5)))
            frame[start + offset], frame[start + fine[head]] = wide >> 8, wide & 0xFF
        else:
            frame[start + offset] = _byte(value)
