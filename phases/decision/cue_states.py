"""The look of a cue inside a scene: the scene's base look with the states open at that moment (stage_events.py),
each applied once as a share of the base. So a cue is a target, not an increment: a second death is the same
contraction moved, not a darker one; closing a state returns the stage to what it was without it.

Specials are pools of light: a taper at CS, a ghost at USC and a body at DC can be up together, each on its own
special of the rig (by focus area, then a moving head, then any free one)."""

from dataclasses import dataclass, field

from phases.contracts import AreaLevel, Rig

from .cue_design import CueDesign
from .design_data import DesignSettings, Palette, Palettes
from .look import GroupState, Look
from .looks import battle, blackout, clamp, scale, storm, supernatural
from .rig_limits import fixed_colour
from .roles import group_roles
from .stage_events import Layer


@dataclass(frozen=True)
class Pool:
    area: str
    level: float
    colour: str
    source: str  # the state it lights: a taper, a ghost, a death


@dataclass(frozen=True)
class Lit:
    """One special fixture in a cue: its level, its colour (None: its gel) and where its pool is."""

    level: float
    colour: str | None = None
    area: str | None = None


DARK = Lit(0.0)
# The states that put the supernatural colour on the stage (a masque's side light is of it too).
SUPERNATURAL_STATES = ("apparition", "charm", "masque", "spectral", "presence")


@dataclass
class StageLook:
    look: Look
    pools: list[Pool] = field(default_factory=list)
    area_share: float | None = None  # an isolation: the key's other areas at this share of its level
    fixtures: dict[str, Lit] = field(default_factory=dict)  # each special fixture


