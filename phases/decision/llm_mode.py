"""LLM mode: ask an OpenAI-compatible model for the scene's look, with bounded retries, validation and repair.
Any failure falls back to the rules' look; metadata says which happened and why."""

import time
from dataclasses import dataclass, field
from typing import Literal

from phases.contracts import Scene, SceneKnowledge, Transition
from phases.knowledge import KnowledgeBase

from .llm_answer import LlmAnswerError, RepairedAnswer, parse_json, repair
from .llm_client import ChatClient, LlmCallError
from .llm_prompt import build_messages
from .llm_settings import LlmSettings
from .look import Look


@dataclass
class LlmOutcome:
    method: Literal["llm", "llm_repaired", "rules_fallback"]
    look: Look
    transition: Transition | None
    reasoning: str
    notes: list[str] = field(default_factory=list)


def ask_for_look(scene: Scene, knowledge: SceneKnowledge, kb: KnowledgeBase, baseline: Look, llm: LlmSettings) -> LlmOutcome:
    messages = build_messages(scene, knowledge, kb, baseline, llm)
    notes: list[str] = []
    attempts = 1 + llm.max_retries
    answer: RepairedAnswer | None = None
    with ChatClient(llm) as client:
        for attempt in range(1, attempts + 1):
            if attempt > 1 and llm.backoff_seconds:
                time.sleep(llm.backoff_seconds * 2 ** (attempt - 2))
            try:
                answer = repair(parse_json(client.complete(messages)), baseline, kb, llm)
                break
            except LlmCallError as exc:
                notes.append(f"LLM attempt {attempt}/{attempts}: {exc}")
                if not exc.retryable:
                    break
            except LlmAnswerError as exc:
                notes.append(f"LLM attempt {attempt}/{attempts}: {exc}")
    if answer is None:
        notes.append("no usable LLM answer: the rules' look is used")
        return LlmOutcome(method="rules_fallback", look=baseline, transition=None, reasoning="", notes=notes)
    notes.extend(f"repaired: {r}" for r in answer.repairs)
    return LlmOutcome(
        method="llm_repaired" if answer.repairs else "llm",
        look=answer.look,
        transition=answer.transition,
        reasoning=answer.reasoning,
        notes=notes,
    )
