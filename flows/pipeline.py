"""Phase 6: the lighting pipeline as a Prefect flow, with one subflow per scene.

Large arguments go to tasks wrapped in `quote()`: Prefect otherwise walks every field of every Scene
twice per task call, looking for futures to resolve (the largest client-side cost in a profile).

Order: 1 parse -> per scene (2 emotion -> 3 knowledge -> 4 decide -> contract check) -> 4 sequence
-> 5 preview -> 7 evaluate -> 8 DMX (only when enable_phase_8). Prefect's task and flow run states
are the execution record: every task is named `phase-N-...`; each scene subflow (flows/scene.py) is named after
the script and the scene's heading and tagged by scene id and script. Tasks carry no tags: Prefect asks the
server for tag-concurrency slots on every run of a tagged task (an API call and a lease write each), which cost
about 50 ms per scene here.
"""

import asyncio
import importlib
import shutil
import threading
import time
import uuid
from pathlib import Path

from prefect import flow, tags
from prefect.runtime import flow_run as current_flow_run
from prefect.states import Completed, Failed, State
from prefect.utilities.annotations import quote
from pydantic import TypeAdapter, ValidationError

from phases.contracts import (
    EvaluationReport,
    LightingInstruction,
    ParsedScript,
    PhaseResult,
    PipelineOutput,
    PipelineResult,
    Scene,
)
from phases.export import ExportError
from phases.parsing import ParseError

from . import tasks
from .artifacts import progress_tracker, publish_run_artifacts
from .config import PipelineConfig
from .environment import default_scene_concurrency
from .errors import HardFailureError, PhaseNotImplementedError
from .outputs import (
    OutputFolderBusyError,
    OutputTargetError,
    folder_lock,
    new_work_folder,
    publish,
    remove_stale,
    replace_problem,
    write_bytes_atomic,
    write_json_atomic,
    write_text_atomic,
)
from .progress import emit
from .scale_out import dask_task_runner, scenes_on_dask
from .scene import SceneOutcome, outcome_of, register_scenes, release_scenes, scene_flow, scene_key, script_tag
from .scene import phase_result as _phase

OUTPUT_FILES = {
    "scenes": "scenes.json",
    "lighting_instructions": "lighting_instructions.json",
    "result": "result.json",
    "report": "report.json",
    "preview": "preview.html",
    "timeline": "timeline.png",
}
PROGRESS_MIN_SCENES = 40  # a progress artifact only for runs long enough to watch


def _warm_plotting() -> None:
    """Import the timeline's plotting library (about 0.9 s) in a thread while the scene subflows wait on the API;
    phase 5's own import then finds it loaded (or waits on the import lock for the rest)."""
    threading.Thread(target=importlib.import_module, args=("phases.preview.plot",), daemon=True).start()


async def _run_scenes(scenes: list[Scene], config: PipelineConfig, name: str) -> list[SceneOutcome]:
    if config.task_runner == "dask":
        runner = dask_task_runner(config)
        keys = register_scenes(scenes)
        try:
            outcomes = await scenes_on_dask.with_options(task_runner=runner)(keys, config)
        finally:
            release_scenes(keys)
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
    limit = asyncio.Semaphore(config.scene_concurrency or default_scene_concurrency())
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
                state = await scene_flow(scene.scene_id, scene_key(scene), index, len(scenes), config, return_state=True)
            outcome = await outcome_of(state, scene)
            done += 1
            emit("scene", index=index, total=len(scenes), scene_id=scene.scene_id, failed=outcome.error is not None, done=done)
            if tracker is not None and done % step == 0 and tracker.done < 10:
                tracker.advance(description=f"{done} of {len(scenes)} scenes planned")
            if outcome.error and not config.continue_on_scene_failure:
                stop.set()
            return outcome

    keys = register_scenes(scenes)
    try:
        outcomes = list(await asyncio.gather(*(one(i, s) for i, s in enumerate(scenes))))
        if tracker is not None:
            tracker.finish(description=f"{len(scenes)} scenes planned")
    finally:
        release_scenes(keys)
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
    """Turn a script (a path, or raw text) into a lighting plan, preview and report in config.output_dir.

    The folder is built aside and swapped in whole when the run ends, failed or not (a failed run's folder holds
    its result.json and what it got to); a run that dies on the way leaves the previous folder as it was.
    """
    started = time.perf_counter()
    final = Path(config.output_dir).expanduser().resolve()
    try:
        with folder_lock(final):
            problem = replace_problem(final, Path(script_path) if script_path else None)
            if problem:
                raise OutputTargetError(problem)
            remove_stale(final)
            work = new_work_folder(final)
            try:
                return await _plan_into(work, final, started, script_path, text, config, source_name)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except (OutputFolderBusyError, OutputTargetError, OSError) as exc:  # nothing was written
        known = isinstance(exc, OutputFolderBusyError | OutputTargetError)
        error = str(exc) if known else f"cannot write the outputs in {final}: {exc}"
        result = PipelineResult(
            success=False,
            script=script_path or source_name,
            flow_run_id=str(current_flow_run.id or uuid.uuid4()),
            phases=[],
            error=error,
            total_duration=round(time.perf_counter() - started, 6),
            phase_work_duration=0.0,
        )
        emit("done", result=result)
        return Failed(message=error, data=result)


