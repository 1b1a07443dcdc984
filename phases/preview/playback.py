"""What the page plays, computed by Phase 8's renderer: each cue's per-fixture fades, for the page to interpolate.

The page never reads a cue's intent itself. For every cue and fixture, Phase 8's ShowRenderer (`fades`) gives the
level and colour the fixture goes from and to, the transition, the effect with the show time its clock started
and, for a mover, its pan and tilt at each end and how it moves; the page only runs the fade's progress, the
effect (the same arithmetic as phases/hardware/effects.py) and the caps. So every light on the page, at any show
time, is what `fixture_states(t)` sends (tests/test_preview_playback.py holds them together on three rigs).

Cues that share their GO with the next (Macbeth's preset, house to half and house out all sit at 0:00) are never
seen on the show clock: Phase 8 plays the last of them. The page steps through them as a console operator would,
each for its own wait (the follow's wait, else its fade and a short hold): their fades come from a renderer of
the same plan with those cues given their waits, so they too are Phase 8's numbers.
"""

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.contracts import Colour, LightingInstruction, Rig
from phases.data_files import load_yaml_model
from phases.hardware.effects import seed32
from phases.hardware.errors import HardwareError
from phases.hardware.focus import travel
from phases.hardware.renderer import FixtureFade, ShowRenderer
from phases.rig.profiles import FixtureProfile, load_profiles
from phases.rig.stage import hung_above

from .errors import PreviewError

AIM_MOVES = ("cut", "fade", "dark")  # FixtureFade.aim, as the page numbers them


class StepSettings(BaseModel):
    """How long the page holds a cue that shares its GO with the next before it goes on to the next."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hold: float = Field(ge=0, le=60, description="Seconds the look stands once its fade is done.")
    min_wait: float = Field(ge=0.1, le=60, description="The shortest wait, for a cut.")


@lru_cache(maxsize=1)
def step_settings() -> StepSettings:
    return load_yaml_model(Path(__file__).parent / "data" / "steps.yaml", StepSettings, PreviewError)


def show_renderer(
    plan: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    profiles: dict[str, FixtureProfile] | None = None,
) -> ShowRenderer:
    """Phase 8's renderer for the plan on the rig (the hand-written profiles unless the rig brought its own)."""
    try:
        return ShowRenderer(list(plan), rig, {c.name: c for c in colours}, profiles or load_profiles())
    except HardwareError as exc:
        raise PreviewError(f"the plan cannot be played on this rig: {exc}") from None


def fade_time(cue: LightingInstruction) -> float:
    """The cue's time as a console shows it: its longest group transition, delay included."""
    return max(((g.transition.delay + g.transition.duration) if g.transition else 0.0) for g in cue.groups)


def step_waits(ordered: Sequence[LightingInstruction]) -> dict[int, float]:
    """Each cue that shares its GO with the next (show order): how long the page stands on it before the next."""
    settings = step_settings()
    waits: dict[int, float] = {}
    for k in range(len(ordered) - 1):
        if ordered[k + 1].time_window.start != ordered[k].time_window.start:
            continue
        after = ordered[k + 1].called_on
        if after.kind == "follow" and after.follow_wait is not None:
            waits[k] = max(after.follow_wait, 0.1)
        else:
            waits[k] = max(settings.min_wait, fade_time(ordered[k]) + settings.hold)
    return waits


def _stepped(ordered: Sequence[LightingInstruction], waits: dict[int, float]) -> list[LightingInstruction]:
    """The plan with each waiting cue given its wait on the clock (and everything after it moved on by as much)."""
    out, shift = [], 0.0
    for k, cue in enumerate(ordered):
        window = cue.time_window.model_copy(update={"start": cue.time_window.start + shift, "end": cue.time_window.end + shift})
        out.append(cue.model_copy(update={"time_window": window}))
        shift += waits.get(k, 0.0)
    return out


