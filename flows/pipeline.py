"""Phase 6: the lighting pipeline as a Prefect flow, with one subflow per scene.

Large arguments go to tasks wrapped in `quote()`: Prefect otherwise walks every field of every Scene
twice per task call, looking for futures to resolve (the largest client-side cost in a profile).

Order: 1 parse -> per scene (2 emotion -> 3 knowledge -> 4 decide -> contract check) -> 4 sequence
-> 5 preview -> 7 evaluate -> 8 DMX (only when enable_phase_8). Prefect's task and flow run states
are the execution record: every task is named `phase-N-...`, every scene subflow is named and tagged by its
scene id. Tasks carry no tags: Prefect asks the server for tag-concurrency slots on every run of a tagged task
(an API call and a lease write each), which cost about 50 ms per scene here.
"""

import asyncio
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import Task, flow, tags
from prefect.context import TagsContext
from prefect.runtime import flow_run as current_flow_run
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote
from pydantic import TypeAdapter, ValidationError

import phases.knowledge
from phases.contracts import (
    EvaluationReport,
    LightingInstruction,
    ParsedScript,
    PhaseResult,
    PipelineOutput,
    PipelineResult,
    Scene,
    SceneKnowledge,
)
from phases.parsing import ParseError

from . import tasks
from .artifacts import progress_tracker, publish_run_artifacts
from .caching import cached
from .config import PipelineConfig
from .contract_check import check_instruction
from .errors import ContractViolationError, HardFailureError, NonFatalError, PhaseNotImplementedError
from .outputs import write_bytes_atomic, write_json_atomic, write_text_atomic
from .progress import emit

PHASE_NAMES = {1: "parse", 2: "emotion", 3: "knowledge", 4: "decision", 5: "preview", 7: "evaluation", 8: "dmx"}
OUTPUT_FILES = {
    "scenes": "scenes.json",
    "lighting_instructions": "lighting_instructions.json",
    "result": "result.json",
    "report": "report.json",
    "preview": "preview.html",
    "timeline": "timeline.png",
}
PROGRESS_MIN_SCENES = 40  # a progress artifact only for runs long enough to watch


def _phase(
    phase: int,
    seconds: float = 0.0,
    scene_id: str | None = None,
    error: str | None = None,
    status: str | None = None,
    **data: object,
) -> PhaseResult:
    status = status or ("failed" if error else "completed")
    return PhaseResult(
        phase=phase,
        name=PHASE_NAMES[phase],
        success=status in ("completed", "skipped", "degraded"),
        status=status,
        scene_id=scene_id,
        data=data,
        error=error,
        duration=round(seconds, 6),
    )  # type: ignore[arg-type]


async def _call(task: Task[Any, Any], *args: object) -> tuple[Any, float, bool]:
    """(value, seconds of phase work, whether it came from the cache) of a timed task."""
    state = await task(*args, return_state=True)
    value, seconds = await state.result()
    hit = state.name == "Cached"
    return value, 0.0 if hit else seconds, hit


@lru_cache(maxsize=2)
def _scene_tasks(cache: bool) -> tuple[Task[Any, Any], Task[Any, Any], Task[Any, Any]]:
    chosen = (tasks.read_emotion, tasks.retrieve_knowledge, tasks.decide_lighting)
    return tuple(cached(t) for t in chosen) if cache else chosen  # type: ignore[return-value]


class SceneOutcome:
    """What one scene subflow produced.

    A plain class on purpose: Prefect walks every dataclass and pydantic model a flow returns, field by
    field, looking for futures, and this one holds the scene's whole text, its rules and its instruction.
    """

    __slots__ = ("scene", "knowledge", "instruction", "phases", "error")

    def __init__(self, scene: Scene, error: str | None = None) -> None:
        self.scene = scene
        self.knowledge: SceneKnowledge | None = None
        self.instruction: LightingInstruction | None = None
        self.phases: list[PhaseResult] = []
        self.error = error


def script_tag(name: str) -> str:
    """The tag every run of one script carries (the parent run and its scene subflows)."""
    return f"script:{name}"


def _scene_run_name() -> str:
    """A scene subflow's name: the script and the scene's heading, so the Runs list tells plays and scenes apart."""
    scene = current_flow_run.parameters["scene"]
    script = next((t.removeprefix("script:") for t in sorted(current_flow_run.tags) if t.startswith("script:")), None)
    heading = " ".join((scene.heading or scene.location or scene.scene_id).split())[:80]
    return f"{script} · {heading}" if script else heading


