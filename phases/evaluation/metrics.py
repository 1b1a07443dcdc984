"""Metrics over a lighting plan. Each is computed from the plan itself; none is a constant."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from phases.contracts import Colour, Emotion, GoldCalls, LightingInstruction, LightingRule, MetricResult, Rig, Scene, Verdict
from phases.contracts.validation import field_error

from .cues import in_show_order, mark
from .thresholds import Thresholds


@dataclass(frozen=True)
class PlanContext:
    scenes: Sequence[Scene]
    plan: Sequence[LightingInstruction]
    rig: Rig
    colours: dict[str, Colour]
    rules: Sequence[LightingRule]
    thresholds: Thresholds
    second_plan: Sequence[LightingInstruction] | None = None
    gold: GoldCalls | None = None


def worst(verdicts: list[Verdict]) -> Verdict:
    return "FAIL" if "FAIL" in verdicts else "WARN" if "WARN" in verdicts else "PASS"


def _by_share(value: float, warn: float, fail: float) -> Verdict:
    return "FAIL" if value < fail else "WARN" if value < warn else "PASS"


def _cue_problem(cue: LightingInstruction, scene: Scene | None) -> str | None:
    """Why a cue breaks the contract or does not fit its scene, or None when it is sound."""
    where = f"cue {cue.cue_number:g} ({cue.scene_id})"
    try:
        LightingInstruction.model_validate(cue.model_dump())
    except ValidationError as exc:
        field, message = field_error(exc)
        return f"{where}: {field}: {message}"
    if scene is None:
        return f"{where}: no such scene"
    window = scene.time_window
    # A show-structure cue (preset, house, bows) takes the nearest scene and may sit just outside it.
    if cue.called_on.kind != "structure" and not (window.start - 1e-6 <= cue.time_window.start <= window.end + 1e-6):
        return f"{where}: starts at {cue.time_window.start:g} s, outside its scene ({window.start:g}-{window.end:g} s)"
    group_ids = [g.group_id for g in cue.groups]
    if len(set(group_ids)) != len(group_ids):
        return f"{where}: a group is set twice"
    return None


def schema_integrity(ctx: PlanContext) -> MetricResult:
    """Every cue valid and inside its scene, cue numbers rising in show order, and every scene with a cue."""
    scenes = {s.scene_id: s for s in ctx.scenes}
    per_scene: dict[str, Verdict] = {}
    problems: list[str] = []
    ordered = in_show_order(ctx.plan)
    previous: LightingInstruction | None = None
    for cue in ordered:
        problem = _cue_problem(cue, scenes.get(cue.scene_id))
        if problem is None and previous is not None:
            if cue.cue_number <= previous.cue_number:
                problem = f"cue {cue.cue_number:g} ({cue.scene_id}) comes after cue {previous.cue_number:g}: numbers must rise"
            elif cue.time_window.start < previous.time_window.end - 1e-6 and previous.time_window.duration > 0:
                problem = f"cue {cue.cue_number:g} ({cue.scene_id}) starts before cue {previous.cue_number:g} ends"
        previous = cue
        if problem:
            problems.append(problem)
        if cue.scene_id in scenes:
            mark(per_scene, cue.scene_id, "FAIL" if problem else "PASS")
    for sid in scenes:
        if sid not in per_scene:
            per_scene[sid] = "FAIL"
            problems.append(f"{sid}: no cue")
    sound = sum(1 for v in per_scene.values() if v == "PASS")
    value = sound / max(len(scenes), 1)
    detail = f"{sound} of {len(scenes)} scenes have only sound cues ({len(ordered)} cues)"
    if problems:
        detail += f"; {len(problems)} problems, first: {problems[0]}"
    return MetricResult(
        name="schema_integrity",
        value=round(value, 4),
        verdict="PASS" if not problems else "FAIL",
        detail=detail,
        per_scene=per_scene,
    )


def rig_limits(ctx: PlanContext) -> MetricResult:
    groups = {g.group_id: g for g in ctx.rig.groups}
    per_scene: dict[str, Verdict] = {}
    problems: list[str] = []
    checked = violations = 0
    for instruction in ctx.plan:
        bad = False
        for group in instruction.groups:
            checked += 1
            rig_group = groups.get(group.group_id)
            issue = None
            if rig_group is None:
                issue = f"{instruction.scene_id}: no group {group.group_id} in the rig"
            else:
                fixtures = ctx.rig.fixtures_in(group.group_id)
                ceiling = min(rig_group.max_intensity, max(f.constraints.max_intensity for f in fixtures))
                if group.parameters.intensity > ceiling + 1e-9:
                    issue = f"{instruction.scene_id}: {group.group_id} at {group.parameters.intensity} over its limit {ceiling}"
                elif group.parameters.color not in ctx.colours:
                    issue = f"{instruction.scene_id}: unknown colour {group.parameters.color}"
                elif not any("color" in f.capabilities for f in fixtures) and group.parameters.color not in {
                    f.fixed_color for f in fixtures
                }:
                    issue = f"{instruction.scene_id}: {group.group_id} cannot mix {group.parameters.color}"
            if issue:
                bad = True
                violations += 1
                problems.append(issue)
        mark(per_scene, instruction.scene_id, "FAIL" if bad else "PASS")
    value = 1 - violations / max(checked, 1)
    detail = f"{violations} of {checked} group settings break the rig" + (f": {problems[0]}" if problems else "")
    return MetricResult(
        name="rig_limits", value=round(value, 4), verdict="FAIL" if violations else "PASS", detail=detail, per_scene=per_scene
    )


def conflicts(ctx: PlanContext) -> MetricResult:
    budget = ctx.rig.power_budget_groups_at_full
    per_scene: dict[str, Verdict] = {}
    over = mixed = bad = 0
    for instruction in ctx.plan:
        at_full = sum(1 for g in instruction.groups if g.parameters.intensity >= ctx.thresholds.full_level)
        types = {g.transition.type for g in instruction.groups if g.transition}
        verdict: Verdict = "PASS"
        if at_full > budget:
            over += 1
            verdict = "FAIL"
        if {"cut", "crossfade"} <= types:
            mixed += 1
            verdict = "FAIL"
        mark(per_scene, instruction.scene_id, verdict)
        bad += verdict == "FAIL"
    value = bad / max(len(ctx.plan), 1)
    detail = f"{over} cues exceed the power budget ({budget} groups at full); {mixed} cues mix cut and crossfade"
    return MetricResult(
        name="conflicts", value=round(value, 4), verdict="FAIL" if bad else "PASS", detail=detail, per_scene=per_scene
    )


def stability(ctx: PlanContext) -> MetricResult:
    minimum = ctx.thresholds.min_transition_seconds
    per_scene: dict[str, Verdict] = {}
    short = total = 0
    for instruction in ctx.plan:
        flicker = False
        for g in instruction.groups:
            if g.transition and g.transition.type != "cut":
                total += 1
                if g.transition.duration < minimum:
                    short += 1
                    flicker = True
        mark(per_scene, instruction.scene_id, "FAIL" if flicker else "PASS")
    value = short / max(total, 1)
    return MetricResult(
        name="stability",
        value=round(value, 4),
        verdict="FAIL" if short else "PASS",
        detail=f"{short} of {total} non-cut transitions are shorter than {minimum:g} s",
        per_scene=per_scene,
    )


def drift(ctx: PlanContext) -> MetricResult:
    """Mean intensity jump between consecutive cues that nothing motivates.

    Contrast with a purpose is design, not drift, and is left out of the mean (counted in the detail): a
    scene change, a change of time of day, a cue called on a direction, line, beat or show moment, a change
    into or out of a blackout, or a transition the script set. What is left (follows and restatements inside
    a scene) must move smoothly."""
    scenes = {s.scene_id: s for s in ctx.scenes}
    per_scene: dict[str, Verdict] = {}
    jumps = []
    intended = 0
    previous: LightingInstruction | None = None
    before: dict[str, float] = {}
    for cue in in_show_order(ctx.plan):
        now = {g.group_id: g.parameters.intensity for g in cue.groups}
        if previous is None:
            mark(per_scene, cue.scene_id, "PASS")
        elif _purposeful(previous, cue, scenes) or not any(now.values()) or not any(before.values()):
            intended += 1
            mark(per_scene, cue.scene_id, "PASS")
        else:
            keys = set(now) | set(before)
            jump = sum(abs(now.get(k, 0) - before.get(k, 0)) for k in keys) / max(len(keys), 1)
            jumps.append(jump)
            t = ctx.thresholds
            mark(per_scene, cue.scene_id, "FAIL" if jump > t.drift_fail else "WARN" if jump > t.drift_warn else "PASS")
        previous, before = cue, now
    mean = sum(jumps) / len(jumps) if jumps else 0.0
    verdict: Verdict = "FAIL" if mean > ctx.thresholds.drift_fail else "WARN" if mean > ctx.thresholds.drift_warn else "PASS"
    detail = f"mean intensity jump {mean:.3f} over {len(jumps)} unmotivated cue changes (max {max(jumps, default=0):.3f})"
    if intended:
        detail += (
            f"; {intended} changes with a purpose (scene or time change, called cue, blackout, the script's own timing) left out"
        )
    return MetricResult(name="drift", value=round(mean, 4), verdict=verdict, detail=detail, per_scene=per_scene)


def _purposeful(previous: LightingInstruction, cue: LightingInstruction, scenes: dict[str, Scene]) -> bool:
    if _scripted(cue) or cue.scene_id != previous.scene_id:
        return True
    if cue.called_on.kind in ("direction", "line", "beat", "structure"):
        return True
    a, b = scenes.get(previous.scene_id), scenes.get(cue.scene_id)
    return a is not None and b is not None and a.time_of_day != b.time_of_day


def _scripted(instruction: LightingInstruction) -> bool:
    return instruction.metadata is not None and instruction.metadata.transition_source == "script"


def _lit_kelvin(instruction: LightingInstruction, colours: dict[str, Colour]) -> tuple[float, float | None]:
    lit = [g for g in instruction.groups if g.parameters.intensity > 0.05]
    if not lit:
        return 0.0, None
    weight = sum(g.parameters.intensity for g in lit)
    mean_level = sum(g.parameters.intensity for g in instruction.groups) / len(instruction.groups)
    kelvins = [
        (colours[g.parameters.color].kelvin, g.parameters.intensity)
        for g in lit
        if g.parameters.color in colours and colours[g.parameters.color].kelvin
    ]
    if not kelvins:
        return mean_level, None
    return mean_level, sum(k * w for k, w in kelvins) / sum(w for _, w in kelvins) if weight else None


def _cue_emotion(cue: LightingInstruction, scene: Scene) -> Emotion | None:
    at = cue.called_on.char_offset
    if at is not None:
        for beat in scene.beats:
            if beat.start_char <= at < beat.end_char:
                return beat.emotion
    return scene.emotion


def coherence(ctx: PlanContext) -> MetricResult:
    """Does each cue's level and colour temperature sit inside its emotion rule's ranges?

    A cue called inside a beat (Scene.beats) is judged by the beat's emotion, otherwise by the scene's. Only
    confident reads are judged: below coherence_min_confidence the design rightly lets place and time lead."""
    emotion_rules = {r.context_value: r for r in ctx.rules if r.context_type == "emotion"}
    scenes = {s.scene_id: s for s in ctx.scenes}
    per_scene: dict[str, Verdict] = {}
    judged = coherent = 0
    for instruction in ctx.plan:
        scene = scenes.get(instruction.scene_id)
        emotion = _cue_emotion(instruction, scene) if scene else None
        if emotion is None or emotion.primary not in emotion_rules:
            continue
        if emotion.primary_confidence < ctx.thresholds.coherence_min_confidence:
            continue  # a weak read is not a brief the design had to follow
        if all(g.parameters.intensity == 0 for g in instruction.groups) or instruction.called_on.kind == "structure":
            continue  # blackouts and show-structure cues are judged by cue compliance and structure, not mood
        rule = emotion_rules[emotion.primary]
        level, kelvin = _lit_kelvin(instruction, ctx.colours)
        ok = True
        if rule.intensity:
            tol = ctx.thresholds.coherence_intensity_tolerance
            ok &= rule.intensity.min - tol <= level <= rule.intensity.max + tol
        if rule.color_temperature and kelvin is not None:
            tol_k = ctx.thresholds.coherence_kelvin_tolerance
            ok &= rule.color_temperature.min - tol_k <= kelvin <= rule.color_temperature.max + tol_k
        judged += 1
        coherent += ok
        mark(per_scene, instruction.scene_id, "PASS" if ok else "WARN")
    if not judged:
        return MetricResult(
            name="emotion_coherence",
            value=None,
            verdict="WARN",
            detail="no cue had a confident emotion read to judge against",
            per_scene=per_scene,
        )
    value = coherent / judged
    return MetricResult(
        name="emotion_coherence",
        value=round(value, 4),
        # Never FAIL: cues follow the text, and a look against a confident read is a question for the designer.
        verdict="WARN" if value < ctx.thresholds.coherence_warn else "PASS",
        detail=f"{coherent} of {judged} cues sit inside their emotion's intensity and colour-temperature ranges",
        per_scene=per_scene,
    )


def coverage(ctx: PlanContext) -> MetricResult:
    rig_groups = set(ctx.rig.group_ids())
    used: set[str] = set()
    per_scene: dict[str, Verdict] = {}
    for instruction in ctx.plan:
        present = {g.group_id for g in instruction.groups}
        used |= {g.group_id for g in instruction.groups if g.parameters.intensity > 0}
        mark(per_scene, instruction.scene_id, "PASS" if rig_groups <= present else "WARN")
    value = len(used & rig_groups) / max(len(rig_groups), 1)
    unused = sorted(rig_groups - used)
    verdict = _by_share(value, ctx.thresholds.coverage_warn, ctx.thresholds.coverage_fail)
    return MetricResult(
        name="group_coverage",
        value=round(value, 4),
        verdict=verdict,
        detail=f"{len(used & rig_groups)} of {len(rig_groups)} groups used"
        + (f"; never lit: {', '.join(unused)}" if unused else ""),
        per_scene=per_scene,
    )


_BLACKOUT = re.compile(r"black ?out|cut to black|fades? (?:slowly |quickly )?to black|lights? out", re.I)
_SPOT = re.compile(r"spot|focus", re.I)
_FLASH = re.compile(r"lightning|thunder", re.I)


def explicit_compliance(ctx: PlanContext) -> MetricResult:
    """Each explicit cue must be honoured, and the state must show it where its meaning is unambiguous."""
    by_scene: dict[str, list[LightingInstruction]] = {}
    for cue in ctx.plan:
        by_scene.setdefault(cue.scene_id, []).append(cue)
    per_scene: dict[str, Verdict] = {}
    cues = honoured = 0
    misses: list[str] = []
    for scene in ctx.scenes:
        if not scene.explicit_lighting:
            continue
        ok_scene = True
        for cue in scene.explicit_lighting:
            cues += 1
            # one of the scene's cues honours it (lists it, or is called on the direction that holds it) and shows it
            if any(_honours(i, cue) and _shows(cue, i) for i in by_scene.get(scene.scene_id, [])):
                honoured += 1
            else:
                ok_scene = False
                misses.append(f"{scene.scene_id}: {cue[:40]}")
        per_scene[scene.scene_id] = "PASS" if ok_scene else "FAIL"
    if not cues:
        return MetricResult(
            name="explicit_cue_compliance", value=None, verdict="PASS", detail="the script gives no explicit lighting cues"
        )
    value = honoured / cues
    return MetricResult(
        name="explicit_cue_compliance",
        value=round(value, 4),
        verdict=_by_share(value, ctx.thresholds.compliance_warn, ctx.thresholds.compliance_fail),
        detail=f"{honoured} of {cues} explicit cues honoured" + (f"; missed {misses[0]}" if misses else ""),
        per_scene=per_scene,
    )


def _honours(instruction: LightingInstruction, cue: str) -> bool:
    listed = instruction.metadata is not None and cue in instruction.metadata.honoured_cues
    return listed or (instruction.called_on.text is not None and cue in instruction.called_on.text)


def _shows(cue: str, instruction: LightingInstruction) -> bool:
    levels = {g.group_id: g.parameters.intensity for g in instruction.groups}
    if _BLACKOUT.search(cue):
        return all(v == 0 for v in levels.values())
    if _SPOT.search(cue) and "specials" in levels:
        return levels["specials"] >= max(v for k, v in levels.items() if k != "specials")
    if _FLASH.search(cue):
        return any(g.parameters.effect and g.parameters.effect.type in ("flash", "lightning") for g in instruction.groups)
    return True


def determinism(ctx: PlanContext) -> MetricResult:
    if ctx.second_plan is None:
        return MetricResult(name="determinism", value=None, verdict="WARN", detail="no second run to compare")
    # pydantic compares models field by field: the same answer as comparing their dumps, without dumping
    first, second = list(ctx.plan), list(ctx.second_plan)
    per_scene: dict[str, Verdict] = {}
    same = 0
    for a, b in zip(first, second, strict=False):
        mark(per_scene, a.scene_id, "PASS" if a == b else "FAIL")
        same += a == b
    equal = first == second
    value = same / max(len(first), 1) if len(first) == len(second) else 0.0
    return MetricResult(
        name="determinism",
        value=round(value, 4),
        verdict="PASS" if equal else "FAIL",
        detail=f"{same} of {len(first)} instructions identical on a second run",
        per_scene=per_scene,
    )


BASIC_METRICS = (schema_integrity, rig_limits, conflicts, stability, drift, coherence, coverage, explicit_compliance, determinism)