def render(
    base: Look,
    layers: tuple[Layer, ...],
    rig: Rig,
    palette: Palette,
    accents: Palettes,
    design: DesignSettings,
    cues: CueDesign,
    seed: int,
    vigil: bool = False,
) -> StageLook:
    look = base.copy()
    roles = group_roles(rig)
    base_key = _key_of(base, roles)
    pools = _base_pools(look, roles)
    kinds = {layer.kind for layer in layers}
    if "blackout" in kinds:
        blackout(look)
        return StageLook(clamp(look, rig))
    shapes = cues.states
    area_share: float | None = None
    isolate: str | None = None
    if "storm" in kinds:
        scale(look, rig, shapes["storm"].key or 1.0, ("key",))
        storm(look, rig, accents, seed)
    if "battle" in kinds:
        battle(look, rig, palette)
    for kind in ("fog", "darken", "sleep", "glimmer", "spectral", "presence"):
        if kind in kinds:
            _shape(look, roles, shapes[kind], design)  # type: ignore[index]
    if kinds & {"spectral", "presence"}:  # "the lights burn blue", music under the stage
        supernatural(look, rig, accents)
    if "glimmer" in kinds:
        for gid, role in roles.items():
            if role == "atmosphere":
                look.groups[gid].effect = cues.effects["glimmer"]
    for kind in ("revel", "masque", "dance", "inner_play", "quicken"):
        if kind in kinds:
            accent = shapes[kind].side_accent  # type: ignore[index]
            _shape(look, roles, shapes[kind], design, accents.accents.get(accent, palette.warm) if accent else palette.warm)  # type: ignore[index]
            area_share = shapes[kind].key_area_share or area_share  # type: ignore[index]
            isolate = shapes[kind].area or isolate if shapes[kind].key_area_share else isolate  # type: ignore[index]
    for kind, area, colour in (
        ("narrow", "DC", None),
        ("news", "DC", None),
        ("swoon", cues.pool_areas.get("swoon", "DC"), palette.warm),
        ("alone", cues.pool_areas.get("alone", "DC"), palette.warm),
    ):
        if kind in kinds:
            layer = next(layer for layer in layers if layer.kind == kind)
            area = layer.area or area
            shape = shapes[kind]  # type: ignore[index]
            _shape(look, roles, shape, design)
            share = shape.key_area_share
            area_share = share if area_share is None or share is None else min(area_share, share)
            isolate = "DC"
            if shape.pool and colour:
                pools.append(Pool(area, shape.pool, colour, kind))
    for layer in layers:
        shape = shapes.get(layer.kind)  # type: ignore[call-overload]
        if layer.kind == "death":  # an absolute target: the base's share, never a share of a darkened stage
            _absolute(look, base, roles, shape, design)
            pools.append(Pool(layer.area or "DC", shape.pool, palette.cool, "death"))
        elif layer.kind == "aftermath":  # the body, or the one who fell, still lit
            _absolute(look, base, roles, shape, design)
            colour = palette.cool if layer.accent == "death" else palette.warm
            pools.append(Pool(layer.area or cues.pool_areas.get("swoon", "DC"), shape.pool, colour, "aftermath"))
        elif layer.kind in ("comic", "reveal", "unmask", "upper"):
            shape = shapes.get("reveal" if layer.kind == "unmask" else layer.kind)  # type: ignore[call-overload]
            if shape.key_lift:
                _shape(look, roles, shape, design)
            area = cues.pool_areas.get(layer.kind, "DC")
            pools.append(Pool(area, shape.pool, palette.warm, layer.kind))
        elif layer.kind == "charm":  # a charm laid: the supernatural colour and a cold special
            supernatural(look, rig, accents)
            pools.append(Pool(cues.pool_areas.get("charm", "USC"), shapes["charm"].pool, palette.moon, "charm"))
        elif layer.kind == "invisible":  # a spirit unseen by the others: its own special, not the world's colour
            pools.append(Pool(cues.pool_areas.get("invisible", "USC"), shapes["invisible"].pool, palette.moon, "invisible"))
        elif layer.kind == "quicken" and layer.accent != "open":  # the statue warms into life (then steps down)
            pools.append(Pool(cues.pool_areas.get("quicken", "DC"), shapes["quicken"].pool, palette.warm, "quicken"))
    figures = [layer for layer in layers if layer.kind == "figure"]
    for index in range(len(figures)):  # a masque's figures, each on its own special
        areas = cues.apparition_areas
        pools.append(Pool(areas[index % len(areas)], shapes["figure"].pool, palette.warm, "figure"))
    ghosts = [layer for layer in layers if layer.kind == "apparition"]
    lights = [layer for layer in layers if layer.kind in ("light_in", "fire")]
    if lights:
        shape = shapes["light_in"]
        dim = shape.ghost_dims_to if ghosts else 1.0
        for layer in lights:
            colour = accents.accents["fire"] if layer.accent == "fire" else palette.torch
            area = cues.pool_areas.get(layer.kind, "CS")
            level = shape.pool if vigil else min(shape.pool, shape.pool_key_share * max(base_key, shape.pool_min_key))
            if layer.accent == "glow":
                level *= shape.glow
            pools.append(Pool(area, round(level * dim, 3), colour, layer.kind))
            for gid, role in roles.items():
                if role == "side":
                    look.groups[gid].colour = colour
                    look.groups[gid].effect = cues.effects["flame"]
                elif role == "practical":
                    look.groups[gid].intensity = max(look.groups[gid].intensity, shape.pool)
                    look.groups[gid].effect = cues.effects["flame"]
    if ghosts:
        shape = shapes["apparition"]
        supernatural(look, rig, accents)
        scale(look, rig, shape.key, ("key",))
        level = round(max(shape.pool_min, min(1.0, shape.pool * base_key)), 3)
        areas = cues.apparition_areas
        for index in range(len(ghosts)):  # each apparition its own special, the newest the brightest
            held = shape.held is not None and index < len(ghosts) - 1
            pools.append(Pool(areas[index % len(areas)], level, palette.moon, "held" if held else "apparition"))
    shaped = bool(kinds - {"scene"})  # the base alone (a model's look too) keeps its own balance
    for gid, role in roles.items():
        if role == "key" and shaped:
            state = look.groups[gid]
            state.intensity = round(min(state.intensity, design.key_ceiling), 3)
            if 0 < state.intensity < design.key_floor:
                state.intensity = design.key_floor
            state.isolate = isolate or state.isolate
    key = _key_of(look, roles)
    if shaped and not kinds & {"storm", "alone", "death", "swoon"} and not vigil:  # faces first: the rest below the key
        cap = design.role_cap * key
        for gid, state in look.groups.items():
            if roles.get(gid) != "key" and state.intensity > cap:
                state.intensity = round(cap, 3)
    if not vigil and "storm" not in kinds:  # a special sits at the level of the key, not above it
        ceiling = (max(key, design.key_floor) if key > 0 else 0.0) * cues.pool_over_key  # a black stage stays black
        pools = [
            p if p.source == "base" else Pool(p.area, round(min(p.level, ceiling), 3), p.colour, p.source)
            for p in pools
        ]  # (the base's own specials, a spot the script asks for by name, stay as they are)
    held = shapes["apparition"].held or 1.0
    pools = [Pool(p.area, round(p.level * held, 3), p.colour, p.source) if p.source == "held" else p for p in pools]
    stage = StageLook(clamp(look, rig), _merged(pools), area_share)
    stage.fixtures = assign_pools(stage.pools, rig)
    return stage


