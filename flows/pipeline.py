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
from prefect.states import Failed, State
from prefect.utilities.annotations import quote
from pydantic import TypeAdapter, ValidationError

from phases.contracts import ParsedScript, PipelineResult, Scene

from . import tasks
from .artifacts import progress_tracker
from .config import PipelineConfig
from .environment import default_scene_concurrency
from .errors import HardFailureError, PhaseNotImplementedError
from .failure_rules import RunStopped, failure_rule
from .outputs import OutputFolderBusyError, OutputTargetError, folder_lock, new_work_folder, remove_stale, replace_problem
from .phase_results import phase_result
from .plan_run import OUTPUT_FILES, PlanRun
from .progress import emit
from .scale_out import dask_task_runner, scenes_on_dask
from .scene import SceneOutcome, outcome_of, register_scenes, release_scenes, scene_flow, scene_key, script_tag

__all__ = ["OUTPUT_FILES", "lighting_pipeline"]

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
                outcome.phases.append(phase_result(4, scene_id=scene.scene_id, status="skipped"))
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
                name = Path(script_path).name if script_path else source_name
                run = PlanRun(work, final, started, script_path or source_name, name, _dry_run_inside(config, final, work))
                return await _plan_into(run, script_path, text)
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


async def _plan_into(run: PlanRun, script_path: str | None, text: str | None) -> PipelineResult | State:
    """The pipeline's body, one phase after another; flows/failure_rules.py says what a failure does to the run."""
    if (script_path is None) == (text is None):
        return run.finish("give exactly one of script_path and text")
    try:
        parsed = await _parse(run, script_path, text)
        outcomes = await _plan_scenes(run, parsed)
        await _sequence_and_export(run, outcomes)
        if run.failed_scenes and not run.config.continue_on_scene_failure:
            reason = next(o.error for o in outcomes if o.error)
            raise RunStopped(f"scene {run.failed_scenes[0]} failed and continue_on_scene_failure is off: {reason}")
        await _preview(run)
        await _evaluate(run, outcomes)
        await _send_dmx(run)
    except RunStopped as stopped:
        return run.finish(stopped.reason)
    return run.finish()


async def _parse(run: PlanRun, script_path: str | None, text: str | None) -> ParsedScript:
    with failure_rule("parse", 1, run.record):
        if run.config.enable_phase_1:
            parsed, seconds = await tasks.parse_script(script_path, text, run.name, run.config)
            facts = {"script_type": parsed.script_type, "confidence": parsed.confidence, "reader": parsed.reader}
            run.record(phase_result(1, seconds, **facts, scenes=len(parsed.scenes)))
        else:
            parsed = _load_scenes(script_path, text, run.name)
            run.record(phase_result(1, status="skipped", scenes=len(parsed.scenes)))
    emit("parsed", script_type=parsed.script_type, confidence=parsed.confidence, scenes=len(parsed.scenes))
    return parsed


async def _plan_scenes(run: PlanRun, parsed: ParsedScript) -> list[SceneOutcome]:
    """Phases 2, 3 and 4, a subflow a scene; a scene that fails is recorded and the others go on."""
    if run.config.enable_phase_5:
        _warm_plotting()
    try:
        with tags(script_tag(run.name)):
            outcomes = await _run_scenes(parsed.scenes, run.config, run.name)
    except (PhaseNotImplementedError, HardFailureError) as exc:
        raise RunStopped(str(exc)) from None
    for outcome in outcomes:
        run.phases.extend(outcome.phases)
    run.scenes = [o.scene for o in outcomes]
    run.failed_scenes = [o.scene.scene_id for o in outcomes if o.error]
    run.write("scenes", run.scenes)
    return outcomes


async def _sequence_and_export(run: PlanRun, outcomes: list[SceneOutcome]) -> None:
    planned = [o for o in outcomes if o.cues is not None]
    if not planned:
        return
    cues = [cue for o in planned for cue in o.cues or []]
    run.plan, seconds = await tasks.sequence_plan(quote(cues), quote([o.scene for o in planned]), run.config.rig)  # type: ignore[misc]
    run.record(phase_result(4, seconds, cues=len(run.plan)))
    run.write("lighting_instructions", run.plan)
    with failure_rule("export", 4, run.record):
        exports, seconds = await tasks.export_cue_files(str(run.work), Path(run.name).stem, run.config.rig)
        run.files.update({key: str(run.final / Path(path).name) for key, path in exports.items()})
        run.record(phase_result(4, seconds, exports=sorted(exports)))


async def _preview(run: PlanRun) -> None:
    if not (run.config.enable_phase_5 and run.plan):
        run.record(phase_result(5, status="skipped"))
        return
    with failure_rule("preview", 5, run.record):
        page, seconds = await tasks.render_preview(run.name, quote(run.scenes), quote(run.plan), None, run.config.rig)
        run.write("preview", page)
        run.record(phase_result(5, seconds, bytes=len(page)))
        png, seconds = await tasks.render_timeline_png(run.name, quote(run.scenes), quote(run.plan), run.config.rig)
        run.write("timeline", png)
        run.record(phase_result(5, seconds, bytes=len(png), plot=True))


async def _evaluate(run: PlanRun, outcomes: list[SceneOutcome]) -> None:
    if not (run.config.enable_phase_7 and run.plan):
        run.record(phase_result(7, status="skipped"))
        return
    planned = [o for o in outcomes if o.cues is not None]
    with failure_rule("evaluation", 7, run.record):
        second, replan_seconds = None, 0.0
        if not run.config.use_llm:  # a model's answers may vary by design: determinism is a rules-mode promise
            scenes, knowledge = quote([o.scene for o in planned]), quote([o.knowledge for o in planned])
            second, replan_seconds = await tasks.replan(scenes, knowledge, run.config.rig)  # type: ignore[arg-type]
        scenes, plan, config = quote(run.scenes), quote(run.plan), run.config
        run.report, seconds = await tasks.evaluate_plan(scenes, plan, quote(second), config.rig, config.gold_file)
        run.write("report", run.report)
        run.record(phase_result(7, seconds + replan_seconds, verdict=run.report.verdict))
    if run.config.enable_phase_5:
        with failure_rule("preview", 5, run.record):  # the preview shows the verdicts too: render it again
            report = quote(run.report)
            page, seconds = await tasks.render_preview(run.name, quote(run.scenes), quote(run.plan), report, run.config.rig)
            run.write("preview", page)
            run.record(phase_result(5, seconds, bytes=len(page), with_report=True))


async def _send_dmx(run: PlanRun) -> None:
    if not run.config.enable_phase_8:
        run.record(phase_result(8, status="skipped", reason="enable_phase_8 is off"))
        return
    with failure_rule("dmx", 8, run.record):
        stats, seconds = await tasks.send_dmx(quote(run.plan), run.config)
        run.record(phase_result(8, seconds, **stats))


def _dry_run_inside(config: PipelineConfig, final: Path, work: Path) -> PipelineConfig:
    """A DMX dry run into --out is written into the work folder, so it is swapped in with the rest."""
    target = config.dmx_dry_run_path
    if not target or not Path(target).is_relative_to(final):
        return config
    return config.model_copy(update={"dmx_dry_run_path": str(work / Path(target).relative_to(final))})


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
