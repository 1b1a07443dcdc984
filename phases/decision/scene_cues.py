"""The cues inside a scene: one where the stage changes for a reason in the text, each a target state.

The scene is walked once (stage_events.py) into the points where states open and close; this module folds the
points before the first line into the opening state, merges points on one line into one cue, drops what the
audience would not see (a cue that moves no group by the visible threshold and changes no colour, focus or
effect) and what needs no GO (people leaving after the scene's last line), and gives each cue its label and fade."""

import bisect
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from phases.contracts import Rig, Scene, TimeOfDay

from .cue_design import CueDesign, CueKind
from .cue_states import Pool, StageLook, assign_pools, render
from .design_data import DesignSettings, Palette, Palettes
from .look import Look
from .looks import lightning, supernatural
from .roles import group_roles
from .scene_reading import SceneReading
from .stage_events import SHOW_KINDS, Layer, SceneWalk, StagePoint, walk_scene

# The base look for a time of day, with or without the scene's own moment (a battle the retreat ends), indoors
# or not (the company moving into the Capitol), under an overcast sky or not.
BaseFor = Callable[[TimeOfDay | None, bool, bool, bool], Look]


@dataclass
class PlannedCue:
    point: StagePoint | None  # None: the scene's opening state
    offset: int
    stage: StageLook
    fade: float
    label: str
    honoured: list[str] = field(default_factory=list)
    follow_of: "PlannedCue | None" = None
    follow_wait: float = 0.0
    kind: CueKind | None = None
    lead_delay: float = 0.0  # a time change: the cyc leads, the other groups start this much later
    bump: bool = False  # the scene's opening state comes up on a flash (a cut)
    notes: list[str] = field(default_factory=list)  # the opening cue: moments the text calls that changed nothing

    @property
    def look(self) -> Look:
        return self.stage.look


def plan_scene(
    scene: Scene,
    seen: SceneReading,
    base_for: BaseFor,
    rig: Rig,
    palette: Palette,
    accents: Palettes,
    design: DesignSettings,
    cues: CueDesign,
) -> list[PlannedCue]:
    key = (id(cues), *((c.start_char, c.to) for c in scene.time_changes))
    chosen = seen.selections.get(key)  # type: ignore[call-overload]
    if chosen is None:  # the points depend only on the scene's words, its time changes and the data: found once
        walk = walk_scene(scene, seen, cues)
        chosen = seen.selections[key] = (walk, *_select(scene, seen, walk, cues))  # type: ignore[index]
    walk, opening, opening_bumps, inside = chosen  # type: ignore[misc]
    seed = int(scene.scene_id.split("_")[-1]) * 100003
    vigil = seen.moment == "vigil"
    moment_over = False  # a new time of day the scene's own moment hid: the moment has yielded to it

    def look_of(point_layers: tuple, time: TimeOfDay | None, offset: int) -> StageLook:
        if moment_over:
            point_layers = tuple(layer for layer in point_layers if layer.kind != "scene")
        kinds = {layer.kind for layer in point_layers}
        base = base_for(time, "scene" in kinds, "place" in kinds, "overcast" in kinds)
        return render(base, point_layers, rig, palette, accents, design, cues, seed + offset, vigil and "scene" in kinds)

    opening_layers = opening.layers if opening else walk.opening
    opening_time = opening.time if opening else walk.opening_time
    first = PlannedCue(None, 0, look_of(opening_layers, opening_time, 0), 0.0, "", [opening.text] if opening else [])
    planned = [first]
    previous = first.stage
    if opening_bumps:  # "Thunder. Enter the three Witches": the scene comes up on the flash, then settles
        point = StagePoint(0, "direction", "", [], opening_layers, opening_time, opening_bumps)
        settled = first.stage
        flashed = _bumped(settled, point, rig, palette, accents, seed, cues, design.key_ceiling)
        if _visible(settled, flashed, cues):
            first.stage, first.bump = flashed, True
            planned.append(_follow(first, settled, "the scene settles after the " + opening_bumps[0], cues.follow_wait, cues))
        previous = settled
    if opening is not None and opening.follow is not None:  # "They fight, and exeunt fighting. Retreat."
        after = look_of(opening.follow.layers, opening.follow.time, 0)
        if _visible(previous, after, cues):
            planned.append(_follow(first, after, "the stage it leaves", cues.show_follow_wait, cues))
            previous = after
    for point in inside:
        stage = look_of(point.layers, point.time, point.offset)
        bumped = _bumped(stage, point, rig, palette, accents, seed, cues, design.key_ceiling) if point.bumps else None
        if bumped is not None and not _visible(stage, bumped, cues):
            bumped = None  # thunder in a storm whose lightning already runs: no flash to see, none to come back from
        shown = bumped or stage
        kind = point.lead or _lead(point.cues, cues)
        if not _visible(previous, shown, cues) and kind == "time" and not moment_over:
            moment_over = True  # the dawn the fairies' night hid: the night's moment is over, the day's look comes
            stage = shown = look_of(point.layers, point.time, point.offset)
        if not _visible(previous, shown, cues):
            if kind not in ("restore", "narrow"):  # a moment the text calls for whose state changes nothing seen
                first.notes.append(f"not cued, its state looks like the one before: {_label(kind, point, cues)}")
            continue
        fade, delay = (0.0, 0.0) if bumped is not None else _fade(kind, point, cues)  # a flash is a snap
        honoured = list(dict.fromkeys([point.text, *point.merged]))
        cue = PlannedCue(point, point.offset, shown, fade, _label(kind, point, cues), honoured, kind=kind, lead_delay=delay)
        planned.append(cue)
        previous = shown
        if bumped is not None:
            flash = cues.kinds[point.bumps[0]].label.lower()  # type: ignore[index]
            planned.append(_follow(cue, stage, f"back from the {flash}", cues.follow_wait, cues))
            previous = stage
        if any(layer.kind in ("death", "swoon") for layer in point.layers):
            settled = tuple(_settled(layer) for layer in point.layers)
            after = look_of(settled, point.time, point.offset)
            if _visible(previous, after, cues):
                planned.append(_follow(cue, after, "the moment settles", cues.settle_wait, cues, cues.settle_fade))
                previous = after
        if point.follow is not None:
            after = look_of(point.follow.layers, point.follow.time, point.offset)
            if _visible(previous, after, cues):
                slow = "vanish" in point.follow.cues and cues.slow(point.text)  # "they heavily vanish"
                fade = cues.slow_blackout_fade if slow else None
                planned.append(_follow(cue, after, "the stage it leaves", cues.show_follow_wait, cues, fade))
                previous = after
    return planned


