"""Metrics on the cues inside scenes (issue 20): cues that change nothing, light that ratchets, specials left
open, time of day against the scene's own words, and recall against a designer's gold calls when one is given."""

import re
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from phases.contracts import GroupInstruction, LightingInstruction, MetricResult, Scene, Verdict

from .cues import group_roles, in_show_order, mark
from .gold import light_or_dark, score_against_gold
from .metrics import PlanContext
from .thresholds import vocabulary

INTERNAL_EXCLUDED = ("scene_start", "structure", "follow")


def _above(value: float, warn: float, fail: float) -> Verdict:
    return "FAIL" if value > fail else "WARN" if value > warn else "PASS"


def is_internal(cue: LightingInstruction) -> bool:
    return cue.called_on.kind not in INTERNAL_EXCLUDED


def is_scene_change(cue: LightingInstruction) -> bool:
    marker = vocabulary().scene_change_note
    return bool(cue.metadata and any(n.startswith(marker) for n in cue.metadata.notes))


def _group_state(group: GroupInstruction) -> tuple:
    effect = group.parameters.effect
    overrides = tuple((o.area, o.fixture_id, o.intensity, o.color) for o in group.overrides)
    return group.parameters.intensity, group.parameters.color, group.focus_area, effect and effect.type, overrides


def visible_change(before: LightingInstruction, after: LightingInstruction, step: float) -> float:
    """The largest change an audience sees between two cues: a level's move, or 1.0 for a colour, focus or effect."""
    was = {g.group_id: g for g in before.groups}
    largest = 0.0
    for group in after.groups:
        old = was.pop(group.group_id, None)
        if old is None:
            largest = max(largest, group.parameters.intensity)
            continue
        level, colour, focus, effect, overrides = _group_state(group)
        old_level, old_colour, old_focus, old_effect, old_overrides = _group_state(old)
        largest = max(largest, abs(level - old_level))
        lit = max(level, old_level) >= step
        if lit and (colour != old_colour or focus != old_focus) or effect != old_effect:
            return 1.0
        old_areas = {(a, f): (i, c) for a, f, i, c in old_overrides}
        for area, fixture, intensity, colour_over in overrides:
            old_intensity, old_colour_over = old_areas.pop((area, fixture), (old_level, old_colour))
            largest = max(largest, abs(intensity - old_intensity))
            if colour_over and colour_over != old_colour_over and max(intensity, old_intensity) >= step:
                return 1.0
        for old_intensity, _ in old_areas.values():
            largest = max(largest, abs(old_intensity - level))
    for old in was.values():
        largest = max(largest, old.parameters.intensity)
    return largest


def no_op_cues(ctx: PlanContext) -> MetricResult:
    """Internal cues whose largest visible change is below what an audience sees: a GO for nothing."""
    step = ctx.thresholds.visible_change
    ordered = in_show_order(ctx.plan)
    internal = noops = 0
    per_scene: dict[str, Verdict] = {}
    first = ""
    for before, cue in zip(ordered, ordered[1:], strict=False):
        if not is_internal(cue):
            continue
        internal += 1
        if visible_change(before, cue, step) < step:
            noops += 1
            mark(per_scene, cue.scene_id, "FAIL")
            first = first or f"; first: cue {cue.cue_number:g} {cue.label!r}"
        else:
            mark(per_scene, cue.scene_id, "PASS")
    if not internal:
        return MetricResult(name="no_op_cues", value=None, verdict="PASS", detail="no cues inside scenes")
    share = noops / internal
    t = ctx.thresholds
    return MetricResult(
        name="no_op_cues",
        value=round(share, 4),
        verdict=_above(share, t.no_op_warn, t.no_op_fail),
        detail=f"{noops} of {internal} cues inside scenes move nothing by {step:g} or more" + first,
        per_scene=per_scene,
    )


def _key(cue: LightingInstruction, keys: set[str]) -> float:
    return max((g.parameters.intensity for g in cue.groups if g.group_id in keys), default=0.0)


def _by_scene(plan: Sequence[LightingInstruction]) -> dict[str, list[LightingInstruction]]:
    scenes: dict[str, list[LightingInstruction]] = defaultdict(list)
    for cue in in_show_order(plan):
        if cue.called_on.kind != "structure":
            scenes[cue.scene_id].append(cue)
    return scenes


