"""Reading a cue list for Phase 7: show order, each cue's scene, its level, and what a group is for."""

from collections.abc import Sequence

from phases.contracts import LightingInstruction, Rig, Verdict

from .thresholds import vocabulary


def in_show_order(plan: Sequence[LightingInstruction]) -> list[LightingInstruction]:
    return sorted(plan, key=lambda c: (c.time_window.start, c.cue_number))


def mark(per_scene: dict[str, Verdict], scene_id: str, verdict: Verdict) -> None:
    """Record a cue's verdict on its scene: a scene is as bad as its worst cue."""
    order = {"PASS": 0, "WARN": 1, "FAIL": 2}
    if order[verdict] >= order[per_scene.get(scene_id, "PASS")]:
        per_scene[scene_id] = verdict


def group_roles(rig: Rig) -> dict[str, str]:
    fallback = vocabulary().roles_by_group
    return {g.group_id: g.role or fallback.get(g.group_id, "") for g in rig.groups}


def is_structure(cue: LightingInstruction) -> bool:
    return cue.called_on.kind == "structure"


def is_dark(cue: LightingInstruction) -> bool:
    return all(g.parameters.intensity == 0 and all(o.intensity == 0 for o in g.overrides) for g in cue.groups)


def levels(cue: LightingInstruction) -> dict[str, float]:
    """Each group's level in the cue (the brightest of its level and its area overrides)."""
    return {g.group_id: max([g.parameters.intensity, *(o.intensity for o in g.overrides)]) for g in cue.groups}


def mean_level(cue: LightingInstruction, rig: Rig) -> float:
    """The cue's mean group level over the whole rig (a group the cue leaves out is dark)."""
    given = {g.group_id: g.parameters.intensity for g in cue.groups}
    ids = rig.group_ids()
    return sum(given.get(g, 0.0) for g in ids) / max(len(ids), 1)


def lit_colours(cue: LightingInstruction) -> set[str]:
    colours = {g.parameters.color for g in cue.groups if g.parameters.intensity > 0}
    for g in cue.groups:
        colours |= {o.color for o in g.overrides if o.color and o.intensity > 0}
    return colours