def _select(
    scene: Scene, seen: SceneReading, walk: SceneWalk, cues: CueDesign
) -> tuple[StagePoint | None, tuple[str, ...], list[StagePoint]]:
    """(the last point folded into the opening state, the bumps among them, the cues inside the scene)."""
    speeches = seen.speeches
    first_speech = speeches[0].offset if speeches else len(scene.text)
    last_speech = speeches[-1].offset if speeches else -1
    points = walk.points
    opens = [p.offset < first_speech or (p.offset == first_speech and not walk.opening_transit) for p in points]
    folded = [p for p, opening in zip(points, opens, strict=True) if opening]
    rest = [p for p, opening in zip(points, opens, strict=True) if not opening]
    # after the last speech starts only what is seen, what is spoken, and the time its words change need a GO
    rest = [
        p
        for p in rest
        if p.offset <= last_speech or p.kind == "line" or "time" in p.cues or any(c in SHOW_KINDS for c in p.cues)
    ]
    starts = [s.offset for s in speeches]
    kept: list[StagePoint] = []
    for index, point in enumerate(rest):
        next_speech = bisect.bisect_right(starts, point.offset)
        after = starts[next_speech] if next_speech < len(starts) else len(scene.text)
        following = rest[index + 1] if index + 1 < len(rest) else None
        if point.population_only and following is not None and following.offset <= after:
            continue  # a passing state: the next cue comes before anyone speaks
        kept.append(point)
    bumps = tuple(dict.fromkeys(b for p in folded for b in p.bumps))
    opening = folded[-1].layers if folded else walk.opening
    return (folded[-1] if folded else None), bumps, _merge_lines(scene, kept, cues.merge_lines, cues, opening)


def _merge_lines(
    scene: Scene, points: list[StagePoint], within: int, cues: CueDesign, opening: tuple[Layer, ...]
) -> list[StagePoint]:
    """Cues on one line, or within a few lines of each other, are one GO: at the first one, named by the strongest
    moment, to the later state, every moment kept (a closing cue is merged, never dropped). A time change on
    another line is never merged into a moment: it keeps its own long cue. A later point that takes
    back what the first one opened, and opens nothing (a death, then the victors' entrance), is its own cue."""
    merged: list[StagePoint] = []
    before: list[tuple[Layer, ...]] = []  # the layers before each merged point
    breaks = [m.start() for m in re.finditer("\n", scene.text)] if points else []
    line_of = {p.offset: bisect.bisect_left(breaks, p.offset) for p in points}
    previous = opening
    for point in points:
        held = merged[-1] if merged else None
        undoes = (  # it takes back what the first one opened, and is no stronger a moment (on one line, one GO)
            held is not None
            and line_of[point.offset] != line_of[held.offset]
            and bool(_keys(held.layers) - _keys(before[-1]) - _keys(point.layers))
            and (
                not _keys(point.layers) - _keys(held.layers)  # (a death, then the victors' entrance)
                or _strength(point.cues, cues) < _strength([*held.cues, *([held.lead] if held.lead else [])], cues)
            )  # (a storm, then one left alone: two moments; an attack, then the death it ends in: one)
        )
        near = held is not None and line_of[point.offset] - line_of[held.offset] <= within
        timed = held is not None and ("time" in point.cues) != ("time" in held.cues)
        apart = held is not None and line_of[point.offset] != line_of[held.offset]
        if near and timed and apart and held is not None and not (held.population_only or point.population_only):
            merged.append(point)  # a time change is never merged into a moment on another line: its own long cue
            before.append(previous)
        elif near and held is not None and held.population_only and not point.population_only:
            merged[-1] = dataclasses.replace(  # one GO, on the moment
                point, cues=[*held.cues, *point.cues], merged=(*held.merged, held.text, *point.merged)
            )
        elif near and held is not None and not undoes:
            merged[-1] = StagePoint(
                held.offset,
                held.kind,
                held.text,
                [*held.cues, *point.cues],
                point.layers,
                point.time,
                tuple(dict.fromkeys([*held.bumps, *point.bumps])),
                point.follow,  # the later state: what the first one would have left is past
                held.population_only and point.population_only,
                "time" if "time" in point.cues else  # one line, one GO: the time's long fade leads it
                _lead([*held.cues, *point.cues, *([held.lead] if held.lead else [])], cues),  # the strongest names it
                (*held.merged, point.text, *point.merged),
            )
        else:
            merged.append(point)
            before.append(previous)
        previous = tuple(_settled(layer) for layer in point.layers)  # a death has settled by the next point
    return merged


