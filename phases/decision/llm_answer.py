"""Read, validate and repair a model's answer into a look. Whatever the model says, the result fits the contract
and the rig; every repair is written down so metadata can say what was changed."""

import json
import math
import re
from dataclasses import dataclass

from pydantic import ValidationError

from phases.contracts import Effect, Transition
from phases.knowledge import KnowledgeBase

from .llm_settings import LlmSettings
from .look import GroupState, Look
from .rig_limits import fixed_colour, group_ceiling

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL | re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MARKUP = re.compile(r"[<>`]")


class LlmAnswerError(ValueError):
    """The answer cannot be used at all (not JSON, or no usable group)."""


@dataclass
class RepairedAnswer:
    look: Look
    transition: Transition | None
    reasoning: str
    repairs: list[str]


def parse_json(content: str) -> dict[str, object]:
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise LlmAnswerError("the answer is not JSON") from None
        try:
            value = json.loads(text[start : end + 1])
        except ValueError:
            raise LlmAnswerError("the answer is not valid JSON") from None
    if not isinstance(value, dict):
        raise LlmAnswerError("the answer is JSON but not an object")
    return value


def repair(answer: dict[str, object], baseline: Look, kb: KnowledgeBase, llm: LlmSettings) -> RepairedAnswer:
    repairs: list[str] = []
    items = _group_items(answer.get("groups"), repairs)
    look = Look(groups={gid: GroupState(s.intensity, s.colour, s.effect, s.focus_area) for gid, s in baseline.groups.items()})
    used: set[str] = set()
    for item in items:
        gid = item.get("group_id")
        if not isinstance(gid, str) or gid not in look.groups:
            repairs.append(f"dropped group {_short(gid)}: the rig has no such group")
            continue
        if gid in used:
            repairs.append(f"{gid}: given twice, the first kept")
            continue
        used.add(gid)
        _apply_group(gid, item, look.groups[gid], kb, llm, repairs)
    if not used:
        raise LlmAnswerError("the answer names no group of the rig")
    for gid in look.groups.keys() - used:
        repairs.append(f"{gid}: missing from the answer, the rules' look kept")
    return RepairedAnswer(
        look=look,
        transition=_transition(answer.get("transition"), repairs),
        reasoning=_plain(answer.get("reasoning"), llm.max_reasoning_chars),
        repairs=repairs,
    )


def _group_items(raw: object, repairs: list[str]) -> list[dict[str, object]]:
    if isinstance(raw, dict):  # {"front_wash": {...}} instead of a list
        repairs.append("groups given as an object, read as a list")
        raw = [{"group_id": k, **v} if isinstance(v, dict) else {"group_id": k} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise LlmAnswerError("the answer has no list of groups")
    return [item for item in raw if isinstance(item, dict)]


def _apply_group(
    gid: str, item: dict[str, object], state: GroupState, kb: KnowledgeBase, llm: LlmSettings, repairs: list[str]
) -> None:
    ceiling = group_ceiling(kb.rig, gid)
    gel = fixed_colour(kb.rig, gid)
    raw = item.get("intensity")
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        repairs.append(f"{gid}: intensity {_short(raw)} is not a number, the rules' level kept")
    elif not 0 <= raw <= ceiling:
        state.intensity = max(0.0, min(ceiling, float(raw)))
        repairs.append(f"{gid}: intensity {raw:g} outside 0..{ceiling:g}, clamped to {state.intensity:g}")
    else:
        state.intensity = float(raw)
    colour = item.get("color", item.get("colour"))
    name = colour.strip().lower().replace(" ", "_").replace("-", "_") if isinstance(colour, str) else None
    if name in kb.colours and gel is not None and name != gel:
        repairs.append(f"{gid}: cannot mix colour, keeps its gel {gel} instead of {name}")
    elif name in kb.colours:
        state.colour = name
    else:
        repairs.append(f"{gid}: colour {_short(colour)} is not in the colour table, the rules' colour kept")
    effect = item.get("effect")
    state.effect = None
    if effect is not None:
        try:
            state.effect = Effect.model_validate(effect)
        except ValidationError:
            repairs.append(f"{gid}: effect {_short(effect)} is invalid, dropped")
    focus = item.get("focus_area")
    state.focus_area = _plain(focus, llm.max_focus_chars) or None if isinstance(focus, str) else None


def _transition(raw: object, repairs: list[str]) -> Transition | None:
    if raw is None:
        return None
    try:
        transition = Transition.model_validate(raw)
    except ValidationError:
        repairs.append(f"transition {_short(raw)} is invalid, the rules' transition used")
        return None
    if transition.type == "cut" and transition.duration:
        transition = Transition(type="cut", duration=0.0)
    return transition


def _plain(value: object, limit: int) -> str:
    """Model text kept as inert plain text: no control characters, no markup brackets, bounded length."""
    if not isinstance(value, str):
        return ""
    text = _MARKUP.sub("", _CONTROL.sub(" ", value))
    return " ".join(text.split())[:limit]


def _short(value: object) -> str:
    return _plain(json.dumps(value, default=str), 60) or "null"
