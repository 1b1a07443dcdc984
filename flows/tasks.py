"""One Prefect task per phase call. Each times its phase's own code and returns (value, seconds).

Task names start with `phase-N-`, which is how run_snapshot tells phases apart. The tasks carry no tags on
purpose: Prefect 3.8 asks the server for tag-concurrency slots on every run of a tagged task.
"""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE

import phases.decision
import phases.emotion
import phases.evaluation
import phases.export
import phases.hardware
import phases.knowledge
import phases.parsing
import phases.preview
import phases.rig
from phases.contracts import (
    EvaluationReport,
    LightingInstruction,
    ParsedScript,
    Scene,
    SceneKnowledge,
)

from .config import PipelineConfig
from .errors import PhaseNotImplementedError
from .outputs import write_json_atomic

T = TypeVar("T")
Timed = tuple[T, float]

# Results stay in memory: the pipeline writes its own output files atomically.
LEAN = {"persist_result": False, "cache_policy": NO_CACHE, "log_prints": False}


def knowledge_base(rig: str | None) -> "phases.knowledge.KnowledgeBase":
    """The knowledge for the run's rig (config.rig), cached by the rig file's path and mtime."""
    return phases.knowledge.load_knowledge(rig=rig)


def timed(fn: Callable[[], T], phase: int) -> Timed[T]:
    start = time.perf_counter()
    try:
        value = fn()
    except NotImplementedError as exc:
        raise PhaseNotImplementedError(f"phase {phase} is not implemented: {exc}") from exc
    return value, time.perf_counter() - start


@task(name="phase-1-parse", **LEAN)
async def parse_script(
    script_path: str | None, text: str | None, source_name: str, config: PipelineConfig
) -> Timed[ParsedScript]:
    options = phases.parsing.ParseOptions(max_bytes=config.max_script_bytes)
    if script_path is not None:
        return timed(lambda: phases.parsing.parse_file(script_path, options), 1)
    return timed(lambda: phases.parsing.parse_text(text or "", name=source_name, options=options), 1)


@task(name="phase-2-emotion", task_run_name="phase-2-emotion-{scene.scene_id}", **LEAN)
async def read_emotion(scene: Scene) -> Timed[Scene]:
    return timed(lambda: phases.emotion.read_scene_emotion(scene), 2)


@task(name="phase-3-knowledge", task_run_name="phase-3-knowledge-{scene.scene_id}", **LEAN)
async def retrieve_knowledge(scene: Scene, index: int, total: int, config: PipelineConfig) -> Timed[SceneKnowledge]:
    def run() -> SceneKnowledge:
        kb = knowledge_base(config.rig)
        return phases.knowledge.retrieve(scene, kb, phases.knowledge.ScenePosition(index, total), genre=config.genre)

    return timed(run, 3)


@task(name="phase-4-decide", task_run_name="phase-4-decide-{scene.scene_id}", **LEAN)
async def decide_lighting(scene: Scene, knowledge: SceneKnowledge, config: PipelineConfig) -> Timed[list[LightingInstruction]]:
    """The scene's cues, in order."""
    if not config.use_llm:
        return timed(lambda: phases.decision.LightingDecisionEngine(kb=knowledge_base(config.rig)).cues(scene, knowledge), 4)
    llm = phases.decision.LlmSettings.resolve(
        base_url=config.llm_base_url,
        model=config.llm_model,
        api_key_env=config.llm_api_key_env,
        timeout_seconds=config.llm_timeout_seconds,
        max_retries=config.llm_max_retries,
    )
    # A network call: off the event loop, so other scene subflows keep running meanwhile.
    return await asyncio.to_thread(
        timed, lambda: phases.decision.LightingDecisionEngine(kb=knowledge_base(config.rig), llm=llm).cues(scene, knowledge), 4
    )


@task(name="phase-4-sequence", **LEAN)
async def sequence_plan(
    plan: list[LightingInstruction], scenes: list[Scene], rig: str | None = None
) -> Timed[list[LightingInstruction]]:
    """The whole show's cue list: continuity, show-structure cues and console numbers."""
    return timed(lambda: phases.decision.LightingDecisionEngine(kb=knowledge_base(rig)).sequence(plan, scenes), 4)