def ratchets(ctx: PlanContext) -> MetricResult:
    """A scene's last cue inside it against its base state: light that climbs (or sinks) step after step and
    never comes back. One deliberate change (a death, a dawn) is a single step, not a ratchet."""
    roles = group_roles(ctx.rig)
    keys = {g for g, r in roles.items() if r == "key"} or set(roles)
    t = ctx.thresholds
    judged = ratcheted = 0
    per_scene: dict[str, Verdict] = {}
    worst = ""
    changes = {s.scene_id: sorted(c.start_char for c in s.time_changes) for s in ctx.scenes}
    for scene_id, cues in _by_scene(ctx.plan).items():
        base = next((c for c in cues if c.called_on.kind == "scene_start"), None)
        inside = [c for c in cues if is_internal(c) and not is_scene_change(c)]
        if base is None or not inside:
            continue
        judged += 1
        stretches = _time_stretches(base, inside, changes.get(scene_id, []), keys)
        ratchet = next((r for levels in stretches if (r := _ratchet(levels, t.visible_change))), None)
        if ratchet is not None and abs(ratchet[1] - ratchet[0]) > t.ratchet_tolerance:
            ratcheted += 1
            per_scene[scene_id] = "FAIL"
            worst = worst or f"; first: {scene_id} key {ratchet[0]:.2f} -> {ratchet[1]:.2f} over {len(inside)} cues"
        else:
            per_scene[scene_id] = "PASS"
    if not judged:
        return MetricResult(name="ratchets", value=None, verdict="PASS", detail="no scene has cues inside it")
    share = ratcheted / judged
    return MetricResult(
        name="ratchets",
        value=round(share, 4),
        verdict=_above(share, t.ratchet_warn, t.ratchet_fail),
        detail=f"{ratcheted} of {judged} scenes end their cues more than {t.ratchet_tolerance:g} from their base key, "
        f"step after step" + worst,
        per_scene=per_scene,
    )


def _time_stretches(
    base: LightingInstruction, inside: list[LightingInstruction], changes: list[int], keys: set[str]
) -> list[list[float]]:
    """The key level cue by cue, in stretches of one time of day: a new time (a dawn inside the scene) is a new
    base, so the morning coming up is not a climb."""
    stretches = [[_key(base, keys)]]
    pending = list(changes)
    for cue in inside:
        at = cue.called_on.char_offset
        if pending and at is not None and at >= pending[0]:
            while pending and at >= pending[0]:
                pending.pop(0)
            stretches.append([])
        stretches[-1].append(_key(cue, keys))
    return [s for s in stretches if s]


def _ratchet(levels: list[float], visible: float) -> tuple[float, float] | None:
    """(from, to) when the levels move away from the first step after step in one direction, since they were last
    back at it (a restore, then a sleep, is one step away), else None."""
    home = max(i for i, level in enumerate(levels) if abs(level - levels[0]) < visible)
    levels = [levels[0], *levels[home + 1 :]]
    drift = levels[-1] - levels[0]
    steps = [b - a for a, b in zip(levels, levels[1:], strict=False) if abs(b - a) >= visible]
    same_way = len(steps) >= 2 and all((s > 0) == (drift > 0) for s in steps[-2:])
    return (levels[0], levels[-1]) if same_way else None


def specials_left_open(ctx: PlanContext) -> MetricResult:
    """A special a cue opens must be closed by a later cue once its moment has passed: a special still above
    the scene's base at its last cue, opened more than special_open_lines before the scene's end, was left on."""
    roles = group_roles(ctx.rig)
    specials = {g for g, r in roles.items() if r == "special"}
    t = ctx.thresholds
    scenes = {s.scene_id: s for s in ctx.scenes}
    opened_total = left = 0
    per_scene: dict[str, Verdict] = {}
    first = ""
    for scene_id, cues in _by_scene(ctx.plan).items():
        scene = scenes.get(scene_id)
        base = next((c for c in cues if c.called_on.kind == "scene_start"), None)
        if base is None or scene is None or scene.source is None or not specials:
            continue
        base_level = {g.group_id: g.parameters.intensity for g in base.groups if g.group_id in specials}
        opened_at: dict[str, int] = {}
        for cue in cues[1:]:
            for group in cue.groups:
                if group.group_id not in specials:
                    continue
                up = group.parameters.intensity > base_level.get(group.group_id, 0.0) + t.visible_change
                if up and group.group_id not in opened_at and is_internal(cue):
                    opened_at[group.group_id] = cue.called_on.script_line or scene.source.start_line
                    opened_total += 1
                elif not up:
                    opened_at.pop(group.group_id, None)
        stale = {g: line for g, line in opened_at.items() if scene.source.end_line - line > t.special_open_lines}
        per_scene[scene_id] = "FAIL" if stale else "PASS"
        left += len(stale)
        if stale and not first:
            group, line = next(iter(stale.items()))
            first = f"; first: {scene_id} {group} opened at line {line}, still up at the scene's end"
    if not opened_total:
        return MetricResult(name="specials_left_open", value=None, verdict="PASS", detail="no cue opens a special")
    share = left / opened_total
    return MetricResult(
        name="specials_left_open",
        value=round(share, 4),
        # WARN at most: a special still up may be lighting someone still on stage (a taper carried to the end),
        # which the plan alone cannot show; Phase 4 closes each special with its reason (decision/cue_states.py).
        verdict="WARN" if left else "PASS",
        detail=f"{left} of {opened_total} specials opened inside scenes are still up at the scene's end" + first,
        per_scene=per_scene,
    )


