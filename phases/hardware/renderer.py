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
- a mover points where its cue focuses it (focus.py): the group's focus_area, else its own area, else home;
  it moves at once while dark (to the focus of the next cue that lights it), with the cue's fade while lit,
  and a fixture fading out stays where it was until it is dark;
- what goes to each channel comes from what its definition says each range does (drive.py): dimmer channels
  carry the level inside their dimmer range (16-bit when the whole channel is the range and it has a fine
  byte); colour emitters carry the mixed colour at full, or scaled by the level when there is no dimmer;
  CMY flags carry the complement; pan and tilt their focus; every other channel (shutter, gobo, macros...)
  holds a safe value (shutter open, no function). A fixture that could be lit only by strobing or a program
  stays dark. Every head of a multi-head mode is driven alike.
"""

import bisect
from dataclasses import dataclass

from phases.contracts import Colour, Effect, Fixture, LightingInstruction, Rig, Transition
from phases.rig.profiles import FixtureProfile

from .colour_mixing import RGB, emitter_colours, mix
from .cue_looks import capped, cue_looks
from .drive import writer
from .effects import apply_effect
from .errors import HardwareError
from .focus import Focus, Focuser
from .patch import UNIVERSE_SIZE, PatchedFixture, patch_rig

CUT = Transition(type="cut", duration=0)


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
    focus: str | None = None  # the group's focus in this cue


@dataclass(frozen=True)
class FixtureState:
    """What Phase 8 sends one fixture at a moment: the values every view of the show (the preview, the
    exports) takes from here so that it shows what the rig will do."""

    level: float  # 0..1, effects and caps applied (0 for a fixture held dark)
    colour: RGB  # 0..255 each
    pan: float  # 0..1 of pan's travel (0.5: home); 0.5 for a fixture without pan
    tilt: float
    focus: str | None  # the area or position it points at (None: home, or not a mover)
    effect: Effect | None  # the effect running on it


@dataclass(frozen=True)
class FixtureFade:
    """One fixture through one cue as fixture_states plays it from the cue's GO, for a view that plays the show
    itself (the preview): the level moves from level_from to level_to and the colour from colour_from to colour_to
    with the transition's progress, the effect plays on that level from effect_origin (show seconds), then the
    caps. A fixture held dark has both levels 0 and no effect; a fixed-colour one its gel at both ends. A mover
    points from aim_from to aim_to (pan, tilt: 0..1 of their travel): "fade" with the progress, "cut" at once
    (it was dark when the cue began), "dark" once the fade is done (it fades out where it was)."""

    level_from: float
    level_to: float
    colour_from: RGB
    colour_to: RGB
    transition: Transition
    effect: Effect | None
    effect_origin: float
    aim_from: tuple[float, float]
    aim_to: tuple[float, float]
    aim: str


def _lerp(a: float, b: float, p: float) -> float:
    return a + (b - a) * p


def _colour_ends(before: GroupState, to: GroupState) -> tuple[RGB, RGB]:
    """A fade's colour at its start and end: a fixture coming up from black takes its new colour at once, and one
    going to black keeps its colour."""
    from_colour = to.colour if before.level == 0 else before.colour
    to_colour = before.colour if to.level == 0 and before.level > 0 else to.colour
    return from_colour, to_colour


Aimed = tuple[float, float, str | None]  # pan, tilt (0..1 of their travel), the focus pointed at


def _still(focus: Focus | None, level: float, colour: RGB, effect: Effect | None) -> FixtureState:
    pan, tilt = (focus.pan, focus.tilt) if focus else (0.5, 0.5)
    return FixtureState(level, colour, pan, tilt, focus.target if focus else None, effect)


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
        self.rig = rig
        self.fixtures: list[PatchedFixture] = patch_rig(rig, profiles, universe_offset)
        self._group_of = {f.fixture_id: f.group_id for f in rig.fixtures}
        self._by_id = {f.fixture.fixture_id: f for f in self.fixtures}
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
        self._writers = {f.profile.name: writer(f.profile) for f in self.fixtures}
        self._dark = {f.fixture.fixture_id for f in self.fixtures if not self._writers[f.profile.name].plan.can_light}
        self._starts = [c.time_window.start for c in self.cues]
        self._targets = [self._cue_targets(c) for c in self.cues]
        self._effect_origin = self._effect_origins()
        self._from: list[dict[str, GroupState]] = []
        state = {f.fixture.fixture_id: BLACK for f in self.fixtures}
        for index in range(len(self.cues)):
            self._from.append(state)
            if index + 1 < len(self.cues):
                state = self._states(index, self._starts[index + 1])
        self._aims, self._aim_from = self._focus_plan(rig)
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
        """Every fixture's target in this cue, keyed by fixture_id: the shared reading of cue_looks.py."""
        targets: dict[str, _Target] = {}
        for fixture_id, look in cue_looks(cue, self.rig).items():
            if not look.in_cue:  # left out: to black, in the cue's longest time
                targets[fixture_id] = _Target(BLACK, look.transition, None)
                continue
            colour = self._colour(look.colour or "", f"{cue.scene_id} {self._group_of[fixture_id]}")
            targets[fixture_id] = _Target(GroupState(look.intent, colour), look.transition, look.effect, look.focus)
        return targets

    def _focus_plan(self, rig: Rig) -> tuple[list[dict[str, Focus]], list[dict[str, "Aimed"]]]:
        """Each mover's focus in each cue, and where it stands when each cue begins. While dark it points
        where the next cue that lights it will want it (moving in the dark), never at the end stop."""
        movers = [f for f in self.fixtures if self._writers[f.profile.name].pan or self._writers[f.profile.name].tilt]
        focuser = Focuser(rig)
        aims: list[dict[str, Focus]] = [{} for _ in self.cues]
        for f in movers:
            fid = f.fixture.fixture_id
            lit = [targets[fid].state.level > 0 and fid not in self._dark for targets in self._targets]
            wanted = [focuser.focus(f.fixture, f.profile, targets[fid].focus) for targets in self._targets]
            coming: list[Focus | None] = [None] * len(wanted)
            following: Focus | None = None
            for index in range(len(wanted) - 1, -1, -1):
                coming[index] = following
                if lit[index]:
                    following = wanted[index]
            last: Focus | None = None
            for index, focus in enumerate(wanted):
                if lit[index]:
                    aims[index][fid] = last = focus
                else:  # dark: already where the next cue that lights it wants it, else where it was
                    aims[index][fid] = coming[index] or last or focus
        starts: list[dict[str, Aimed]] = []
        for index in range(len(self.cues)):
            if index == 0:
                starts.append({fid: (a.pan, a.tilt, a.target) for fid, a in aims[0].items()})
                continue
            starts.append(self._positions(index - 1, self._starts[index], aims, starts))
        return aims, starts

    def _positions(
        self, index: int, t: float, aims: list[dict[str, Focus]], starts: list[dict[str, "Aimed"]]
    ) -> dict[str, "Aimed"]:
        """Every mover's pan and tilt (0..1) during cue `index` at show time t, and the focus it points at."""
        out: dict[str, Aimed] = {}
        for fid, focus in aims[index].items():
            before = starts[index][fid]
            to = (focus.pan, focus.tilt, focus.target)
            if before[:2] == to[:2]:
                out[fid] = to
                continue
            progress = self._progress(index, t, self._targets[index][fid].transition)
            how = self._aim_move(index, fid)
            if how == "cut":
                out[fid] = to
            elif how == "fade":
                out[fid] = (_lerp(before[0], to[0], progress), _lerp(before[1], to[1], progress), to[2])
            else:
                out[fid] = before if progress < 1.0 else to
        return out

    def _aim_move(self, index: int, fid: str) -> str:
        """How a mover gets to its focus in cue `index`: at once when dark as the cue begins (unseen), with the
        fade when lit, and once dark when it fades out."""
        if self._from[index][fid].level == 0 or fid in self._dark:
            return "cut"
        return "fade" if self._targets[index][fid].state.level > 0 else "dark"

    def _progress(self, index: int, t: float, tr: Transition) -> float:
        into = t - self._starts[index] - tr.delay
        if into < 0:
            return 0.0
        if tr.type == "cut" or tr.duration == 0:
            return 1.0
        return min(1.0, into / tr.duration)

    def _states(self, index: int, t: float) -> dict[str, GroupState]:
        """Every fixture's level and colour during cue `index` at show time t (before effects and caps)."""
        states: dict[str, GroupState] = {}
        for fixture_id, target in self._targets[index].items():
            before = self._from[index][fixture_id]
            progress = self._progress(index, t, target.transition)
            to = target.state
            from_colour, to_colour = _colour_ends(before, to)
            colour = tuple(_lerp(a, b, progress) for a, b in zip(from_colour, to_colour, strict=True))
            states[fixture_id] = GroupState(_lerp(before.level, to.level, progress), colour)  # type: ignore[arg-type]
        return states

    def fixture_states(self, t: float) -> dict[str, FixtureState]:
        """Every fixture's level, colour, pan, tilt, focus and effect at show time t: exactly what frame_at sends."""
        index = bisect.bisect_right(self._starts, t) - 1
        if index < 0:
            first = self._aims[0] if self._aims else {}
            return {
                f.fixture.fixture_id: _still(first.get(f.fixture.fixture_id), 0.0, (0.0, 0.0, 0.0), None)
                for f in self.fixtures
            }
        states = self._states(index, t)
        positions = self._positions(index, t, self._aims, self._aim_from) if self._aims[index] else {}
        out: dict[str, FixtureState] = {}
        for f in self.fixtures:
            fixture_id, group_id = f.fixture.fixture_id, f.fixture.group_id
            state = states[fixture_id]
            level = state.level
            effect = self._targets[index][fixture_id].effect
            if effect is not None:
                position, count = self._position[fixture_id]
                origin = self._effect_origin[index].get(group_id, self._starts[index])
                level = apply_effect(effect, level, t - origin, group_id, position, count)
            level = capped(level, f.fixture, self.group_cap[group_id])
            if fixture_id in self._dark:  # its definition lets it be lit only by a strobe or a program
                level = 0.0
            colour = self._fixed.get(fixture_id, state.colour)
            pan, tilt, aimed = positions.get(fixture_id, (0.5, 0.5, None))
            out[fixture_id] = FixtureState(max(0.0, min(1.0, level)), colour, pan, tilt, aimed, effect)
        return out

    def fades(self, index: int) -> dict[str, FixtureFade]:
        """Every fixture through cue `index` (show order), as fixture_states plays it: see FixtureFade."""
        out: dict[str, FixtureFade] = {}
        aims = self._aims[index]
        for f in self.fixtures:
            fid, group_id = f.fixture.fixture_id, f.fixture.group_id
            target, before = self._targets[index][fid], self._from[index][fid]
            colour_from, colour_to = _colour_ends(before, target.state)
            fixed = self._fixed.get(fid)
            if fixed is not None:
                colour_from = colour_to = fixed
            dark = fid in self._dark
            focus = aims.get(fid)
            start = self._aim_from[index].get(fid)
            out[fid] = FixtureFade(
                level_from=0.0 if dark else before.level,
                level_to=0.0 if dark else target.state.level,
                colour_from=colour_from,
                colour_to=colour_to,
                transition=target.transition,
                effect=None if dark else target.effect,
                effect_origin=self._effect_origin[index].get(group_id, self._starts[index]),
                aim_from=(start[0], start[1]) if start else (0.5, 0.5),
                aim_to=(focus.pan, focus.tilt) if focus else (0.5, 0.5),
                aim=self._aim_move(index, fid) if focus else "cut",
            )
        return out

    def fixture_levels(self, t: float) -> dict[str, tuple[float, RGB]]:
        """Each fixture's final level (effects and caps applied) and colour at show time t."""
        return {fid: (s.level, s.colour) for fid, s in self.fixture_states(t).items()}

    def frame_at(self, t: float) -> dict[int, bytes]:
        """The 512-channel frame of every patched universe at show time t (seconds)."""
        frames = {u: bytearray(UNIVERSE_SIZE) for u in self.universes}
        states = self.fixture_states(t)
        mixes: dict[tuple[RGB, tuple[str, ...]], dict[str, float]] = {}
        for f in self.fixtures:
            out = self._writers[f.profile.name]
            state = states[f.fixture.fixture_id]
            mixed = None
            if out.emitters and not out.single and state.level > 0:
                key = (state.colour, out.extras)
                mixed = mixes.get(key)
                if mixed is None:
                    mixed = mixes[key] = mix(state.colour, out.extras, self.emitters)
            out.write(frames[f.universe], f.start, state.level, state.colour, mixed, state.pan, state.tilt)
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

    def fixture_values(self, fixture_id: str, level: float, colour: RGB, pan: float = 0.5, tilt: float = 0.5) -> bytes:
        """The channels of one fixture's mode at a final level and colour: what frame_at writes for it (the
        exports' effect steps are made of these)."""
        f = self._by_id[fixture_id]
        out = self._writers[f.profile.name]
        level = 0.0 if fixture_id in self._dark else level
        colour = self._fixed.get(fixture_id, colour)
        mixed = mix(colour, out.extras, self.emitters) if out.emitters and not out.single and level > 0 else None
        frame = bytearray(f.start + f.profile.footprint)
        out.write(frame, f.start, level, colour, mixed, pan, tilt)
        return bytes(frame[f.start :])

    def colour_of(self, name: str) -> RGB:
        return self._colour(name, "colour")

    def group_of(self, fixture_id: str) -> str:
        return self._group_of[fixture_id]

    def fixture(self, fixture_id: str) -> Fixture:
        return self._by_id[fixture_id].fixture

    def blackout(self) -> dict[int, bytes]:
        """Every fixture at rest (level 0, every other channel at its safe value) on every patched universe: what
        the player sends when it stops or fails. Not all zeros: 0 is a program or a strobe on some fixtures."""
        frames = {u: bytearray(UNIVERSE_SIZE) for u in self.universes}
        for f in self.fixtures:
            rest = self._writers[f.profile.name].rest
            frames[f.universe][f.start : f.start + len(rest)] = rest
        return {u: bytes(frame) for u, frame in frames.items()}