@flow(name="scene", flow_run_name=_scene_run_name, persist_result=False, validate_parameters=False, log_prints=False)
async def scene_flow(scene: Scene, index: int, total: int, config: PipelineConfig) -> SceneOutcome | State:
    """Phases 2, 3 and 4 for one scene, then the contract check. Fails the subflow when the scene fails."""
    # Short on purpose: Prefect reads and tokenizes a subflow's source on every call. The subflow keeps its
    # scene tag; its tasks must not inherit it.
    with TagsContext(current_tags=set()):
        return await _scene_phases(scene, index, total, config)


async def _scene_phases(scene: Scene, index: int, total: int, config: PipelineConfig) -> SceneOutcome | State:
    read_emotion, retrieve_knowledge, decide_lighting = _scene_tasks(config.caches_scene_work)
    outcome = SceneOutcome(scene=scene)
    sid = scene.scene_id
    if config.enable_phase_2:
        try:
            outcome.scene, seconds, hit = await _call(read_emotion, quote(scene))
            emotion = outcome.scene.emotion
            outcome.phases.append(_phase(2, seconds, sid, primary=emotion.primary if emotion else None, cached=hit))
        except PhaseNotImplementedError:
            raise
        except Exception as exc:  # NonFatalError semantics: the scene goes on without an emotion
            error = NonFatalError(f"{sid}: emotion failed ({type(exc).__name__}: {exc}); going on without it")
            outcome.phases.append(_phase(2, 0.0, sid, error=str(error)))
            emit("warning", message=str(error))
    else:
        outcome.phases.append(_phase(2, scene_id=sid, status="skipped"))
    try:
        if config.enable_phase_3:
            outcome.knowledge, seconds, hit = await _call(retrieve_knowledge, quote(outcome.scene), index, total, config)
            outcome.phases.append(_phase(3, seconds, sid, rules=len(outcome.knowledge.rules), cached=hit))
        else:
            kb = phases.knowledge.load_knowledge()
            outcome.knowledge = SceneKnowledge(scene_id=sid, rules=[], fixture_ids=[], kb_version=kb.version)
            outcome.phases.append(_phase(3, scene_id=sid, status="skipped"))
        if not config.enable_phase_4:
            outcome.phases.append(_phase(4, scene_id=sid, status="skipped"))
            return outcome
        instruction, seconds, hit = await _call(decide_lighting, quote(outcome.scene), quote(outcome.knowledge), config)
        kb = phases.knowledge.load_knowledge()
        outcome.instruction = check_instruction(instruction, outcome.scene, kb.rig, set(kb.colours))
        outcome.phases.append(_phase(4, seconds, sid, groups=len(outcome.instruction.groups), cached=hit))
        return outcome
    except PhaseNotImplementedError:
        raise
    except Exception as exc:
        kind = "contract violation" if isinstance(exc, ContractViolationError) else type(exc).__name__
        outcome.error = f"{sid}: {kind}: {exc}" if not isinstance(exc, ContractViolationError) else str(exc)
        failed_phase = 4 if outcome.knowledge is not None else 3
        outcome.phases.append(_phase(failed_phase, 0.0, sid, error=outcome.error))
        return Failed(message=outcome.error, data=outcome)


async def outcome_of(state: State, scene: Scene) -> "SceneOutcome":
    """The SceneOutcome a scene subflow ended with (its data, whether it completed or failed)."""
    result = await state.result(raise_on_failure=False) if state.is_failed() else await state.result()
    if isinstance(result, BaseException):
        raise result
    return result if isinstance(result, SceneOutcome) else SceneOutcome(scene=scene, error=state.message)