class _Tables:
    """Rows, transitions and effects, each stored once: fixtures of a group share a row in most cues."""

    def __init__(self) -> None:
        self.rows: list[float] = []
        self.row_ids: dict[tuple[float, ...], int] = {}
        self.transitions: list[list[float]] = []
        self.transition_ids: dict[tuple[float, ...], int] = {}
        self.effects: list[dict[str, object]] = []
        self.effect_ids: dict[str, int] = {}

    def row(self, fade: FixtureFade) -> int:
        tr = fade.transition
        key_tr = (1.0 if tr.type == "cut" else 0.0, tr.duration, tr.delay)
        t = self.transition_ids.setdefault(key_tr, len(self.transition_ids))
        if t == len(self.transitions):
            self.transitions.append(list(key_tr))
        e = -1
        if fade.effect is not None:
            key_e = fade.effect.model_dump_json()
            e = self.effect_ids.setdefault(key_e, len(self.effect_ids))
            if e == len(self.effects):
                # the page's effects hash only the seed's low 32 bits, as phases/hardware/effects.py does
                self.effects.append({**fade.effect.model_dump(), "seed": seed32(fade.effect)})
        values = (
            fade.level_from, fade.level_to, *fade.colour_from, *fade.colour_to,
            float(t), float(e), fade.effect_origin if fade.effect is not None else 0.0,
        )  # fmt: skip
        index = self.row_ids.setdefault(values, len(self.row_ids))
        if index * ROW == len(self.rows):
            self.rows.extend(values)
        return index


ROW = 11  # numbers per row: level from, to; colour from (3), to (3); transition; effect (-1: none); effect's origin


def _cue(renderer: ShowRenderer, fades: dict[str, FixtureFade], tables: _Tables, movers: list[str]) -> dict[str, object]:
    aims: list[float] = []
    for fid in movers:
        f = fades[fid]
        aims += [*f.aim_from, *f.aim_to, float(AIM_MOVES.index(f.aim))]
    return {"r": [tables.row(fades[p.fixture.fixture_id]) for p in renderer.fixtures], "a": aims}


def _mover(renderer: ShowRenderer, fixture_id: str) -> dict[str, object]:
    """What the page needs to turn a mover's pan and tilt into a beam: its travel and how it is mounted."""
    patched = next(p for p in renderer.fixtures if p.fixture.fixture_id == fixture_id)
    fixture = patched.fixture
    reach = travel(fixture, patched.profile)
    mounting = fixture.mounting
    hung = mounting.orientation == "hung" if mounting else fixture.position.z >= hung_above()
    return {
        "pan_degrees": reach.pan,
        "tilt_degrees": reach.tilt,
        "hung": hung,
        "pan_home": mounting.pan_home if mounting else 0.0,
        "invert_pan": bool(mounting and mounting.invert_pan),
        "invert_tilt": bool(mounting and mounting.invert_tilt),
    }


def movers(renderer: ShowRenderer) -> list[str]:
    """The fixtures that pan and tilt, in patch order."""
    return [p.fixture.fixture_id for p in renderer.fixtures if p.profile.has("pan") or p.profile.has("tilt")]


