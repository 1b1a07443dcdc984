"""The cues inside a scene: where its text calls for them (stage directions, a character left alone, the
scene's emotion beats), how many it can carry, and the state each one goes to."""

import re
from dataclasses import dataclass, field

from phases.contracts import Effect, Rig, Scene

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
from .scene_reading import Direction, SceneReading, final_exit, moments_of

_SINGLE_ENTRANCE = re.compile(r"^(?:re-?)?enter\s+([A-Z][\w'’]*(?:\s+[A-Z][\w'’]*)?)[.,]?$", re.IGNORECASE)
_MOMENT_ORDER: tuple[CueKind, ...] = ("blackout", "storm", "death", "ghost", "shot", "battle", "practical", "reveal")


@dataclass
class CuePoint:
    offset: int
    kind: str  # the CueTrigger kind: direction, line or beat
    text: str
    moments: list[tuple[CueKind, float]]
    priority: int
    bump: bool = False
    opens: bool = False  # a ghost or a soliloquy: a later vanish or entrance takes it back
    closes: bool = False
    valence: float = 0.0
    follow: bool = False


@dataclass
class PlannedCue:
    point: CuePoint | None  # None: the scene's opening state
    offset: int
    look: Look
    fade: float
    label: str
    honoured: list[str] = field(default_factory=list)
    follow_of: "PlannedCue | None" = None
    scene_change: bool = False  # the scene's final Exeunt: the stage clears to a change state


def _candidates(scene: Scene, seen: SceneReading, design: DesignSettings, rules: tuple) -> list[CuePoint]:  # type: ignore[type-arg]
    cues = design.moment_cues
    points: list[CuePoint] = []
    for direction in seen.directions:
        moments = [(m, d) for m, d in moments_of(direction, rules) if not covered(m, seen)]
        if not moments:
            continue
        lead = max(moments, key=lambda md: cues[md[0]].priority)[0]
        points.append(
            CuePoint(
                offset=direction.offset,
                kind="direction",
                text=direction.text,
                moments=moments,
                priority=cues[lead].priority,
                bump=any(cues[m].fade == 0 for m, _ in moments),
                opens=lead == "ghost",
                closes=lead == "vanish",
                follow=any(cues[m].follow for m, _ in moments),
            )
        )
    alone = _soliloquies(scene, seen, design)
    points += alone
    points += _speeches(scene, seen, design, {p.offset for p in alone})
    for previous, beat in zip(scene.beats, scene.beats[1:], strict=False):
        emotion = beat.emotion
        if emotion.primary != previous.emotion.primary and emotion.primary_confidence >= design.beat_min_confidence:
            text = " ".join(scene.text[beat.start_char : beat.start_char + 80].split()) or emotion.primary
            points.append(
                CuePoint(beat.start_char, "beat", text, [("beat", 1.0)], cues["beat"].priority, valence=emotion.valence)
            )
    return sorted(points, key=lambda p: p.offset)


def covered(moment: CueKind, seen: SceneReading) -> bool:
    """A moment the scene's own state already plays: the storm scene's thunder, the vigil's taper."""
    return (
        (seen.moment == "storm" and moment in ("storm", "lightning"))
        or (seen.moment == "vigil" and moment == "practical")
        or (seen.moment == "battle" and moment == "battle")
        or (seen.moment in ("storm", "vigil") and moment in ("entrance", "music", "bright"))
    )


