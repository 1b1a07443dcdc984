"""The level model: a scene's base look, from its strongest evidence, with the front wash as the key."""

from phases.contracts import AreaLevel, Effect, Rig, Scene, SceneKnowledge

from .design_data import DesignSettings, Palette, Palettes
from .look import GroupState, Look
from .look_data import look_data
from .rig_limits import fixed_colour, group_ceiling
from .roles import group_roles
from .scene_reading import SceneReading


def production_genre(knowledge: SceneKnowledge) -> str | None:
    """The production's genre, when Phase 3 was told one (its genre rule is matched as 'production genre')."""
    for scored in knowledge.rules:
        if scored.rule.context_type == "genre" and any("production genre" in m for m in scored.matched_on):
            return scored.rule.context_value
    return None


def look_genre(knowledge: SceneKnowledge, scene: Scene) -> str | None:
    """The genre that shades the looks: the production's when it names one, else the one Phase 1 read."""
    return production_genre(knowledge) or scene.genre


def key_level(scene: Scene, seen: SceneReading, genre: str | None, design: DesignSettings, why: list[str]) -> float:
    """The chosen look's key, a little lower at midnight, shaded by the genre and a clear emotion."""
    data = look_data()
    level = data.looks[seen.look].key
    why.append(f"key {level:.2f}: {_described(seen)}")
    if seen.time_of_day in data.time_key_offset:
        level += data.time_key_offset[seen.time_of_day]  # type: ignore[index]
        why.append(f"{seen.time_of_day}: key {data.time_key_offset[seen.time_of_day]:+.2f}")  # type: ignore[index]
    shade = data.genre_shade.get(genre or "")
    if shade is not None and shade.key:
        level += shade.key
        why.append(f"{genre}: key {shade.key:+.2f}")
    emotion = scene.emotion
    if emotion is not None and emotion.primary_confidence >= design.emotion_min_confidence:
        shift = design.emotion_offset_per_valence * emotion.valence
        level += shift
        why.append(f"a clear {emotion.primary} ({emotion.primary_confidence:.2f}) moves the key {shift:+.2f}")
    return round(max(design.key_floor, min(design.key_ceiling, level)), 3)


def _described(seen: SceneReading) -> str:
    parts = [seen.look.replace("_", " ")]
    if seen.time_of_day and seen.time_of_day not in seen.look:
        parts.append(f"at {seen.time_of_day}")
    if seen.overcast and "overcast" not in seen.look:
        parts.append("under an overcast sky")
    if seen.setting and seen.setting not in seen.look:
        parts.append(seen.setting)
    return ", ".join(parts)


def base_look(
    scene: Scene, seen: SceneReading, rig: Rig, palette: Palette, accents: Palettes, genre: str | None, design: DesignSettings
) -> tuple[Look, list[str]]:
    """The scene's opening state from the look its function, time and place choose (data/looks.yaml)."""
    recipe = look_data().looks[seen.look]
    shade = look_data().genre_shade.get(genre or "")
    why: list[str] = [f"palette {palette.name}"]
    key = key_level(scene, seen, genre, design, why)
    colours = {role: getattr(palette, slot) for role, slot in recipe.colours.items()}
    look = Look(groups={})
    for gid, role in group_roles(rig).items():
        share = 1.0 if role == "key" else recipe.shares.get(role, 0.0)  # type: ignore[call-overload]
        if role != "key":
            if shade is not None:
                share += shade.shares.get(role, 0.0)  # type: ignore[call-overload]
            share = max(0.0, min(share, design.role_cap))
        state = GroupState(intensity=round(key * share, 3), colour=colours.get(role, palette.warm))
        if role in recipe.flicker:
            state.effect = Effect(type="flicker", rate_hz=6.0, depth=0.2)
        if role == "key":
            state.pair = (getattr(palette, recipe.pair.slot), recipe.pair.share, recipe.pair.slot)
        look.groups[gid] = state
    why += scene_moment(look, seen, rig, palette, accents, design, scene.scene_id)
    if seen.moment not in ("storm", "vigil"):  # a storm's back light and a vigil's taper may outshine the faces
        key_on_top(look, rig, design)
    why.append(f"{recipe.light} light: key {colours['key']}, back {colours['back']}, cyc {colours['atmosphere']}")
    return clamp(look, rig), why


def scene_moment(
    look: Look, seen: SceneReading, rig: Rig, palette: Palette, accents: Palettes, design: DesignSettings, scene_id: str
) -> list[str]:
    """What the scene's moment does to a look, whoever proposed it: the storm plays whatever the base."""
    why: list[str] = []
    if seen.moment == "storm":
        storm(look, rig, accents, seed=_seed(scene_id, 0))
        why.append("storm: a state for the whole scene, irregular lightning on back light and cyc")
    elif seen.moment == "supernatural":
        supernatural(look, rig, accents)
        why.append("the supernatural: its accent on back light and cyc")
    elif seen.moment == "vigil":
        practical(look, rig, palette, design, vigil=True)
        why.append("a vigil: near dark, one carried light")
    elif seen.moment == "battle":
        battle(look, rig, palette)
        why.append("battle: hot side light, smoky cyc")
    elif seen.moment == "cave":
        why.append("an enclosed dark place")
    return why


def _seed(scene_id: str, offset: int) -> int:
    return int(scene_id.split("_")[-1]) * 100003 + offset


def _role_groups(look: Look, rig: Rig, role: str) -> list[GroupState]:
    roles = group_roles(rig)
    return [state for gid, state in look.groups.items() if roles.get(gid) == role]


