"""The script's own moments that set a scene's opening state (a heading's "Thunder and Lightning", a direction
the text does not place): the state each one goes to from the base. Cues inside the scene are planned in
scene_cues.py."""

import re
from dataclasses import dataclass

from phases.contracts import Effect, Rig

from .design_data import CueKind, DesignSettings, Palette, Palettes
from .look import Look
from .looks import (
    battle,
    blackout,
    clamp,
    isolate,
    key_of,
    key_on_top,
    lift,
    lightning,
    practical,
    scale,
    storm,
    supernatural,
)
from .roles import group_roles
from .scene_reading import SceneReading

_MOMENT_ORDER: tuple[CueKind, ...] = ("blackout", "storm", "death", "ghost", "shot", "battle", "practical", "reveal")


@dataclass
class CuePoint:
    offset: int
    kind: str  # the CueTrigger kind: direction or line
    text: str
    moments: list[tuple[CueKind, float]]
    priority: int


def covered(moment: CueKind, seen: SceneReading) -> bool:
    """A moment the scene's own state already plays: the storm scene's thunder, the vigil's taper."""
    return (
        (seen.moment == "storm" and moment in ("storm", "lightning"))
        or (seen.moment == "vigil" and moment == "practical")
        or (seen.moment == "battle" and moment == "battle")
        or (seen.moment in ("storm", "vigil") and moment in ("entrance", "music", "bright"))
    )


def apply_point(
    look: Look,
    point: CuePoint,
    rig: Rig,
    palette: Palette,
    accents: Palettes,
    design: DesignSettings,
    seed: int,
    seen_vigil: bool = False,
) -> Look:
    """The state a cue goes to, from the state before it."""
    state = look.copy()
    words = point.text
    accent = next((name for name, pattern in design.accent_words.items() if re.search(pattern, words, re.IGNORECASE)), None)
    for moment, depth in sorted(point.moments, key=lambda md: _rank(md[0])):
        if moment == "blackout":
            blackout(state)
            return state
        if moment == "storm":
            scale(state, rig, 0.8, ("key",))
            storm(state, rig, accents, seed)
        elif moment == "lightning":
            lightning(state, rig, accents, seed, depth)
        elif moment == "shot":
            for gid, role in group_roles(rig).items():
                if role in ("side", "atmosphere"):
                    state.groups[gid].effect = Effect(type="flash", rate_hz=4.0, depth=1.0, duration=0.5)
        elif moment == "battle":
            battle(state, rig, palette)
        elif moment == "practical":
            fire = accents.accents["fire"] if accent == "fire" else None
            practical(state, rig, palette, design, fire=fire, vigil=seen_vigil)
        elif moment == "death":
            scale(state, rig, 0.7, ("key", "back", "side", "atmosphere"))
            isolate(state, rig, "DC", design, colour=palette.cool)
        elif moment == "ghost":
            supernatural(state, rig, accents)
            scale(state, rig, 0.8, ("key",))
            for gid, role in group_roles(rig).items():
                if role == "special":
                    state.groups[gid].intensity = max(state.groups[gid].intensity, round(0.9 * key_of(state, rig), 3))
                    state.groups[gid].colour = palette.moon
                    state.groups[gid].focus_area = "USC"
        elif moment == "tighten":
            scale(state, rig, 0.8, ("atmosphere", "side"))
        elif moment == "reveal":
            lift(state, rig, 0.05, ("key",))
            for gid, role in group_roles(rig).items():
                if role == "special":
                    state.groups[gid].intensity = max(state.groups[gid].intensity, 0.8)
                    state.groups[gid].colour = palette.warm
                    state.groups[gid].focus_area = state.groups[gid].focus_area or "USC"
        elif moment == "dark":
            before = key_of(state, rig)
            scale(state, rig, 0.6, ("key", "back", "side", "atmosphere"))
            if key_of(state, rig) < min(before, design.dark_floor):  # sleep after sleep: dark, not black
                lift(state, rig, min(before, design.dark_floor) - key_of(state, rig), ("key",))
        elif moment == "bright":
            lift(state, rig, 0.15, ("key", "back", "atmosphere"))
        elif moment == "music":
            lift(state, rig, 0.06, ("key",))
            lift(state, rig, 0.1, ("atmosphere", "side"))
        elif moment == "entrance":
            lift(state, rig, 0.08, ("key", "back"))
            lift(state, rig, 0.1, ("atmosphere",))
    if accent in ("blood", "poison") and any(m in ("death", "battle", "ghost") for m, _ in point.moments):
        for gid, role in group_roles(rig).items():
            if role == "side":
                state.groups[gid].colour = accents.accents[accent]  # type: ignore[index]
    moments = {m for m, _ in point.moments}
    if not seen_vigil and not moments & {"storm", "lightning", "death", "shot"}:
        key_on_top(state, rig, design)
    key = key_of(state, rig)
    if 0 < key < design.key_floor:
        lift(state, rig, design.key_floor - key, ("key",))
    return clamp(state, rig)


def _rank(moment: CueKind) -> int:
    return _MOMENT_ORDER.index(moment) if moment in _MOMENT_ORDER else len(_MOMENT_ORDER)