def _soliloquies(scene: Scene, seen: SceneReading, design: DesignSettings) -> list[CuePoint]:
    """A character left alone to speak: after an exit (or at a lone entrance), one speaker only until the next
    entrance, for long enough to be a speech. Worked out from Exit/Exeunt and entrances, nothing else."""
    points: list[CuePoint] = []
    directions, speeches = seen.directions, seen.speeches
    if not speeches:
        return points
    starts: list[tuple[Direction, bool]] = [(d, False) for d in directions if d.is_exit]
    if directions and _SINGLE_ENTRANCE.match(directions[0].text) and directions[0].offset <= speeches[0].offset:
        starts.append((directions[0], True))
    for start, lone_entrance in starts:
        after = [d for d in directions if d.offset > start.offset]
        nxt = next((d for d in after if d.is_enter), None)
        until = nxt.offset if nxt else len(scene.text)
        spoken = [s for s in speeches if start.end <= s.offset < until]
        if not spoken or len({s.speaker for s in spoken}) != 1 or until - spoken[0].offset < design.soliloquy_min_chars:
            continue
        if not lone_entrance and not _emptied(start, speeches, spoken[0].speaker):
            continue
        first_line = scene.text[spoken[0].offset : spoken[0].offset + 120].split("\n")
        line = " ".join(" ".join(first_line[1:3]).split()) or spoken[0].speaker
        points.append(
            CuePoint(
                spoken[0].offset,
                "line",
                f"{spoken[0].speaker}: {line}",
                [("soliloquy", 1.0)],
                design.moment_cues["soliloquy"].priority,
                opens=True,
            )
        )
        if nxt is not None:
            points.append(
                CuePoint(
                    nxt.offset, "direction", nxt.text, [("restore", 1.0)], design.moment_cues["restore"].priority, closes=True
                )
            )
    return points


def _speeches(scene: Scene, seen: SceneReading, design: DesignSettings, taken: set[int]) -> list[CuePoint]:
    """A long speech with others on stage: the light leans gently towards the speaker, then back."""
    points: list[CuePoint] = []
    marks = sorted([s.offset for s in seen.speeches] + [d.offset for d in seen.directions] + [len(scene.text)])
    for speech in seen.speeches:
        if speech.offset in taken:
            continue
        end = next(m for m in marks if m > speech.offset)
        if end - speech.offset < design.speech_min_chars:
            continue
        lines = scene.text[speech.offset : speech.offset + 160].split("\n")
        line = " ".join(" ".join(lines[1:3]).split()) or speech.speaker
        priority = design.moment_cues["speech"].priority
        points.append(CuePoint(speech.offset, "line", f"{speech.speaker}: {line}", [("speech", 1.0)], priority, opens=True))
        after = scene.text[end : end + 160].split("\n")
        text = " ".join(after[0:2]).strip(" .[]") or "the speech ends"
        points.append(
            CuePoint(end, "line" if end < len(scene.text) else "direction", text, [("restore", 1.0)], priority, closes=True)
        )
    return points


def _emptied(exit_direction: Direction, speeches: list, speaker: str) -> bool:  # type: ignore[type-arg]
    """The exit leaves the speaker behind: someone else spoke before it (so the stage had company)."""
    before = [s for s in speeches if s.offset < exit_direction.offset]
    return any(s.speaker != speaker for s in before[-6:])


def _time(scene: Scene, offset: int) -> float:
    share = offset / max(len(scene.text), 1)
    return scene.time_window.start + scene.time_window.duration * share