def _key_of(look: Look, roles: dict[str, str]) -> float:
    return max((s.intensity for g, s in look.groups.items() if roles.get(g) == "key"), default=0.0)


def _absolute(look: Look, base: Look, roles: dict[str, str], shape: object, design: DesignSettings) -> None:
    """A state whose levels are shares of the base (a death): the stage goes to them, or stays where another
    state has already taken it lower (a death in the dark is not darker than the dark)."""
    target = base.copy()
    _shape(target, roles, shape, design)
    for gid, state in look.groups.items():
        if gid in target.groups:
            state.intensity = min(state.intensity, target.groups[gid].intensity)


def _shape(look: Look, roles: dict[str, str], shape: object, design: DesignSettings, warm: str | None = None) -> None:
    """A state's shares and lifts on the look: the key, the surround (back, side, cyc), side light for a dance."""
    key_share = getattr(shape, "key", None)
    key_lift = getattr(shape, "key_lift", None)
    surround = getattr(shape, "surround", None)
    side_share = getattr(shape, "side_share", None)
    atmosphere = getattr(shape, "atmosphere", None)
    atmosphere_lift = getattr(shape, "atmosphere_lift", None)
    back = getattr(shape, "back", None)
    key = max((s.intensity for g, s in look.groups.items() if roles.get(g) == "key"), default=0.0)
    for gid, state in look.groups.items():
        role = roles.get(gid)
        level = state.intensity
        if role == "key":
            if key_share is not None:
                level *= key_share
            if key_lift:
                level = min(design.key_ceiling, level + key_lift)
            if key_share is not None and level < design.dark_floor <= state.intensity:
                level = design.dark_floor  # darker, not black: faces still read
        elif role in ("back", "side", "atmosphere"):
            if surround is not None:
                level *= surround
            if role == "back" and back is not None:
                level *= back
            if role == "atmosphere" and atmosphere is not None:
                level *= atmosphere
            if role == "atmosphere" and atmosphere_lift:
                level = min(1.0, level + atmosphere_lift)
            if role == "side" and side_share is not None:
                level = max(level, side_share * key)
                if warm:
                    state.colour = warm
        state.intensity = round(max(0.0, level), 3)


def _base_pools(look: Look, roles: dict[str, str]) -> list[Pool]:
    """The base look's specials (a vigil's taper) become pools; the specials' group levels come from pools."""
    pools = []
    for gid, state in look.groups.items():
        if roles.get(gid) == "special":
            if state.intensity > 0.02:
                pools.append(Pool(state.focus_area or "CS", state.intensity, state.colour, "base"))
            state.intensity, state.focus_area = 0.0, None
    return pools


def _merged(pools: list[Pool]) -> list[Pool]:
    """One pool per area: the later state's (a taper carried in takes over the vigil's own taper pool)."""
    return list({pool.area: pool for pool in pools}.values())