async def _plan_into(
    out: Path,
    final: Path,
    started: float,
    script_path: str | None,
    text: str | None,
    config: PipelineConfig,
    source_name: str,
) -> PipelineResult | State:
    """The pipeline's body: files are written to `out` (the work folder), their paths recorded under `final`."""
    if config.dmx_dry_run_path and Path(config.dmx_dry_run_path).is_relative_to(final):  # a dry run into --out
        inside = Path(config.dmx_dry_run_path).relative_to(final)
        config = config.model_copy(update={"dmx_dry_run_path": str(out / inside)})
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
        publish(out, final)
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

    if config.enable_phase_5:
        _warm_plotting()
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
    planned = [o for o in outcomes if o.cues is not None]
    write_json_atomic(out / OUTPUT_FILES["scenes"], scenes)
    files = {"scenes": str(final / OUTPUT_FILES["scenes"])}

    plan: list[LightingInstruction] = []
    if planned:
        cues = [cue for o in planned for cue in o.cues or []]
        plan, seconds = await tasks.sequence_plan(quote(cues), quote([o.scene for o in planned]), config.rig)  # type: ignore[misc]
        phase_results.append(_phase(4, seconds, cues=len(plan)))
        plan_so_far.extend(plan)
        write_json_atomic(out / OUTPUT_FILES["lighting_instructions"], plan)
        files["lighting_instructions"] = str(final / OUTPUT_FILES["lighting_instructions"])
        try:
            exports, seconds = await tasks.export_cue_files(str(out), Path(name).stem, config.rig)
            files.update({key: str(final / Path(path).name) for key, path in exports.items()})
            phase_results.append(_phase(4, seconds, exports=sorted(exports)))
        except Exception as exc:  # the plan stands; its console files could not be made
            problem = str(exc) if isinstance(exc, ExportError) else f"{type(exc).__name__}: {exc}"
            phase_results.append(_phase(4, status="degraded", error=f"export: {problem}"))
            emit("warning", message=f"could not export the plan: {problem}")
    if failed and not config.continue_on_scene_failure:
        error = f"scene {failed[0]} failed and continue_on_scene_failure is off: {next(o.error for o in outcomes if o.error)}"
        return finish(False, error, _output(final, files, scenes, plan, failed, None))

    report: EvaluationReport | None = None
    later_error: str | None = None
    current = 5
    try:
        if config.enable_phase_5 and plan:
            page, seconds = await tasks.render_preview(name, quote(scenes), quote(plan), None, config.rig)
            write_text_atomic(out / OUTPUT_FILES["preview"], page)
            files["preview"] = str(final / OUTPUT_FILES["preview"])
            phase_results.append(_phase(5, seconds, bytes=len(page)))
            png, seconds = await tasks.render_timeline_png(name, quote(scenes), quote(plan), config.rig)
            write_bytes_atomic(out / OUTPUT_FILES["timeline"], png)
            files["timeline"] = str(final / OUTPUT_FILES["timeline"])
            phase_results.append(_phase(5, seconds, bytes=len(png), plot=True))
        else:
            phase_results.append(_phase(5, status="skipped"))
        current = 7
        if config.enable_phase_7 and plan:
            knowledge = [o.knowledge for o in planned]
            second, replan_seconds = None, 0.0
            if not config.use_llm:  # a model's answers may vary by design: determinism is a rules-mode promise
                second, replan_seconds = await tasks.replan(quote([o.scene for o in planned]), quote(knowledge), config.rig)  # type: ignore[arg-type]
            report, seconds = await tasks.evaluate_plan(quote(scenes), quote(plan), quote(second), config.rig)
            write_json_atomic(out / OUTPUT_FILES["report"], report)
            report_so_far.append(report)
            files["report"] = str(final / OUTPUT_FILES["report"])
            phase_results.append(_phase(7, seconds + replan_seconds, verdict=report.verdict))
            if config.enable_phase_5:
                # The preview shows the verdicts too: re-render it now that Phase 7 has run.
                page, seconds = await tasks.render_preview(name, quote(scenes), quote(plan), quote(report), config.rig)
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

    output = _output(final, files, scenes, plan, failed, report)
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