def select(scene: Scene, seen: SceneReading, design: DesignSettings, rules: tuple) -> tuple[list[CuePoint], list[CuePoint]]:  # type: ignore[type-arg]
    """(opening points folded into the scene's first state, cues inside the scene) within its allowance."""
    points = _candidates(scene, seen, design, rules)
    first_speech = seen.speeches[0].offset if seen.speeches else 0
    opening = [p for p in points if p.offset <= first_speech and not p.closes and p.kind != "beat" and not p.follow]
    rest = [p for p in points if p not in opening]
    seconds = scene.time_window.duration
    allowance = min(design.max_cues_inside_scene, int(seconds // design.seconds_per_cue))
    if seconds >= design.min_gap_seconds:
        allowance = max(allowance, 1)  # a short scene still takes the one moment its text insists on
    chosen: list[CuePoint] = []
    times: list[float] = [scene.time_window.start]
    for point in sorted((p for p in rest if not p.closes), key=lambda p: (-p.priority, p.offset)):
        if len(chosen) >= allowance:
            break
        when = _time(scene, point.offset)
        if not point.bump and any(abs(when - t) < design.min_gap_seconds for t in times):
            continue
        chosen.append(point)
        times.append(when)
    chosen.sort(key=lambda p: p.offset)
    # a vanish or an entrance takes back what an accepted ghost or soliloquy opened, and nothing else
    closers = [p for p in rest if p.closes]
    for opener in [p for p in chosen if p.opens]:
        closer = next((c for c in closers if c.offset > opener.offset), None)
        later = [p for p in chosen if p.offset > opener.offset]
        if closer and (not later or closer.offset < later[0].offset) and closer not in chosen:
            chosen.append(closer)
    return opening, sorted(chosen, key=lambda p: p.offset)


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
        elif moment == "soliloquy":
            isolate(state, rig, "DC", design, colour=palette.warm)
        elif moment == "speech":
            for gid, role in group_roles(rig).items():
                if role in ("back", "side", "atmosphere"):
                    state.groups[gid].intensity = round(state.groups[gid].intensity * 0.85, 3)
                elif role == "special":
                    if state.groups[gid].intensity <= 0.02:  # a lit torch or taper keeps its colour
                        state.groups[gid].colour = palette.warm
                    state.groups[gid].intensity = max(state.groups[gid].intensity, 0.35)
                    state.groups[gid].focus_area = "DC"
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
        elif moment == "beat":
            lift(state, rig, round(0.06 * point.valence, 3), ("key", "side"))
    if accent in ("blood", "poison") and any(m in ("death", "battle", "ghost") for m, _ in point.moments):
        for gid, role in group_roles(rig).items():
            if role == "side":
                state.groups[gid].colour = accents.accents[accent]  # type: ignore[index]
    moments = {m for m, _ in point.moments}
    if not seen_vigil and not moments & {"storm", "lightning", "soliloquy", "death", "shot"}:
        key_on_top(state, rig, design)
    key = key_of(state, rig)
    if 0 < key < design.key_floor:
        lift(state, rig, design.key_floor - key, ("key",))
    return clamp(state, rig)


def _rank(moment: CueKind) -> int:
    return _MOMENT_ORDER.index(moment) if moment in _MOMENT_ORDER else len(_MOMENT_ORDER)


def plan_scene(
    scene: Scene,
    seen: SceneReading,
    base: Look,
    rig: Rig,
    palette: Palette,
    accents: Palettes,
    design: DesignSettings,
    rules: tuple,  # type: ignore[type-arg]
) -> list[PlannedCue]:
    chosen = seen.selections.get(id(design))
    if chosen is None:  # the points depend only on the scene's words and the design data: found once
        chosen = seen.selections[id(design)] = select(scene, seen, design, rules)
    opening, inside = chosen  # type: ignore[misc]
    seed = int(scene.scene_id.split("_")[-1]) * 100003
    first = base
    honoured = []
    for point in opening:
        if any(m == "blackout" for m, _ in point.moments):
            continue
        first = apply_point(first, point, rig, palette, accents, design, seed + point.offset, seen.moment == "vigil")
        honoured.append(point.text)
    planned = [PlannedCue(None, 0, first, 0.0, "", honoured)]
    stack: list[Look] = []
    current = first
    for point in inside:
        if point.closes:
            current = stack.pop() if stack else first
            look = current.copy()
        else:
            if point.opens:
                stack.append(current)
            look = apply_point(current, point, rig, palette, accents, design, seed + point.offset, seen.moment == "vigil")
        cue_design = design.moment_cues[max(point.moments, key=lambda md: design.moment_cues[md[0]].priority)[0]]
        fade = 0.0 if point.bump else cue_design.fade  # a bump in the direction (the thunder) wins
        if fade == 0 and "blackout" in [m for m, _ in point.moments] and re.search(r"\bslow", point.text, re.IGNORECASE):
            fade = design.fades.act_end
        cue = PlannedCue(point, point.offset, look, fade, f"{cue_design.label}: {point.text}", [point.text])
        planned.append(cue)
        if point.follow:
            planned.append(
                PlannedCue(
                    None, point.offset, current.copy(), 2.0, f"Follow: back from {cue_design.label.lower()}", [], follow_of=cue
                )
            )
        else:
            current = look
    closing = final_exit(scene)
    if closing is not None and closing.offset > planned[-1].offset and seen.speeches:
        look = current.copy()
        for state in look.groups.values():
            state.intensity, state.effect, state.isolate = round(state.intensity * design.scene_change_share, 3), None, None
        point = CuePoint(closing.offset, "direction", closing.text, [], 0)
        planned.append(
            PlannedCue(
                point,
                closing.offset,
                look,
                design.fades.scene_change_out,
                f"Scene change: {closing.text}",
                [closing.text],
                scene_change=True,
            )
        )
    return planned
