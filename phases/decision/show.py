"""The whole show's cue list: transitions by continuity, the show-structure cues, console numbering."""

import re
from collections import Counter
from collections.abc import Sequence

from phases.contracts import (
    AreaLevel,
    CueTrigger,
    Fixture,
    GroupInstruction,
    GroupParameters,
    InstructionMetadata,
    LightingInstruction,
    Rig,
    Scene,
    ShowMoment,
    TimeWindow,
    Transition,
)
from phases.knowledge import KnowledgeBase

from .continuity import look_change
from .design_data import DesignSettings, palettes
from .rig_limits import group_ceiling
from .roles import group_roles
from .scene_reading import final_exit
from .settings import EngineSettings

SCENE_CHANGE = "scene change: the stage clears on the final exit"
_SHEET_NUMBER = re.compile(r"^\s*(?:L?FX|LX|LQ|Q|CUE)\s*(\d{1,5}(?:\.\d{1,3})?)\b", re.IGNORECASE)
_LABELS: dict[ShowMoment, str] = {
    "preset": "Preset: stage glow, house up",
    "house_half": "House to half",
    "house_out": "House out: stage black",
    "act_end": "End of act: fade to black",
    "interval": "Interval: stage preset",
    "final_blackout": "Final fade to black",
    "curtain_call": "Curtain call",
    "house_up": "House up: stage preset",
}


def key_level(cue: LightingInstruction, rig: Rig) -> float:
    roles = group_roles(rig)
    return max((g.parameters.intensity for g in cue.groups if roles.get(g.group_id) == "key"), default=0.0)


def _is_dark(cue: LightingInstruction | None) -> bool:
    return cue is not None and max((g.parameters.intensity for g in cue.groups), default=0.0) <= 0.02


def _with_transition(cue: LightingInstruction, transition: Transition, why: str) -> LightingInstruction:
    meta = cue.metadata
    groups = [g.model_copy(update={"transition": transition}) for g in cue.groups]
    update: dict[str, object] = {"groups": groups}
    if meta is not None:
        reasoning = f"{meta.reasoning}; {transition.type} over {transition.duration:g} s: {why}"
        update["metadata"] = meta.model_copy(update={"transition_source": "continuity", "reasoning": reasoning})
    return cue.model_copy(update=update)


def continuity(
    plan: Sequence[LightingInstruction], kb: KnowledgeBase, settings: EngineSettings, design: DesignSettings
) -> list[LightingInstruction]:
    """Each scene's opening cue fades by the size of the change from the cue before; the text's own cues keep theirs."""
    fades = design.fades
    result: list[LightingInstruction] = []
    previous: LightingInstruction | None = None
    for cue in plan:
        meta = cue.metadata
        if meta is None or meta.transition_source == "script" or cue.called_on.kind != "scene_start":
            result.append(cue)
            if meta is None or SCENE_CHANGE not in meta.notes:  # the size of a change is between the scenes' states
                previous = cue
            continue
        proposed = next((g.transition for g in cue.groups if g.transition), None)
        change = look_change(previous, cue, kb)
        if proposed is not None and proposed.duration >= fades.dawn_dusk:
            transition, why = proposed, "a long fade for the time of day"
        elif previous is None:
            transition, why = Transition(type="fade", duration=fades.opening), "the opening state"
        elif _is_dark(previous):
            transition, why = Transition(type="fade", duration=fades.after_dark), "up out of black"
        elif change >= settings.change_big:
            transition, why = Transition(type="fade", duration=fades.scene_change_big), f"a big change ({change:.2f})"
        elif change <= settings.change_small:
            transition, why = Transition(type="crossfade", duration=fades.scene_change_small), f"a small change ({change:.2f})"
        else:
            transition, why = (
                Transition(type="crossfade", duration=fades.scene_change_moderate),
                f"a moderate change ({change:.2f})",
            )
        updated = _with_transition(cue, transition, why)
        result.append(updated)
        previous = updated
    return result


def _structure_cue(
    moment: ShowMoment,
    scene_id: str,
    start: float,
    end: float,
    fade: float,
    levels: dict[str, tuple[float, str]],
    template: LightingInstruction,
    rig: Rig,
    called_on: CueTrigger | None = None,
) -> LightingInstruction:
    transition = Transition(type="cut" if fade == 0 else "fade", duration=fade)
    groups = []
    for group in template.groups:
        level, colour = levels.get(group.group_id, (0.0, group.parameters.color))
        level = min(level, group_ceiling(rig, group.group_id))
        params = group.parameters.model_copy(update={"intensity": level, "color": colour, "effect": None})
        groups.append(
            group.model_copy(update={"parameters": params, "transition": transition, "overrides": [], "focus_area": None})
        )
    return LightingInstruction(
        scene_id=scene_id,
        cue_number=1.0,
        label=_LABELS[moment],
        called_on=called_on or CueTrigger(kind="structure", moment=moment),
        time_window=TimeWindow(start=start, end=max(start, end)),
        groups=groups,
        metadata=InstructionMetadata(
            method="rules", reasoning=f"show structure: {_LABELS[moment].lower()}", transition_source="script"
        ),
    )