@task(name="phase-4-replan", **LEAN)
async def replan(
    scenes: list[Scene], scene_knowledge: list[SceneKnowledge], rig: str | None = None
) -> Timed[list[LightingInstruction]]:
    """Phase 4 again, bare, on the same input: the second run the determinism metric compares."""
    return timed(lambda: phases.decision.LightingDecisionEngine(kb=knowledge_base(rig)).plan(scenes, scene_knowledge), 4)


@task(name="export-cue-files", **LEAN)  # not a phase task: run_snapshot counts phases by name
async def export_cue_files(plan_dir: str, show_name: str, rig: str | None = None) -> Timed[dict[str, str]]:
    """The finished plan out to the console and the prompt book, beside it: the rig's record (rig_patch.json),
    ASCII cues, QLC+ workspace, cue sheets."""

    def run() -> dict[str, str]:
        rig_path = Path(rig) if rig else None
        # The rig the plan was made for, beside it: `cueflow export` and `cueflow play` then need no --rig.
        record = write_json_atomic(Path(plan_dir) / phases.export.RIG_PATCH_FILE, phases.export.rig_record(rig_path))
        written = phases.export.export_plan(Path(plan_dir), list(phases.export.FORMATS), Path(plan_dir), rig_path, show_name)
        return {"rig_patch": str(record), **{f"export_{name}": str(path) for name, path in written.items()}}

    return timed(run, 4)


@task(name="phase-5-preview", **LEAN)
async def render_preview(
    title: str, scenes: list[Scene], plan: list[LightingInstruction], report: EvaluationReport | None, rig: str | None = None
) -> Timed[str]:
    def run() -> str:
        kb = knowledge_base(rig)
        profiles = phases.rig.load_rig(rig).profiles if rig else None  # the rig's own fixture definitions
        return phases.preview.render_preview(title, scenes, plan, kb.rig, list(kb.colours.values()), report, profiles)

    return timed(run, 5)


@task(name="phase-5-timeline-plot", **LEAN)
async def render_timeline_png(
    title: str, scenes: list[Scene], plan: list[LightingInstruction], rig: str | None = None
) -> Timed[bytes]:
    return timed(lambda: phases.preview.timeline_png(title, scenes, plan, knowledge_base(rig).rig), 5)


@task(name="phase-7-evaluate", **LEAN)
async def evaluate_plan(
    scenes: list[Scene],
    plan: list[LightingInstruction],
    second: list[LightingInstruction] | None,
    rig: str | None = None,
    gold_file: str | None = None,
) -> Timed[EvaluationReport]:
    def run() -> EvaluationReport:
        kb = knowledge_base(rig)
        gold = phases.evaluation.load_gold(Path(gold_file)) if gold_file else None
        colours, rules = list(kb.colours.values()), list(kb.rules)
        return phases.evaluation.evaluate(scenes, plan, kb.rig, colours, rules, second_plan=second, gold=gold)

    return timed(run, 7)


def dmx_settings(config: PipelineConfig) -> "phases.hardware.PlaybackSettings":
    return phases.hardware.PlaybackSettings.defaults(
        speed=config.dmx_speed, universe_offset=config.dmx_universe - 1, host=config.olad_host, port=config.olad_port
    )


@task(name="phase-8-dmx", **LEAN)
async def send_dmx(plan: list[LightingInstruction], config: PipelineConfig) -> Timed[dict[str, float]]:
    """Play the plan once through olad (or render it to config.dmx_dry_run_path), off the event loop."""
    dry_run = Path(config.dmx_dry_run_path) if config.dmx_dry_run_path else None
    players: list[phases.hardware.ShowPlayer] = []

    def run() -> dict[str, float]:
        return phases.hardware.run_show(plan, dmx_settings(config), dry_run=dry_run, player_ready=players.append, rig=config.rig)

    try:
        return await asyncio.to_thread(timed, run, 8)
    except asyncio.CancelledError:
        for player in players:  # the thread notices within one frame, blacks out and returns
            player.stop()
        raise