def _strength(kinds: list[CueKind], cues: CueDesign) -> int:
    return cues.kinds[_lead(kinds, cues)].priority if kinds else 0


def _keys(layers: tuple[Layer, ...]) -> set[tuple[str, str]]:
    return {(layer.kind, layer.key) for layer in layers}  # a death and its aftermath are not one state


def _visible(before: StageLook, after: StageLook, cues: CueDesign) -> bool:
    from .cue_states import visible

    return visible(before, after, cues.visible_change)


def _lead(kinds: list[CueKind], cues: CueDesign) -> CueKind:
    """The moment that names the cue: the strongest, a restore only when nothing else happened."""
    real = [k for k in kinds if k != "restore"] or kinds or ["restore"]
    return max(real, key=lambda k: cues.kinds[k].priority)


def _label(kind: CueKind, point: StagePoint, cues: CueDesign) -> str:
    sky = " (overcast)" if any(layer.kind == "overcast" for layer in point.layers) else ""
    text = point.text if kind != "time" else f"{point.time}{sky}: {point.text}"
    return f"{cues.kinds[kind].label}: {text}"[:60]


def _fade(kind: CueKind, point: StagePoint, cues: CueDesign) -> tuple[float, float]:
    """(fade, delay of the groups the cyc leads): a bump for a shot, a slow build for a dawn, a snap for a blackout."""
    if kind == "time" and point.time is not None:
        seconds = cues.time_fades.get(point.time, cues.kinds["time"].fade)
        return seconds, round(seconds * cues.time_others_delay_share, 1)
    if kind in ("blackout", "vanish") and cues.slow(point.text):
        return cues.slow_blackout_fade, 0.0
    return cues.kinds[kind].fade, 0.0


def _bumped(
    stage: StageLook,
    point: StagePoint,
    rig: Rig,
    palette: Palette,
    accents: Palettes,
    seed: int,
    cues: CueDesign,
    key_ceiling: float,
) -> StageLook:
    """A moment over the state: lightning or thunder flash the back light and cyc, a shot flashes, a mask
    coming off is a warm bump on the face."""
    look = stage.look.copy()
    if point.bumps == ("unmask",):
        shape = cues.shape("reveal")
        for gid, role in group_roles(rig).items():
            if role == "key":
                look.groups[gid].intensity = round(min(key_ceiling, look.groups[gid].intensity + (shape.key_lift or 0)), 3)
        pools = [*stage.pools, Pool(cues.pool_areas.get("unmask", "DC"), shape.pool or 0, palette.warm, "unmask")]
        return StageLook(look, pools, stage.area_share, assign_pools(pools, rig))
    if point.bumps == ("transform",):  # a transformation: the supernatural colour and a cold special, a moment
        supernatural(look, rig, accents)
        pools = [*stage.pools, Pool(cues.pool_areas.get("charm", "CS"), cues.shape("charm").pool or 0, palette.moon, "charm")]
        return StageLook(look, pools, stage.area_share, assign_pools(pools, rig))
    if "shot" in point.bumps and not {"lightning", "thunder"} & set(point.bumps):
        for gid, role in group_roles(rig).items():
            if role in ("side", "atmosphere"):
                look.groups[gid].effect = cues.effects["shot"]
    else:
        flash = "lightning" if "lightning" in point.bumps else "thunder"
        lightning(look, rig, accents, seed + point.offset, cues.flash_depth[flash])
    return StageLook(look, stage.pools, stage.area_share, stage.fixtures)


def _follow(cue: PlannedCue, stage: StageLook, why: str, wait: float, cues: CueDesign, fade: float | None = None) -> PlannedCue:
    fade = cues.follow_fade if fade is None else fade
    return PlannedCue(None, cue.offset, stage, fade, f"Follow: {why}"[:60], [], follow_of=cue, follow_wait=wait)


def _settled(layer: Layer) -> Layer:
    if layer.kind in ("death", "swoon"):
        return Layer("aftermath", layer.key, layer.subjects, layer.area, layer.kind)
    return layer