def _preset_levels(plan: list[LightingInstruction], rig: Rig, design: DesignSettings) -> dict[str, tuple[float, str]]:
    """The stage's preset glow: the cyc at a low level in the colour the show's scenes use most for it (never a
    saturated accent: those are for what the text calls, a fairy wood's congo is not the house's glow)."""
    roles = group_roles(rig)
    accents = set(palettes().accents.values())
    levels = {}
    for gid in (g for g, r in roles.items() if r == "atmosphere"):
        used = Counter(
            g.parameters.color
            for c in plan
            if c.called_on.kind == "scene_start"
            for g in c.groups
            if g.group_id == gid and g.parameters.intensity > 0.02 and g.parameters.color not in accents
        )
        if used:
            levels[gid] = (design.preset_atmosphere, sorted(used.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    return levels


def _call_levels(template: LightingInstruction, rig: Rig, design: DesignSettings) -> dict[str, tuple[float, str]]:
    roles = group_roles(rig)
    share = {"key": 1.0, "back": 0.7, "side": 0.5, "atmosphere": 0.5}
    return {
        g.group_id: (round(design.curtain_call_key * share[roles[g.group_id]], 3), g.parameters.color)
        for g in template.groups
        if roles.get(g.group_id) in share
    }


def _ending(
    moment: ShowMoment,
    scene: Scene | None,
    cues: list[LightingInstruction],
    fade: float,
    template: LightingInstruction,
    rig: Rig,
) -> tuple[list[LightingInstruction], LightingInstruction]:
    """The scene's cues with the last one cut short, and the fade to black called on its final Exeunt."""
    if len(cues) > 1 and cues[-1].metadata and SCENE_CHANGE in cues[-1].metadata.notes:
        gone = cues[-1]  # the act's end replaces the scene change on the same Exeunt
        cues = [
            *cues[:-2],
            cues[-2].model_copy(update={"time_window": TimeWindow(start=cues[-2].time_window.start, end=gone.time_window.end)}),
        ]
    last = cues[-1]
    end = last.time_window.end
    go = max(last.time_window.start, end - fade)
    called_on = CueTrigger(kind="structure", moment=moment)
    if scene is not None:
        exit_direction = final_exit(scene)
        if exit_direction is not None:
            at = scene.time_window.start + scene.time_window.duration * exit_direction.offset / max(len(scene.text), 1)
            go = max(last.time_window.start, min(at, end - fade))
            line = scene.source.start_line + scene.text.count("\n", 0, exit_direction.offset) if scene.source else None
            called_on = CueTrigger(
                kind="structure",
                moment=moment,
                text=exit_direction.text[:240],
                char_offset=exit_direction.offset,
                script_line=line,
            )
    trimmed = last.model_copy(update={"time_window": TimeWindow(start=last.time_window.start, end=go)})
    black = _structure_cue(moment, last.scene_id, go, end, fade, {}, template, rig, called_on)
    return [*cues[:-1], trimmed], black


def add_structure(
    plan: list[LightingInstruction], scenes: Sequence[Scene], rig: Rig, design: DesignSettings
) -> list[LightingInstruction]:
    """Preset, house to half, house out; the act ends and one interval; the final fade to black, the curtain
    call and house up. Only for plays and screenplays: a cue sheet or a run-sheet carries its own."""
    if not plan or not scenes or not any(s.script_type in design.structure_script_types for s in scenes):
        return plan
    fades = design.fades
    by_id = {s.scene_id: s for s in scenes}
    runs: list[list[LightingInstruction]] = []  # each scene's cues: consecutive cues of one scene
    for cue in plan:
        if runs and runs[-1][0].scene_id == cue.scene_id:
            runs[-1].append(cue)
        else:
            runs.append([cue])
    first = plan[0]
    start = first.time_window.start
    preset = _preset_levels(plan, rig, design)
    result = [
        _structure_cue("preset", first.scene_id, start, start, fades.preset, preset, first, rig),
        _structure_cue("house_half", first.scene_id, start, start, fades.house, preset, first, rig),
        _structure_cue("house_out", first.scene_id, start, start, fades.house, {}, first, rig),
    ]
    order = [run[0].scene_id for run in runs]
    acts = [by_id[sid].act if sid in by_id else None for sid in order]
    breaks = [i for i in range(len(order) - 1) if acts[i] is not None and acts[i + 1] is not None and acts[i] != acts[i + 1]]
    show_end = plan[-1].time_window.end
    interval_at = None
    if breaks and show_end - start >= design.interval_min_show_seconds:
        middle = start + (show_end - start) / 2
        interval_at = min(breaks, key=lambda i: abs(runs[i][-1].time_window.end - middle))
    for index, (sid, cues) in enumerate(zip(order, runs, strict=True)):
        scene = by_id.get(sid)
        if index in breaks:
            cues, black = _ending("act_end", scene, cues, fades.act_end, first, rig)
            result += [*cues, black]
            if index == interval_at:
                at = black.time_window.end
                result.append(_structure_cue("interval", sid, at, at, fades.preset, preset, first, rig))
        elif index == len(order) - 1:
            cues, black = _ending("final_blackout", scene, cues, fades.final_blackout, first, rig)
            result += [*cues, black]
        else:
            result += cues
    end = result[-1].time_window.end
    lit = max(plan, key=lambda c: key_level(c, rig))
    call_end = end + design.curtain_call_seconds
    result.append(
        _structure_cue("curtain_call", order[-1], end, call_end, fades.curtain_call, _call_levels(lit, rig, design), lit, rig)
    )
    result.append(_structure_cue("house_up", order[-1], call_end, call_end, fades.house_up, preset, first, rig))
    return house_cues(result, rig, design)


def house_fixtures(rig: Rig, design: DesignSettings) -> list[Fixture]:
    """The rig's house lights: fixtures named, or in a group named, with one of the house words."""
    words = {w.lower() for w in design.house.words}
    names = {g.group_id: f"{g.group_id} {g.name or ''}" for g in rig.groups}

    def named(text: str) -> bool:
        return bool(words & set(re.split(r"[^a-z0-9]+", text.lower())))

    return [f for f in rig.fixtures if named(f"{f.fixture_id} {f.name or ''}") or named(names[f.group_id])]


def _with_house(cue: LightingInstruction, house: list[Fixture], level: float, colour: str) -> LightingInstruction:
    """The cue with its house lights at `level` (per-fixture overrides, their group added dark if absent)."""
    groups = {g.group_id: g for g in cue.groups}
    for fixture in house:
        g = groups.get(fixture.group_id)
        if g is None:
            if level == 0:
                continue  # a group the cue leaves out is dark already
            g = GroupInstruction(
                group_id=fixture.group_id,
                parameters=GroupParameters(intensity=0.0, color=colour),
                transition=max((x.transition for x in cue.groups if x.transition), key=lambda t: t.duration, default=None),
            )
        override = AreaLevel(fixture_id=fixture.fixture_id, intensity=level)
        groups[fixture.group_id] = g.model_copy(update={"overrides": [*g.overrides, override]})
    return cue.model_copy(update={"groups": list(groups.values())})


def house_cues(plan: list[LightingInstruction], rig: Rig, design: DesignSettings) -> list[LightingInstruction]:
    """House cues drive the house lights, and every other cue holds them dark; without house lights in the rig,
    the house cues say so and send nothing (house to half and house out keep the state before them)."""
    house, settings = house_fixtures(rig, design), design.house
    result: list[LightingInstruction] = []
    for cue in plan:
        moment = cue.called_on.moment if cue.called_on.kind == "structure" else None
        if house:
            result.append(_with_house(cue, house, settings.levels.get(moment, 0.0) if moment else 0.0, settings.colour))
        elif moment in settings.levels:
            update: dict[str, object] = {"label": f"{cue.label.split(':')[0]}: stage preset, {settings.not_in_rig}"}
            if moment in ("house_half", "house_out") and result:
                update["label"] = f"{cue.label.split(':')[0]}: {settings.not_in_rig}"
                update["groups"] = result[-1].groups  # nothing to send: the state before it stands
            result.append(cue.model_copy(update=update))
        else:
            result.append(cue)
    return result


def number(plan: list[LightingInstruction]) -> list[LightingInstruction]:
    """Whole numbers in show order; a number the cue sheet gives (LFX12, Q12.5) is kept when it runs forward."""
    sheet = [_SHEET_NUMBER.match(c.label) if c.called_on.kind == "scene_start" else None for c in plan]
    uses_sheet = any(sheet)
    result: list[LightingInstruction] = []
    previous = 0.0
    for cue, match in zip(plan, sheet, strict=True):
        given = float(match.group(1)) if match else None
        if given is not None and given > previous:
            value = given
        elif uses_sheet:
            value = round(previous + 0.1, 3) if round(previous + 0.1, 3) < int(previous) + 1 else round(previous + 0.01, 3)
        else:
            value = float(int(previous) + 1)
        if value <= previous:
            value = round(previous + 0.001, 3)
        result.append(cue.model_copy(update={"cue_number": value}))
        previous = value
    return result
