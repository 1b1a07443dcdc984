"""One Prefect task per phase call. Each times its phase's own code and returns (value, seconds)."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE

import phases.decision
import phases.emotion
import phases.evaluation
import phases.knowledge
import phases.parsing
import phases.preview
from phases.contracts import (
    EvaluationReport,
    LightingInstruction,
    ParsedScript,
    Scene,
    SceneKnowledge,
)

from .config import PipelineConfig
from .errors import PhaseNotImplementedError

T = TypeVar("T")
Timed = tuple[T, float]

# Results stay in memory: the pipeline writes its own output files atomically.
LEAN = {"persist_result": False, "cache_policy": NO_CACHE, "log_prints": False}


def timed(fn: Callable[[], T], phase: int) -> Timed[T]:
    start = time.perf_counter()
    try:
        value = fn()
    except NotImplementedError as exc:
        raise PhaseNotImplementedError(f"phase {phase} is not implemented: {exc}") from exc
    return value, time.perf_counter() - start


@task(name="phase-1-parse", tags=["phase:1"], **LEAN)
async def parse_script(
    script_path: str | None, text: str | None, source_name: str, config: PipelineConfig
) -> Timed[ParsedScript]:
    options = phases.parsing.ParseOptions(max_bytes=config.max_script_bytes)
    if script_path is not None:
        return timed(lambda: phases.parsing.parse_file(script_path, options), 1)
    return timed(lambda: phases.parsing.parse_text(text or "", name=source_name, options=options), 1)


@task(name="phase-2-emotion", task_run_name="phase-2-emotion-{scene.scene_id}", tags=["phase:2"], **LEAN)
async def read_emotion(scene: Scene) -> Timed[Scene]:
    return timed(lambda: scene.model_copy(update={"emotion": phases.emotion.detect_emotion(scene)}), 2)


@task(name="phase-3-knowledge", task_run_name="phase-3-knowledge-{scene.scene_id}", tags=["phase:3"], **LEAN)
async def retrieve_knowledge(scene: Scene, index: int, total: int, config: PipelineConfig) -> Timed[SceneKnowledge]:
    def run() -> SceneKnowledge:
        kb = phases.knowledge.load_knowledge()
        return phases.knowledge.retrieve(scene, kb, phases.knowledge.ScenePosition(index, total), genre=config.genre)

    return timed(run, 3)


@task(name="phase-4-decide", task_run_name="phase-4-decide-{scene.scene_id}", tags=["phase:4"], **LEAN)
async def decide_lighting(scene: Scene, knowledge: SceneKnowledge, config: PipelineConfig) -> Timed[LightingInstruction]:
    if config.use_llm:
        raise PhaseNotImplementedError("phase 4 LLM mode is not implemented yet; run without use_llm")
    return timed(lambda: phases.decision.LightingDecisionEngine().decide(scene, knowledge), 4)


@task(name="phase-4-sequence", tags=["phase:4"], **LEAN)
async def sequence_plan(plan: list[LightingInstruction]) -> Timed[list[LightingInstruction]]:
    return timed(lambda: phases.decision.LightingDecisionEngine().sequence(plan), 4)


@task(name="phase-4-replan", tags=["phase:4"], **LEAN)
async def replan(scenes: list[Scene], knowledge: list[SceneKnowledge]) -> Timed[list[LightingInstruction]]:
    """Phase 4 again, bare, on the same input: the second run the determinism metric compares."""
    return timed(lambda: phases.decision.LightingDecisionEngine().plan(scenes, knowledge), 4)


@task(name="phase-5-preview", tags=["phase:5"], **LEAN)
async def render_preview(
    title: str, scenes: list[Scene], plan: list[LightingInstruction], report: EvaluationReport | None
) -> Timed[str]:
    def run() -> str:
        kb = phases.knowledge.load_knowledge()
        return phases.preview.render_preview(title, scenes, plan, kb.rig, list(kb.colours.values()), report)

    return timed(run, 5)


@task(name="phase-7-evaluate", tags=["phase:7"], **LEAN)
async def evaluate_plan(
    scenes: list[Scene], plan: list[LightingInstruction], second: list[LightingInstruction] | None
) -> Timed[EvaluationReport]:
    def run() -> EvaluationReport:
        kb = phases.knowledge.load_knowledge()
        return phases.evaluation.evaluate(scenes, plan, kb.rig, list(kb.colours.values()), list(kb.rules), second_plan=second)

    return timed(run, 7)


@task(name="phase-8-dmx", tags=["phase:8"], **LEAN)
async def send_dmx(plan_dir: Path, config: PipelineConfig) -> Timed[dict[str, float]]:
    raise PhaseNotImplementedError("phase 8 (DMX through OLA) is not implemented yet")
