"""Compose the retrieved rules into a base look: a level, a balance between groups, and colours."""

from collections import defaultdict
from dataclasses import dataclass

from phases.contracts import Colour, Rig, Scene, ScoredRule
from phases.knowledge import KnowledgeBase

from .look import GroupState, Look
from .settings import EngineSettings


@dataclass(frozen=True)
class Composition:
    look: Look
    level: float
    speed_votes: dict[str, float]
    type_votes: dict[str, float]
    reasoning: list[str]


def compose(scene: Scene, rules: list[ScoredRule], kb: KnowledgeBase, settings: EngineSettings) -> Composition:
    override = next((r for r in rules if r.rule.blend == "override"), None)
    weighted = [r for r in rules if r.rule.blend == "weighted"]
    reasoning: list[str] = []

    level = _level(scene, override, weighted, reasoning)
    balance = _balance(kb.rig, override, rules, settings)
    colours = _colour_weights(override, rules)
    look = Look(groups={})
    choice = _assign_colours(kb, colours, settings)
    for group in kb.rig.groups:
        share = balance.get(group.group_id, settings.default_group_balance)
        ceiling = min(group.max_intensity, max(f.constraints.max_intensity for f in kb.rig.fixtures_in(group.group_id)))
        intensity = max(0.0, min(ceiling, level * share))
        look.groups[group.group_id] = GroupState(intensity=round(intensity, 3), colour=choice[group.group_id])
    speed_votes: dict[str, float] = defaultdict(float)
    type_votes: dict[str, float] = defaultdict(float)
    for scored in ([override] if override else []) + [r for r in rules if r is not override]:
        if scored.rule.transition:
            speed_votes[scored.rule.transition.speed] += scored.score
            for rank, kind in enumerate(scored.rule.transition.types):
                type_votes[kind] += scored.score / (1 + rank)
    return Composition(look=look, level=level, speed_votes=dict(speed_votes), type_votes=dict(type_votes), reasoning=reasoning)


def _level(scene: Scene, override: ScoredRule | None, weighted: list[ScoredRule], reasoning: list[str]) -> float:
    if override and override.rule.intensity:
        low, high = override.rule.intensity.min, override.rule.intensity.max
        reasoning.append(f"{override.rule.rule_id} sets the level ({override.rule.description})")
    else:
        ranged = [r for r in weighted if r.rule.intensity]
        if not ranged:
            reasoning.append("no rule sets a level: a neutral general cover")
            return 0.65
        total = sum(r.score for r in ranged)
        low = sum(r.score * r.rule.intensity.min for r in ranged) / total  # type: ignore[union-attr]
        high = sum(r.score * r.rule.intensity.max for r in ranged) / total  # type: ignore[union-attr]
        leaders = ", ".join(f"{r.rule.rule_id} ({r.score:.2f})" for r in ranged[:3])
        reasoning.append(f"level blended from {leaders}")
    position = 0.5
    if scene.emotion is not None:
        # Within the range: pleasant scenes sit higher, agitated ones get more contrast (lower key).
        position = 0.5 + 0.3 * scene.emotion.valence - 0.1 * (scene.emotion.arousal - 0.5)
    position = max(0.0, min(1.0, position))
    return round(low + (high - low) * position, 4)


def _balance(rig: Rig, override: ScoredRule | None, rules: list[ScoredRule], settings: EngineSettings) -> dict[str, float]:
    if override and override.rule.group_balance:
        return dict(override.rule.group_balance)
    sums: dict[str, float] = defaultdict(float)
    weights: dict[str, float] = defaultdict(float)
    for scored in rules:
        factor = 0.5 if scored.rule.blend == "additive" else 1.0
        for group, share in scored.rule.group_balance.items():
            sums[group] += scored.score * factor * share
            weights[group] += scored.score * factor
    return {g: sums[g] / weights[g] for g in rig.group_ids() if weights.get(g)}


def _colour_weights(override: ScoredRule | None, rules: list[ScoredRule]) -> dict[str, float]:
    weights: dict[str, float] = defaultdict(float)
    source = [override] if override and override.rule.palette else rules
    for scored in source:
        for rank, name in enumerate(scored.rule.palette):
            weights[name] += scored.score / (1 + rank)
    return dict(weights)


def _face_safe(colour: Colour, settings: EngineSettings) -> bool:
    return (colour.kelvin or 0) <= settings.face_safe_max_kelvin and min(colour.rgb) >= settings.face_safe_min_channel


def _assign_colours(kb: KnowledgeBase, weights: dict[str, float], settings: EngineSettings) -> dict[str, str]:
    """McCandless: the front keeps faces readable; back, side and cyc carry the mood colour."""
    ranked = [name for name, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    safe = [n for n in ranked if _face_safe(kb.colour(n), settings)]
    mood = ranked[0] if ranked else "neutral_white"
    second = ranked[1] if len(ranked) > 1 else mood
    front = safe[0] if safe else "neutral_white"
    wanted = {
        "front_wash": front,
        "specials": safe[1] if len(safe) > 1 else front,
        "back_light": mood,
        "side_fill": second,
        "ambient": mood,
    }
    chosen = {}
    for group in kb.rig.group_ids():
        colour = wanted.get(group, front)
        fixtures = kb.rig.fixtures_in(group)
        if not any("color" in f.capabilities for f in fixtures):
            colour = fixtures[0].fixed_color or colour
        chosen[group] = colour
    return chosen