@lru_cache(maxsize=1)
def _time_statements() -> dict[str, re.Pattern[str]]:
    phrases = vocabulary().present_time_statements
    return {light: re.compile(r"\b(?:" + "|".join(p) + r")\b", re.IGNORECASE) for light, p in phrases.items()}


def _own_words(scene: Scene) -> str | None:
    """'dark' or 'light' when the scene's opening words say so in the present tense, and only one way."""
    opening = scene.text[: max(1, int(len(scene.text) * vocabulary().opening_share))]
    hits = {light: len(pattern.findall(opening)) for light, pattern in _time_statements().items()}
    said = [light for light, n in hits.items() if n]
    return said[0] if len(said) == 1 else None


def time_against_words(ctx: PlanContext) -> MetricResult:
    """The time each scene's base cue assumed against the scene's own present-tense words (a greeting, 'tis
    night', 'how still the evening is'), where they speak one way."""
    assumed = {
        c.scene_id: c.metadata.time_of_day for c in ctx.plan if c.called_on.kind == "scene_start" and c.metadata is not None
    }
    judged = wrong = 0
    per_scene: dict[str, Verdict] = {}
    first = ""
    for scene in ctx.scenes:
        said = _own_words(scene)
        plan_time = assumed.get(scene.scene_id)
        if said is None or plan_time is None:
            continue
        judged += 1
        agrees = light_or_dark(plan_time) == said
        per_scene[scene.scene_id] = "PASS" if agrees else "FAIL"
        if not agrees:
            wrong += 1
            first = first or f"; first: {scene.scene_id} lit as {plan_time}, its words say {said}"
    if not judged:
        return MetricResult(name="time_against_words", value=None, verdict="PASS", detail="no scene says its time")
    share = (judged - wrong) / judged
    t = ctx.thresholds
    return MetricResult(
        name="time_against_words",
        value=round(share, 4),
        verdict="FAIL" if share < t.time_words_fail else "WARN" if share < t.time_words_warn else "PASS",
        detail=f"{judged - wrong} of {judged} scenes that say their time are lit at it" + first,
        per_scene=per_scene,
    )


def gold_cues(ctx: PlanContext) -> MetricResult:
    """Recall of a designer's must cues, when a gold file was given; precision and must-not moments in the detail."""
    if ctx.gold is None:
        return MetricResult(name="gold_cues", value=None, verdict="PASS", detail="no gold file given")
    score = score_against_gold(ctx.scenes, ctx.plan, ctx.gold)
    t = ctx.thresholds
    recall, precision = score.recall, score.precision
    if recall is None:
        return MetricResult(name="gold_cues", value=None, verdict="WARN", detail="the gold file has no must cues")
    verdict: Verdict = "FAIL" if recall < t.gold_recall_fail else "WARN" if recall < t.gold_recall_warn else "PASS"
    if precision is not None and precision < t.gold_precision_warn and verdict == "PASS":
        verdict = "WARN"
    if len(score.must_not_cued) > t.gold_must_not_max:
        verdict = "FAIL"
    per_scene: dict[str, Verdict] = {}
    detail = (
        f"must cues found {len(score.found)}/{score.must_count}; precision "
        + (f"{precision:.2f}" if precision is not None else "-")
        + f" ({len(score.near_gold)}/{len(score.internal)}); must-not moments cued {len(score.must_not_cued)}; "
        f"time of day {score.time_right}/{score.dated}"
    )
    if score.missed:
        detail += f"; first missed: {score.missed[0].scene} {score.missed[0].anchor!r}"
    return MetricResult(name="gold_cues", value=round(recall, 4), verdict=verdict, detail=detail, per_scene=per_scene)


CUE_STATE_METRICS = (no_op_cues, ratchets, specials_left_open, time_against_words, gold_cues)