async def _run_scenes(scenes: list[Scene], config: PipelineConfig, name: str) -> list[SceneOutcome]:
    if config.task_runner == "dask":
        from .scale_out import dask_task_runner, scenes_on_dask

        runner = dask_task_runner(config)
        outcomes = await scenes_on_dask.with_options(task_runner=runner)(quote(scenes), config)  # type: ignore[arg-type]
        for index, outcome in enumerate(outcomes):
            emit(
                "scene",
                index=index,
                total=len(scenes),
                scene_id=outcome.scene.scene_id,
                failed=outcome.error is not None,
                done=index + 1,
            )
        return outcomes  # type: ignore[return-value]
    limit = asyncio.Semaphore(config.scene_concurrency)
    done = 0
    stop = asyncio.Event()
    # Each progress update is an API write (SQLite lock contention), so report in tenths.
    tracker = progress_tracker(10, script=name) if len(scenes) >= PROGRESS_MIN_SCENES else None
    step = max(1, len(scenes) // 10)

    async def one(index: int, scene: Scene) -> SceneOutcome:
        nonlocal done
        async with limit:
            if stop.is_set():
                outcome = SceneOutcome(scene=scene, error=f"{scene.scene_id}: not run after an earlier scene failed")
                outcome.phases.append(_phase(4, scene_id=scene.scene_id, status="skipped"))
                return outcome
            with tags(f"scene:{scene.scene_id}"):
                state = await scene_flow(scene, index, len(scenes), config, return_state=True)
            outcome = await outcome_of(state, scene)
            done += 1
            emit("scene", index=index, total=len(scenes), scene_id=scene.scene_id, failed=outcome.error is not None, done=done)
            if tracker is not None and done % step == 0 and tracker.done < 10:
                tracker.advance(description=f"{done} of {len(scenes)} scenes planned")
            if outcome.error and not config.continue_on_scene_failure:
                stop.set()
            return outcome

    try:
        outcomes = list(await asyncio.gather(*(one(i, s) for i, s in enumerate(scenes))))
        if tracker is not None:
            tracker.finish(description=f"{len(scenes)} scenes planned")
    finally:
        if tracker is not None:
            tracker.close()
    return outcomes


@flow(name="lighting-pipeline", persist_result=False, log_prints=False)
async def lighting_pipeline(
    script_path: str | None = None,
    text: str | None = None,
    config: PipelineConfig = PipelineConfig(),
    source_name: str = "text",
) -> PipelineResult | State:
    """Turn a script (a path, or raw text) into a lighting plan, preview and report in config.output_dir."""
    started = time.perf_counter()
    out = Path(config.output_dir).expanduser()
    phase_results: list[PhaseResult] = []
    name = Path(script_path).name if script_path else source_name
    scenes_so_far: list[Scene] = []
    plan_so_far: list[LightingInstruction] = []
    report_so_far: list[EvaluationReport] = []

    def finish(success: bool, error: str | None = None, output: PipelineOutput | None = None) -> PipelineResult | State:
        result = PipelineResult(
            success=success,
            script=script_path or source_name,
            flow_run_id=str(current_flow_run.id),
            phases=phase_results,
            final_output=output,
            error=error,
            total_duration=round(time.perf_counter() - started, 6),
            phase_work_duration=round(sum(p.duration for p in phase_results), 6),
        )
        write_json_atomic(out / OUTPUT_FILES["result"], result)
        if plan_so_far:
            try:
                publish_run_artifacts(result, scenes_so_far, plan_so_far, report_so_far[0] if report_so_far else None)
            except Exception as exc:  # the record in the UI is a convenience; the files are the result
                emit("warning", message=f"could not publish Prefect artifacts: {type(exc).__name__}: {exc}")
        emit("done", result=result)
        return Completed(data=result) if success else Failed(message=error or "the run failed", data=result)

    if (script_path is None) == (text is None):
        return finish(False, "give exactly one of script_path and text")

    # Phase 1 is fatal: no scenes, no show.
    try:
        if config.enable_phase_1:
            parsed, seconds = await tasks.parse_script(script_path, text, source_name, config)
            phase_results.append(
                _phase(
                    1,
                    seconds,
                    script_type=parsed.script_type,
                    confidence=parsed.confidence,
                    reader=parsed.reader,
                    scenes=len(parsed.scenes),
                )
            )
        else:
            parsed = _load_scenes(script_path, text, name)
            phase_results.append(_phase(1, status="skipped", scenes=len(parsed.scenes)))
    except PhaseNotImplementedError as exc:
        phase_results.append(_phase(1, error=str(exc)))
        return finish(False, str(exc))
    except (ParseError, HardFailureError) as exc:
        error = str(HardFailureError(str(exc)))
        phase_results.append(_phase(1, error=error))
        return finish(False, error)
    except Exception as exc:
        error = f"phase 1 failed: {type(exc).__name__}: {exc}"
        phase_results.append(_phase(1, error=error))
        return finish(False, error)
    emit("parsed", script_type=parsed.script_type, confidence=parsed.confidence, scenes=len(parsed.scenes))

    try:
        with tags(script_tag(name)):
            outcomes = await _run_scenes(parsed.scenes, config, name)
    except (PhaseNotImplementedError, HardFailureError) as exc:
        return finish(False, str(exc))
    for outcome in outcomes:
        phase_results.extend(outcome.phases)
    scenes = [o.scene for o in outcomes]
    scenes_so_far.extend(scenes)
    failed = [o.scene.scene_id for o in outcomes if o.error]
    planned = [o for o in outcomes if o.instruction is not None]
    write_json_atomic(out / OUTPUT_FILES["scenes"], scenes)
    files = {"scenes": str(out / OUTPUT_FILES["scenes"])}

    plan: list[LightingInstruction] = []
    if planned:
        plan, seconds = await tasks.sequence_plan(quote([o.instruction for o in planned]))  # type: ignore[misc]
        phase_results.append(_phase(4, seconds, cues=len(plan)))
        plan_so_far.extend(plan)
        write_json_atomic(out / OUTPUT_FILES["lighting_instructions"], plan)
        files["lighting_instructions"] = str(out / OUTPUT_FILES["lighting_instructions"])
    if failed and not config.continue_on_scene_failure:
        error = f"scene {failed[0]} failed and continue_on_scene_failure is off: {next(o.error for o in outcomes if o.error)}"
        return finish(False, error, _output(out, files, scenes, plan, failed, None))

    report: EvaluationReport | None = None
    later_error: str | None = None
    current = 5
    try:
        if config.enable_phase_5 and plan:
            page, seconds = await tasks.render_preview(name, quote(scenes), quote(plan), None)
            write_text_atomic(out / OUTPUT_FILES["preview"], page)
            files["preview"] = str(out / OUTPUT_FILES["preview"])
            phase_results.append(_phase(5, seconds, bytes=len(page)))
            png, seconds = await tasks.render_timeline_png(name, quote(scenes), quote(plan))
            write_bytes_atomic(out / OUTPUT_FILES["timeline"], png)
            files["timeline"] = str(out / OUTPUT_FILES["timeline"])
            phase_results.append(_phase(5, seconds, bytes=len(png), plot=True))
        else:
            phase_results.append(_phase(5, status="skipped"))
        current = 7
        if config.enable_phase_7 and plan:
            knowledge = [o.knowledge for o in planned]
            second, replan_seconds = None, 0.0
            if not config.use_llm:  # a model's answers may vary by design: determinism is a rules-mode promise
                second, replan_seconds = await tasks.replan(quote([o.scene for o in planned]), quote(knowledge))  # type: ignore[arg-type]
            report, seconds = await tasks.evaluate_plan(quote(scenes), quote(plan), quote(second))
            write_json_atomic(out / OUTPUT_FILES["report"], report)
            report_so_far.append(report)
            files["report"] = str(out / OUTPUT_FILES["report"])
            phase_results.append(_phase(7, seconds + replan_seconds, verdict=report.verdict))
            if config.enable_phase_5:
                # The preview shows the verdicts too: re-render it now that Phase 7 has run.
                page, seconds = await tasks.render_preview(name, quote(scenes), quote(plan), quote(report))
                write_text_atomic(out / OUTPUT_FILES["preview"], page)
                phase_results.append(_phase(5, seconds, bytes=len(page), with_report=True))
        else:
            phase_results.append(_phase(7, status="skipped"))
        current = 8
        if config.enable_phase_8:
            stats, seconds = await tasks.send_dmx(quote(plan), config)
            phase_results.append(_phase(8, seconds, **stats))
        else:
            phase_results.append(_phase(8, status="skipped", reason="enable_phase_8 is off"))
    except Exception as exc:
        later_error = (
            str(exc) if isinstance(exc, PhaseNotImplementedError) else f"phase {current} failed: {type(exc).__name__}: {exc}"
        )
        phase_results.append(_phase(current, error=later_error))

    output = _output(out, files, scenes, plan, failed, report)
    if later_error:
        return finish(False, later_error, output)
    if failed:
        return finish(False, f"{len(failed)} of {len(scenes)} scenes failed: {', '.join(failed[:5])}", output)
    return finish(True, None, output)


def _output(
    out: Path,
    files: dict[str, str],
    scenes: list[Scene],
    plan: list[LightingInstruction],
    failed: list[str],
    report: EvaluationReport | None,
) -> PipelineOutput:
    files = {**files, "result": str(out / OUTPUT_FILES["result"])}
    return PipelineOutput(
        output_dir=str(out),
        files=files,
        scene_count=len(scenes),
        instruction_count=len(plan),
        failed_scenes=failed,
        evaluation_verdict=report.verdict if report else None,
    )


def _load_scenes(script_path: str | None, text: str | None, name: str) -> ParsedScript:
    """With Phase 1 off, the input must already be scenes: a scenes.json from an earlier run."""
    raw = Path(script_path).read_text(encoding="utf-8") if script_path else text or ""
    try:
        scenes = TypeAdapter(list[Scene]).validate_json(raw)
    except ValidationError as exc:
        raise HardFailureError(
            f"{name}: with phase 1 off the input must be a scenes.json list ({exc.error_count()} errors)"
        ) from None
    if not scenes:
        raise HardFailureError(f"{name}: the scenes list is empty")
    return ParsedScript(source_name=name, script_type=scenes[0].script_type, confidence=1.0, reader="scenes_json", scenes=scenes)