def key_of(look: Look, rig: Rig) -> float:
    return max((s.intensity for s in _role_groups(look, rig, "key")), default=0.0)


def storm(look: Look, rig: Rig, accents: Palettes, seed: int) -> None:
    key = key_of(look, rig)
    for role in ("back", "atmosphere"):
        for state in _role_groups(look, rig, role):
            state.intensity = max(state.intensity, min(0.9 * key + 0.1, 0.6))
            state.effect = Effect(type="lightning", rate_hz=0.15, seed=seed, depth=1.0, duration=None)
            if role == "back" and state.colour != accents.accents["supernatural"]:
                state.colour = accents.accents["lightning"]  # a supernatural scene keeps its own colour between flashes


def lightning(look: Look, rig: Rig, accents: Palettes, seed: int, depth: float) -> None:
    for role in ("back", "atmosphere"):
        for state in _role_groups(look, rig, role):
            state.intensity = max(state.intensity, 0.3)
            state.effect = Effect(type="lightning", rate_hz=0.8, seed=seed, depth=depth, duration=None)
            if role == "back" and state.colour != accents.accents["supernatural"]:
                state.colour = accents.accents["lightning"]  # a supernatural scene keeps its own colour between flashes


def supernatural(look: Look, rig: Rig, accents: Palettes) -> None:
    for role in ("back", "atmosphere"):
        for state in _role_groups(look, rig, role):
            state.colour = accents.accents["supernatural"]


def practical(
    look: Look, rig: Rig, palette: Palette, design: DesignSettings, fire: str | None = None, vigil: bool = False
) -> None:
    """A carried light: a warm special (below the key, faces first, except in a vigil lit by it alone)."""
    level = design.practical_special if vigil else min(design.practical_special, 0.9 * key_of(look, rig))
    for state in _role_groups(look, rig, "special"):
        state.intensity = max(state.intensity, level)
        state.colour = fire or palette.torch
        state.focus_area = state.focus_area or "CS"
    for state in _role_groups(look, rig, "practical"):
        state.intensity = max(state.intensity, design.practical_special)
        state.effect = Effect(type="flicker", rate_hz=6.0, depth=0.2)
    for state in _role_groups(look, rig, "side"):
        state.colour = fire or palette.torch
        state.effect = Effect(type="flicker", rate_hz=6.0, depth=0.2)


def battle(look: Look, rig: Rig, palette: Palette) -> None:
    key = key_of(look, rig)
    for state in _role_groups(look, rig, "side"):
        state.intensity = max(state.intensity, 0.9 * key)
        state.colour = palette.torch
    for state in _role_groups(look, rig, "atmosphere"):
        state.colour = palette.moon


def scale(look: Look, rig: Rig, factor: float, roles: tuple[str, ...] | None = None) -> None:
    group_role = group_roles(rig)
    for gid, state in look.groups.items():
        if roles is None or group_role.get(gid) in roles:
            state.intensity = round(state.intensity * factor, 3)


def lift(look: Look, rig: Rig, amount: float, roles: tuple[str, ...]) -> None:
    group_role = group_roles(rig)
    for gid, state in look.groups.items():
        if group_role.get(gid) in roles:
            state.intensity = round(min(1.0, state.intensity + amount), 3)


def isolate(look: Look, rig: Rig, area: str, design: DesignSettings, colour: str | None = None) -> None:
    """One area held, the rest of the stage falls away: a special on it, the front's other areas low."""
    for gid, state in look.groups.items():
        role = group_roles(rig)[gid]
        if role == "key":
            state.isolate = area
        elif role == "special":
            if state.intensity <= 0.02:  # a special already lit by a torch or taper keeps its warm source
                state.colour = colour or state.colour
            state.intensity = design.isolation_special
            state.focus_area = area
        elif role in ("back", "side", "atmosphere"):
            state.intensity = round(state.intensity * 0.5, 3)


def blackout(look: Look) -> None:
    for state in look.groups.values():
        state.intensity, state.effect, state.isolate, state.pair = 0.0, None, None, None


def key_on_top(look: Look, rig: Rig, design: DesignSettings) -> None:
    """Faces first: every other role sits below the key (a silhouette or an isolation is asked for by name)."""
    key = key_of(look, rig)
    roles = group_roles(rig)
    for gid, state in look.groups.items():
        if roles.get(gid) != "key":
            state.intensity = round(min(state.intensity, design.role_cap * key), 3)


def clamp(look: Look, rig: Rig) -> Look:
    for gid, state in look.groups.items():
        state.intensity = round(max(0.0, min(group_ceiling(rig, gid), state.intensity)), 3)
        state.colour = fixed_colour(rig, gid) or state.colour
    return look


def overrides(state: GroupState, gid: str, rig: Rig, design: DesignSettings) -> list[AreaLevel]:
    """Per-fixture and per-area levels: the other half of each McCandless pair, then an isolation."""
    if state.intensity <= 0 or (state.pair is None and not state.isolate):
        return []
    result: list[AreaLevel] = []
    fixtures = rig.fixtures_in(gid)
    if state.pair is not None:
        colour, share, token = state.pair
        for fixture in fixtures:
            if token in fixture.fixture_id.lower().split("_") and "color" in fixture.capabilities:
                level = round(state.intensity * share, 3)
                result.append(AreaLevel(fixture_id=fixture.fixture_id, intensity=level, color=colour))
    if state.isolate:
        areas = sorted({f.focus_area for f in fixtures if f.focus_area and f.focus_area != state.isolate})
        level = round(state.intensity * design.isolation_area_share, 3)
        result += [AreaLevel(area=a, intensity=level) for a in areas]
    return result
