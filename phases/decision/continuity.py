"""Continuity between consecutive scenes: transition type and time follow the size of the change."""

from collections.abc import Sequence

from phases.contracts import LightingInstruction, Transition
from phases.knowledge import KnowledgeBase

from .settings import EngineSettings

SPEED_ORDER = ["snap", "quick", "medium", "slow", "very_slow"]


def look_change(previous: LightingInstruction | None, current: LightingInstruction, kb: KnowledgeBase) -> float:
    """0 (identical) .. 1 (black to full in a new colour): intensity and colour distance, averaged."""
    before = {g.group_id: g for g in previous.groups} if previous else {}
    deltas = []
    for group in current.groups:
        old = before.get(group.group_id)
        old_level = old.parameters.intensity if old else 0.0
        level = group.parameters.intensity
        d_colour = 0.0
        if old and max(old_level, level) > 0.05:
            a, b = kb.colour(old.parameters.color).rgb, kb.colour(group.parameters.color).rgb
            d_colour = (sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5) / 441.7
        deltas.append(0.6 * abs(level - old_level) + 0.4 * d_colour * max(old_level, level))
    return min(1.0, 2 * sum(deltas) / max(len(deltas), 1))


def rules_transition(
    speed_votes: dict[str, float], type_votes: dict[str, float], settings: EngineSettings, scene_seconds: float
) -> Transition:
    speed = max(speed_votes.items(), key=lambda kv: (kv[1], kv[0]))[0] if speed_votes else "medium"
    kind = max(type_votes.items(), key=lambda kv: (kv[1], kv[0]))[0] if type_votes else "fade"
    if kind == "cut" or speed == "snap":
        return Transition(type="cut", duration=0.0)
    return Transition(type=kind, duration=clamp_duration(settings.speed_seconds[speed], scene_seconds, settings))  # type: ignore[arg-type]


def clamp_duration(seconds: float, scene_seconds: float, settings: EngineSettings) -> float:
    seconds = min(seconds, settings.max_transition_share * scene_seconds)
    return round(max(seconds, settings.min_transition_seconds), 2)


def sequence(plan: Sequence[LightingInstruction], kb: KnowledgeBase, settings: EngineSettings) -> list[LightingInstruction]:
    """Set each rules-led transition from the size of the change from the scene before."""
    result: list[LightingInstruction] = []
    previous: LightingInstruction | None = None
    for instruction in plan:
        meta = instruction.metadata
        if meta is None or meta.transition_source == "script":
            result.append(instruction)
            previous = instruction
            continue
        proposed = next((g.transition for g in instruction.groups if g.transition), None) or Transition(type="fade", duration=3.0)
        change = look_change(previous, instruction, kb)
        seconds = instruction.time_window.duration
        if change >= settings.change_big:
            if proposed.type == "cut":
                transition, why = Transition(type="cut", duration=0.0), f"a big change ({change:.2f}) where the rules allow a cut"
            else:
                transition = Transition(type="fade", duration=clamp_duration(settings.speed_seconds["quick"], seconds, settings))
                why = f"a big change ({change:.2f}): quick fade"
        elif change <= settings.change_small:
            slow = max(proposed.duration, settings.speed_seconds["slow"])
            kind = "crossfade" if previous is not None and proposed.type != "cut" else "fade"
            transition, why = (
                Transition(type=kind, duration=clamp_duration(slow, seconds, settings)),
                f"a small change ({change:.2f}): slow {kind}",
            )  # type: ignore[arg-type]
        else:
            kind = "fade" if proposed.type == "cut" else proposed.type
            duration = settings.speed_seconds["medium"] if proposed.type == "cut" else proposed.duration
            transition, why = (
                Transition(type=kind, duration=clamp_duration(duration, seconds, settings)),
                f"a moderate change ({change:.2f}): {kind}",
            )  # type: ignore[arg-type]
        groups = [g.model_copy(update={"transition": transition}) for g in instruction.groups]
        reasoning = f"{meta.reasoning}; {transition.type} over {transition.duration:g} s: {why}"
        updated = instruction.model_copy(
            update={
                "groups": groups,
                "metadata": meta.model_copy(update={"transition_source": "continuity", "reasoning": reasoning}),
            }
        )
        result.append(updated)
        previous = updated
    return result
