"""Compose the retrieved rules into a base look: a level, a balance between groups, and colours."""

from collections import defaultdict
from dataclasses import dataclass

from phases.contracts import Colour, Rig, Scene, ScoredRule
from phases.knowledge import KnowledgeBase

from .look import GroupState, Look
from .rig_limits import fixed_colour, group_ceiling
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
    target = _target_mired(override, weighted, reasoning)
    choice = _assign_colours(kb, rules, override, colours, target, settings, reasoning)
    for group in kb.rig.groups:
        share = balance.get(group.group_id, settings.default_group_balance)
        intensity = max(0.0, min(group_ceiling(kb.rig, group.group_id), level * share))
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


def _mired(kelvin: float) -> float:
    return 1e6 / kelvin


def _target_mired(override: ScoredRule | None, rules: list[ScoredRule], reasoning: list[str]) -> float | None:
    """The rules' colour temperatures blended by score, in mireds (the scale gel conversions work in)."""
    if override and override.rule.color_temperature:
        source = [override]
    else:
        source = [r for r in rules if r.rule.color_temperature and r.rule.blend != "additive"]
    if not source:
        return None
    total = sum(r.score for r in source)
    if total <= 0:
        return None
    mired = sum(r.score * (_mired(r.rule.color_temperature.min) + _mired(r.rule.color_temperature.max)) / 2 for r in source)  # type: ignore[union-attr]
    target = mired / total
    reasoning.append(f"colour temperature blended to about {round(_mired(target), -2):.0f} K")
    return target


def _face_safe(colour: Colour, settings: EngineSettings) -> bool:
    return (colour.kelvin or 0) <= settings.face_safe_max_kelvin and min(colour.rgb) >= settings.face_safe_min_channel


def _closest(names: list[str], weights: dict[str, float], kb: KnowledgeBase, target: float | None) -> list[str]:
    """Names ordered by distance from the target temperature; ties (and no target) by weight, then name."""

    def key(name: str) -> tuple[float, float, str]:
        kelvin = kb.colour(name).kelvin
        distance = abs(_mired(kelvin) - target) if target is not None and kelvin else 0.0
        return (round(distance, 3), -weights.get(name, 0.0), name)

    return sorted(names, key=key)


def _assign_colours(
    kb: KnowledgeBase,
    rules: list[ScoredRule],
    override: ScoredRule | None,
    weights: dict[str, float],
    target: float | None,
    settings: EngineSettings,
    reasoning: list[str],
) -> dict[str, str]:
    """McCandless and Pilbrow: the front keeps faces readable; the cyc, back and side light carry the motivating
    source and the mood. Each of those groups takes its colour from the rule that leads its role (settings'
    colour_roles: time of day and place for the cyc, sun or moon for the back light, the mood for the side), so a
    colour that many minor rules list in passing cannot outvote the rules that lead the scene."""
    ranked = [name for name, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    safe_ranked = [n for n in ranked if _face_safe(kb.colour(n), settings)]
    safe_top = weights[safe_ranked[0]] if safe_ranked else 0.0
    safe = _closest([n for n in safe_ranked if weights[n] >= settings.colour_candidate_share * safe_top], weights, kb, target)
    front = safe[0] if safe else "neutral_white"
    wanted = {"front_wash": front, "specials": safe[1] if len(safe) > 1 else front}
    with_palette = [override] if override and override.rule.palette else [r for r in rules if r.rule.palette]
    for group, kinds in settings.colour_roles.items():
        leader = next((r for kind in kinds for r in with_palette if r.rule.context_type == kind), None)
        if leader is None:
            wanted[group] = ranked[0] if ranked else front
            continue
        palette = leader.rule.palette
        taken = {wanted.get(g) for g in settings.colour_roles if g != group}
        # the side light sculpts with the leader's next colour when its first is already on the back light
        colour = next((c for c in palette if c not in taken), palette[0]) if group == "side_fill" else palette[0]
        wanted[group] = colour
        reasoning.append(f"{group} {colour} from {leader.rule.rule_id}")
    return {group: fixed_colour(kb.rig, group) or wanted.get(group, front) for group in kb.rig.group_ids()}