def assign_pools(pools: list[Pool], rig: Rig) -> dict[str, Lit]:
    """Each special fixture's level and colour: a pool takes the special focused on its area, else a moving head,
    else any free special; with more pools than specials, the nearest lit one carries the brighter."""
    roles = group_roles(rig)
    fixtures = [f for g in rig.groups if roles.get(g.group_id) == "special" for f in rig.fixtures_in(g.group_id)]
    result: dict[str, Lit] = {f.fixture_id: DARK for f in fixtures}
    free = list(fixtures)
    for pool in sorted(pools, key=lambda p: -p.level):
        if pool.level <= 0:
            continue
        choice = (
            next((f for f in free if f.focus_area == pool.area), None)
            or next((f for f in free if "pan_tilt" in f.capabilities), None)
            or next((f for f in free if "color" in f.capabilities), None)
            or (free[0] if free else None)
        )
        if choice is None:
            shared = next((f for f in fixtures if f.focus_area == pool.area), fixtures[0] if fixtures else None)
            if shared is not None:
                held = result[shared.fixture_id]
                result[shared.fixture_id] = Lit(max(held.level, pool.level), held.colour, held.area)
            continue
        free.remove(choice)
        colour = pool.colour if "color" in choice.capabilities else None
        level = round(min(pool.level, choice.constraints.max_intensity), 3)
        result[choice.fixture_id] = Lit(level, colour, pool.area)
    return result


def visible(before: StageLook, after: StageLook, threshold: float) -> bool:
    """Does the audience see the change: a group moving by the threshold, a colour, an effect or a focus."""
    for gid, state in after.look.groups.items():
        old = before.look.groups.get(gid)
        if old is None:
            return True
        if abs(state.intensity - old.intensity) >= threshold:
            return True
        lit = max(state.intensity, old.intensity) > 0.02
        if lit and state.colour != old.colour:
            return True
        if lit and (state.effect is None) != (old.effect is None):
            return True
        if lit and state.effect is not None and old.effect is not None and state.effect.type != old.effect.type:
            return True
        if state.intensity > 0.02 and state.isolate != old.isolate:
            return True
    if (before.area_share is None) != (after.area_share is None):
        return True
    if before.area_share is not None and after.area_share is not None:
        if abs(before.area_share - after.area_share) * _key(after) >= threshold:
            return True
    for fid, lit in after.fixtures.items():
        old = before.fixtures.get(fid, DARK)
        if abs(lit.level - old.level) >= threshold:
            return True
        if lit.level > 0.02 and old.level > 0.02 and lit.colour != old.colour:
            return True
    return False


def _key(stage: StageLook) -> float:
    return max((s.intensity for s in stage.look.groups.values() if s.isolate is not None), default=1.0)


def special_levels(stage: StageLook, gid: str, rig: Rig, colour: str) -> tuple[float, str, str | None, list[AreaLevel]]:
    """A specials group from its pools: (level, colour, focus, each fixture's own level). The group's level and
    focus are its brightest pool's; every fixture gets its own level, so an unused special stays dark."""
    members = rig.fixtures_in(gid)
    levels = [(f, stage.fixtures.get(f.fixture_id, DARK)) for f in members]
    lit = [(f, one) for f, one in levels if one.level > 0]
    if not lit:
        return 0.0, colour, None, []
    brightest = max(lit, key=lambda item: item[1].level)[1]
    group_colour = fixed_colour(rig, gid) or brightest.colour or colour
    overrides = [
        AreaLevel(
            fixture_id=f.fixture_id,
            intensity=round(one.level, 3),
            color=one.colour if one.colour and one.colour != group_colour else None,
        )
        for f, one in levels
    ]
    return brightest.level, group_colour, brightest.area, overrides


def isolation_levels(state: GroupState, gid: str, rig: Rig, share: float) -> list[AreaLevel]:
    """An isolation's other areas of the key group, at `share` of its level."""
    areas = sorted({f.focus_area for f in rig.fixtures_in(gid) if f.focus_area and f.focus_area != state.isolate})
    return [AreaLevel(area=a, intensity=round(state.intensity * share, 3)) for a in areas]