def playback_data(
    renderer: ShowRenderer,
    ordered: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    profiles: dict[str, FixtureProfile] | None = None,
    end: float | None = None,
    unchanged: tuple[float, float] = (0.05, 0.06),
) -> dict[str, object]:
    """The page's playback: `renderer` is Phase 8's for `ordered` (the plan in show order, as it sorts it) on `rig`;
    `end` the end of the show as the page draws it (where an effect still running at the end stops on the timeline);
    `unchanged` the level and colour moves under which a cue changes nothing (unchanged_cues)."""
    moving = movers(renderer)
    caps = {g.group_id: g.max_intensity for g in rig.groups}
    tables = _Tables()
    fades = [renderer.fades(k) for k in range(len(ordered))]
    cues = [_cue(renderer, f, tables, moving) for f in fades]
    waits = step_waits(ordered)
    steps: dict[str, object] = {}
    if waits:
        stepped = _stepped(ordered, waits)
        spread = show_renderer(stepped, rig, colours, profiles)
        for k, wait in waits.items():
            steps[str(k)] = {"start": stepped[k].time_window.start, "wait": wait, **_cue(spread, spread.fades(k), tables, moving)}
    members = {g: rig.fixtures_in(g) for g in caps}
    fixtures = []
    for p in renderer.fixtures:
        f = p.fixture
        group = members[f.group_id]
        limits = f.constraints
        fixtures.append(
            {
                "cap": min(caps[f.group_id], limits.max_intensity),
                "floor": min(limits.min_intensity, limits.max_intensity),
                "index": next(i for i, m in enumerate(group) if m.fixture_id == f.fixture_id),
                "count": len(group),
            }
        )
    return {
        "row": ROW,
        "rows": tables.rows,
        "transitions": tables.transitions,
        "effects": tables.effects,
        "fixtures": fixtures,
        "movers": {fid: _mover(renderer, fid) for fid in moving},
        "mover_order": moving,
        "cues": cues,
        "steps": steps,
        "effect_spans": effect_spans(renderer, fades, ordered, renderer.duration if end is None else end),
        "no_change": unchanged_cues(renderer, fades, rig, *unchanged),
    }


def effect_spans(
    renderer: ShowRenderer, fades: list[dict[str, FixtureFade]], ordered: Sequence[LightingInstruction], end: float
) -> list[dict[str, object]]:
    """Where each group's effect runs, from the GO that started its clock to the cue that stops or replaces it (or
    its own duration), as the renderer plays it: what the timeline draws."""
    spans: list[dict[str, object]] = []
    running: dict[str, dict[str, object]] = {}
    group_of = {p.fixture.fixture_id: p.fixture.group_id for p in renderer.fixtures}

    def close(group_id: str, at: float) -> None:
        span = running.pop(group_id)
        duration = span["effect"]["duration"]  # type: ignore[index]
        span["to"] = min(at, float(span["from"]) + duration) if duration else at  # type: ignore[arg-type]
        spans.append(span)

    for k, cue in enumerate(ordered):
        now: dict[str, tuple[dict[str, object], float]] = {}
        for fid, fade in fades[k].items():
            if fade.effect is not None and group_of[fid] not in now:
                now[group_of[fid]] = ({**fade.effect.model_dump(), "seed": seed32(fade.effect)}, fade.effect_origin)
        for group_id in list(running):
            if group_id not in now or now[group_id][1] != running[group_id]["from"]:
                close(group_id, cue.time_window.start)
        for group_id, (effect, origin) in now.items():
            if group_id not in running:
                running[group_id] = {"g": group_id, "effect": effect, "from": origin}
    for group_id in list(running):
        close(group_id, end)
    return spans


def unchanged_cues(
    renderer: ShowRenderer, fades: list[dict[str, FixtureFade]], rig: Rig, level: float, colour: float
) -> list[bool]:
    """Per cue (show order): whether it changes nothing the audience sees against the cue before (the first against
    black): no fixture's level, as the rig caps it, moves by `level`, no lit fixture's colour moves by `colour` (a
    share of full scale on red, green or blue), and no effect starts, stops or changes."""
    caps = {g.group_id: g.max_intensity for g in rig.groups}
    cap = {p.fixture.fixture_id: min(caps[p.fixture.group_id], p.fixture.constraints.max_intensity) for p in renderer.fixtures}
    before: dict[str, FixtureFade] = {}
    out = []
    for now in fades:
        same = True
        for fid, fade in now.items():
            was = before.get(fid)
            a = min(was.level_to, cap[fid]) if was else 0.0
            b = min(fade.level_to, cap[fid])
            if abs(b - a) >= level or (was.effect if was else None) != fade.effect:
                same = False
                break
            moved = max(abs(x - y) for x, y in zip(was.colour_to, fade.colour_to, strict=True)) if was else 0.0
            if min(a, b) > 0 and moved >= colour * 255:
                same = False
                break
        out.append(same)
        before = now
    return out
