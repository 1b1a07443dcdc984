"""Deployment-facing flows: typed parameters the Prefect UI renders as a form, checked as user input.

Every path parameter is resolved and confined to a configured root; a bad value ends the run Failed with a
message that names the parameter, never a silent default. The roots come from the serving process:
CUEFLOW_INPUT_ROOTS (os.pathsep-separated; default: the directory `cueflow serve` was started in) and
CUEFLOW_OUTPUT_ROOT (default: ./out under that directory). Relative parameters resolve against them.
"""

import asyncio
import os
from pathlib import Path
from typing import Any

from prefect import flow, get_client, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run as current_run
from prefect.states import Completed, Failed, State
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from phases.contracts import BatchSummary, LightingInstruction, PipelineResult

from . import tasks
from .artifacts import artifact_key
from .batch import BATCH_MARK, BatchLockedError, run_changed_scripts
from .config import HARDWARE_FIELDS, PipelineConfig, require_gate
from .errors import PhaseNotImplementedError
from .heap import freeze_long_lived
from .outputs import output_folder
from .parameter_names import fail_on_bad_parameter_names
from .pipeline import lighting_pipeline
from .scene import script_tag
from .signals import install_in_served_run

# This module is the entry point of every served run's process: Ctrl-C and SIGTERM there end the run as they end a
# CLI run (a playing show blacks out, one line), not with Prefect's tracebacks; serve then records the end.
install_in_served_run()

INPUT_ROOTS_VAR = "CUEFLOW_INPUT_ROOTS"
OUTPUT_ROOT_VAR = "CUEFLOW_OUTPUT_ROOT"
DRY_RUN_FILE = "dmx_frames.jsonl"

# The form's `config` section: PipelineConfig without the fields the deployments take as their own
# parameters (output_dir, enable_phase_8, the DMX settings, which the form shows beside Phase 8) and without the
# ones that only the serving machine may set: a file path the run writes to, which environment variable holds the
# LLM key, and where the run connects to: the LLM endpoint (the serving machine sends its API key there) and the
# Dask scheduler (an arbitrary address hung a run for 4 minutes). Those come from `cueflow serve --llm-base-url
# /--dask-address` or the serving environment ($CUEFLOW_LLM_BASE_URL, $CUEFLOW_DASK_ADDRESS). Derived, so the
# sections and the config cannot drift.
SERVER_ONLY = {
    "llm_base_url": "the LLM endpoint is the serving machine's choice (cueflow serve --llm-base-url, $CUEFLOW_LLM_BASE_URL)",
    "dask_address": "the Dask cluster is the serving machine's choice (cueflow serve --dask-address, $CUEFLOW_DASK_ADDRESS)",
    "llm_api_key_env": "the key's variable is the serving machine's choice",
    "dmx_dry_run_path": "the dry-run file is the serving machine's choice",
}
_NOT_IN_FORM = {"output_dir", "enable_phase_8", *SERVER_ONLY, *HARDWARE_FIELDS}
DASK_ADDRESS_VAR = "CUEFLOW_DASK_ADDRESS"


def _section(name: str, doc: str, fields: object) -> type[BaseModel]:
    chosen = {n: (info.annotation, info) for n, info in PipelineConfig.model_fields.items() if fields(n)}  # type: ignore[operator]
    return create_model(name, __config__=ConfigDict(extra="forbid", frozen=True), __doc__=doc, **chosen)  # type: ignore[call-overload]


PipelineOptions = _section("PipelineOptions", "What to plan, and the design choices.", lambda name: name not in _NOT_IN_FORM)
DmxOptions = _section("DmxOptions", "Where and how Phase 8 plays the plan.", lambda name: name in HARDWARE_FIELDS)


class ParameterError(ValueError):
    """A flow parameter that cannot be used as given; the message starts with the parameter's name."""


def input_roots() -> list[Path]:
    raw = os.environ.get(INPUT_ROOTS_VAR, "")
    roots = [Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p] or [Path.cwd().resolve()]
    return roots


def output_root() -> Path:
    return Path(os.environ.get(OUTPUT_ROOT_VAR) or Path.cwd() / "out").expanduser().resolve()


def confine(parameter: str, value: str, roots: list[Path], must_exist: str | None = None) -> Path:
    """Resolve `value` (relative to the first root) and refuse it unless it lies inside one of the roots.

    must_exist: None, "file" or "dir".
    """
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise ParameterError(f"{parameter}: expected a non-empty path, got {_short(value)}")
    try:
        path = (roots[0] / Path(value).expanduser()).resolve()
        if any(len(os.fsencode(part)) > 255 for part in path.parts):  # NAME_MAX: found here, not when writing
            raise OSError(36, "File name too long")
        if not any(path.is_relative_to(root) for root in roots):
            allowed = ", ".join(str(r) for r in roots)
            raise ParameterError(f"{parameter}: {_short(value)} resolves to {path}, outside the allowed roots ({allowed})")
        if must_exist == "file" and not path.is_file():
            raise ParameterError(f"{parameter}: {_short(value)} is not an existing file ({path})")
        if must_exist == "dir" and not path.is_dir():
            raise ParameterError(f"{parameter}: {_short(value)} is not an existing directory ({path})")
    except RuntimeError:  # Path.resolve on Python 3.11: "Symlink loop from ..."
        raise ParameterError(f"{parameter}: {_short(value)} is a symlink loop") from None
    except OSError as exc:  # a name over 255 bytes, a path over PATH_MAX, a permission problem
        raise ParameterError(f"{parameter}: {_short(value)} cannot be used ({exc.strerror or type(exc).__name__})") from None
    return path


def _short(value: object, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


def _outside_batches(out: Path, root: Path) -> None:
    """An on-demand run must not replace a folder that a batch owns (the batch would then skip it as unchanged)."""
    for folder in (out, *out.parents):
        if (folder / BATCH_MARK).exists():
            raise ParameterError(f"output_dir: {out} lies inside the batch output {folder}; choose another folder")
        if folder == root:
            return


def _gate(name: str, value: object) -> bool:
    try:
        return require_gate(name, value)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None


def _options(parameter: str, model: type[BaseModel], options: object) -> BaseModel:
    """An object parameter as given by the caller (these flows do not let Prefect coerce their parameters)."""
    if isinstance(options, model):
        return options
    if options is None:
        return model()
    if not isinstance(options, dict):
        raise ParameterError(f"{parameter}: expected an object, got {type(options).__name__}")
    for key, value in options.items():
        if key in SERVER_ONLY:
            raise ParameterError(f"{parameter}.{key}: not a run parameter: {SERVER_ONLY[key]}")
        if "\0" in str(key) or (isinstance(value, str) and "\0" in value):
            # cueflow's server refuses a NUL before a run exists; another Prefect server may let one through
            name = _short(key) if "\0" in str(key) else key
            raise ParameterError(f"{parameter}.{name}: a NUL character is not allowed")
    # A form leaves an optional field it shows empty as "": that means not set, as null does.
    unset = {k for k, v in options.items() if v == "" and k in model.model_fields and model.model_fields[k].default is None}
    try:
        return model.model_validate({k: v for k, v in options.items() if k not in unset})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ParameterError(f"{parameter}.{where}: {first['msg'].removeprefix('Value error, ')}") from None


def _config(options: object, output_dir: Path, enable_phase_8: object, dmx: object) -> PipelineConfig:
    gate = _gate("enable_phase_8", enable_phase_8)  # first: the hardware gate never depends on anything else
    fields = {**_options("config", PipelineOptions, options).model_dump(), **_options("dmx", DmxOptions, dmx).model_dump()}
    served = {"dask_address": os.environ.get(DASK_ADDRESS_VAR) or None}  # the LLM endpoint: read from the env later
    try:
        config = PipelineConfig(**fields, **served, output_dir=str(output_dir), enable_phase_8=gate)
    except ValidationError as exc:  # PipelineConfig's own checks (the genre): the sections copy fields, not validators
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "config"
        section = "dmx" if name in HARDWARE_FIELDS else "config"
        raise ParameterError(f"{section}.{name}: {first['msg'].removeprefix('Value error, ')}") from None
    if config.gold_file is not None:  # read like a script: only from under the input roots
        gold = confine("config.gold_file", config.gold_file, input_roots(), must_exist="file")
        config = config.model_copy(update={"gold_file": str(gold)})
    if config.rig is None:
        return config
    # A rig file is read like a script: only from under the input roots, and checked before the run starts.
    rig = confine("config.rig", config.rig, input_roots(), must_exist="file")
    from .rig_commands import rig_problem

    problem = rig_problem(str(rig), input_roots())  # its definitions and fixture libraries are confined too
    if problem:
        raise ParameterError(f"config.rig: {problem}")
    return config.model_copy(update={"rig": str(rig)})


def _recorded_rig(folder: Path) -> str | None:
    """The rig the plan in `folder` recorded (rig_patch.json), read like a script from under the input roots;
    None for the bundled rig. A recorded rig file that is missing or has changed is a refusal."""
    from phases.export import ExportError, read_rig_record, rig_for_plan
    from phases.export.rig_record import BUNDLED_RIG

    from .rig_commands import rig_problem

    try:
        record = read_rig_record(folder)
        if record is not None and record.rig_file:  # confined before it is read, even to fingerprint it
            confine("plan_dir rig", record.rig_file, input_roots(), must_exist="file")
        path, _ = rig_for_plan(folder, None)
    except ExportError as exc:
        raise ParameterError(f"plan_dir: {exc}") from None
    if path == BUNDLED_RIG:
        return None
    rig = confine("plan_dir rig", str(path), input_roots(), must_exist="file")
    problem = rig_problem(str(rig), input_roots())  # its definitions and fixture libraries are confined too
    if problem:
        raise ParameterError(f"plan_dir rig: {problem}")
    return str(rig)


def _string(parameter: str, value: object, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ParameterError(f"{parameter}: expected a text (a path), got {type(value).__name__}")
    if "\0" in value:
        raise ParameterError(f"{parameter}: a NUL character is not allowed in {_short(value)}")
    if optional and not value:
        return None
    return value


async def _name_and_tag(name: str) -> None:
    """Name this run after the script and tag it by script (one API call; a computed flow_run_name costs the same)."""
    run_id = current_run.id
    if run_id is None:
        return
    async with get_client() as client:
        await client.update_flow_run(run_id, name=name, tags=sorted({*current_run.tags, script_tag(name)}))


async def _refuse(message: str, data: object = None) -> State:
    """End the run Failed, with the reason as a log line: the first one for a bad parameter. The UI shows logs before
    Details, and `prefect deployment run --watch` prints the run's logs until the final state arrives, so the line is
    sent before the state: the reason then reaches that terminal too."""
    get_run_logger().error(message)
    from prefect.logging.handlers import APILogHandler

    try:
        await asyncio.wait_for(APILogHandler.aflush(), timeout=5)
    except (TimeoutError, RuntimeError):  # the record in the API is a convenience; the Failed state says it too
        pass
    return Failed(message=message, data=data)


def _olad_problem(config: PipelineConfig) -> str | None:
    """With Phase 8 on for real hardware, find out before planning the whole show that olad is not there."""
    if not config.enable_phase_8 or config.dmx_dry_run_path:
        return None
    from phases.hardware import olad_problem

    problem = olad_problem(config.olad_host, config.olad_port)
    return f"enable_phase_8: {problem}" if problem else None


def _result_table(result: PipelineResult) -> str:
    out = result.final_output
    lines = [f"**{'Completed' if result.success else 'Failed'}**: `{result.script}`", ""]
    if result.error:
        lines += [f"Error: {result.error}", ""]
    if out:
        lines += [
            f"{out.scene_count} scenes, {out.instruction_count} cues, failed scenes: {len(out.failed_scenes)}, "
            f"evaluation: {out.evaluation_verdict or 'not run'}",
            "",
            "| output | path |",
            "|---|---|",
            *(f"| {name} | `{path}` |" for name, path in out.files.items()),
        ]
    return "\n".join(lines)


def deployment_flow(name: str) -> Any:
    """@flow for a deployment's entry point. validate_parameters=False: Prefect's own validation is lax (it reads
    "yes" as true), so these flows check every value themselves, strictly, and end Failed naming the parameter;
    names that do not bind crash before the body and the on_crashed hook ends the run Failed the same way."""
    return flow(
        name=name,
        persist_result=False,
        log_prints=False,
        validate_parameters=False,
        on_crashed=[fail_on_bad_parameter_names],
    )


@deployment_flow("lighting-pipeline")
async def on_demand(
    script_path: str,
    output_dir: str | None = None,
    config: PipelineOptions = PipelineOptions(),  # noqa: B008
    enable_phase_8: bool = False,
    dmx: DmxOptions = DmxOptions(),  # noqa: B008
) -> PipelineResult | State:
    """Plan the lighting for one script: scenes, cues, an HTML preview and an evaluation report.

    Args:
        script_path: The script to plan (.txt, .fountain, .pdf, .docx, .csv, .json), under the server's input roots.
        output_dir: Where the outputs go, under the output root. Blank: a folder named after the script.
        config: What to plan (phases on or off) and the design choices (genre, language model, scenes at once).
        enable_phase_8: Play the plan to DMX fixtures through OLA (Phase 8). Real hardware: off unless asked.
        dmx: Where Phase 8 plays: the OLA universe, the playback speed, and where olad listens.
    """
    if isinstance(script_path, str) and script_path.strip():
        await _name_and_tag(Path(script_path).name)  # named after the script even when refused below
    try:
        script_text = _string("script_path", script_path)
        wanted_out = _string("output_dir", output_dir, optional=True)
        script = confine("script_path", script_text, input_roots(), must_exist="file")  # type: ignore[arg-type]
        root = output_root()
        # A blank output_dir is a folder named after the script; resolved and confined like a given one, so a
        # symlink planted at that name cannot lead out of the output root.
        out = confine("output_dir", wanted_out or str(output_folder(root, script)), [root])
        _outside_batches(out, root)
        pipeline_config = _config(config, out, enable_phase_8, dmx)
        problem = _olad_problem(pipeline_config)
        if problem:
            raise ParameterError(problem)
    except ParameterError as exc:
        return await _refuse(str(exc))
    # The pipeline's body runs inside this flow run, so its tasks and scene subflows hang off this run.
    state = await lighting_pipeline.fn(script_path=str(script), config=pipeline_config)
    result = state.data if isinstance(state, State) else state
    if isinstance(result, PipelineResult):
        await create_markdown_artifact(
            markdown=_result_table(result), key=artifact_key("outputs", script.name), description="cueflow outputs"
        )
        if not result.success:
            return await _refuse(f"{script.name}: {result.error or 'the run failed'}", data=result)
    return state


@deployment_flow("directory-batch")
async def scheduled_batch(
    inbox: str = "inbox",
    output_dir: str = "batch",
    config: PipelineOptions = PipelineOptions(),  # noqa: B008
    enable_phase_8: bool = False,
    dmx: DmxOptions = DmxOptions(),  # noqa: B008
) -> BatchSummary | State:
    """Plan every new or changed script in the inbox (by content hash); unchanged ones are skipped.

    Args:
        inbox: The directory of scripts to plan, under the server's input roots.
        output_dir: One folder per script goes here, under the output root.
        config: What to plan (phases on or off) and the design choices (genre, language model, scenes at once).
        enable_phase_8: Play each plan to DMX fixtures through OLA (Phase 8). Real hardware: off unless asked.
        dmx: Where Phase 8 plays: the OLA universe, the playback speed, and where olad listens.
    """
    try:
        pipeline_config = _config(config, output_root(), enable_phase_8, dmx)
        directory = confine("inbox", _string("inbox", inbox), input_roots(), must_exist="dir")  # type: ignore[arg-type]
        out = confine("output_dir", _string("output_dir", output_dir), [output_root()])  # type: ignore[arg-type]
        pipeline_config = pipeline_config.model_copy(update={"output_dir": str(out)})
        problem = _olad_problem(pipeline_config)
        if problem:
            raise ParameterError(problem)
    except ParameterError as exc:
        return await _refuse(str(exc))
    try:
        summary = await run_changed_scripts(directory, out, pipeline_config, roots=input_roots())
    except BatchLockedError as exc:
        return await _refuse(str(exc))
    planned = sum(i.success and not i.skipped for i in summary.items)
    rows = [
        f"| `{Path(i.script).name}` | {'skipped (unchanged)' if i.skipped else 'ok' if i.success else 'FAILED'} "
        f"| {i.scene_count} | {(i.error or '').replace('|', '/')} |"
        for i in summary.items
    ]
    table = "\n".join(
        [
            f"{summary.total} scripts: {planned} planned, {summary.failed} failed, {summary.skipped} unchanged",
            "",
            "| script | status | scenes | error |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    await create_markdown_artifact(markdown=table, key="directory-batch", description="cueflow batch summary")
    processed_failures = [i for i in summary.items if not i.success and not i.skipped]
    if processed_failures:
        names = ", ".join(Path(i.script).name for i in processed_failures)
        return await _refuse(f"{len(processed_failures)} of {summary.total} scripts failed: {names}", data=summary)
    return Completed(data=summary, message=f"{planned} planned, {summary.skipped} unchanged")


@deployment_flow("show")
async def play_show(plan_dir: str, hardware: bool = False, speed: float = 1.0, universe: int = 1) -> State:
    """Play a finished lighting plan to DMX (Phase 8). Without hardware=true nothing is sent: the frames go to a file.

    Args:
        plan_dir: A finished output folder (with lighting_instructions.json), under the output root.
        hardware: Really send DMX through OLA. Off: render the frames to dmx_frames.jsonl in plan_dir instead.
        speed: Show seconds per real second (1: real time).
        universe: The OLA universe that the rig's universe 1 plays to.
    """
    try:
        hardware = _gate("hardware", hardware)
        folder = confine("plan_dir", _string("plan_dir", plan_dir), [output_root()], must_exist="dir")  # type: ignore[arg-type]
        plan_file = folder / "lighting_instructions.json"
        if not plan_file.is_file():
            raise ParameterError(f"plan_dir: {plan_dir!r} has no lighting_instructions.json")
        try:
            plan = TypeAdapter(list[LightingInstruction]).validate_json(plan_file.read_bytes())
        except ValidationError as exc:
            raise ParameterError(f"plan_dir: {plan_file.name} is not a valid plan ({exc.error_count()} errors)") from None
        rig = _recorded_rig(folder)
        try:
            config = PipelineConfig(
                output_dir=str(folder),
                enable_phase_8=hardware,
                dmx_speed=speed,
                dmx_universe=universe,
                dmx_dry_run_path=None if hardware else str(folder / DRY_RUN_FILE),
                rig=rig,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            name = {"dmx_speed": "speed", "dmx_universe": "universe"}.get(str(first["loc"][0]), str(first["loc"][0]))
            raise ParameterError(f"{name}: {first['msg']}") from None
        problem = _olad_problem(config)
        if problem:
            raise ParameterError(problem.replace("enable_phase_8", "hardware", 1))
    except ParameterError as exc:
        return await _refuse(str(exc))
    try:
        stats, seconds = await tasks.send_dmx(plan, config)
    except PhaseNotImplementedError as exc:
        return await _refuse(str(exc))
    where = "to OLA" if hardware else f"to {DRY_RUN_FILE} (dry run: hardware is off)"
    return Completed(message=f"played {len(plan)} cues {where} in {seconds:.1f}s", data=stats)


# The process Prefect starts for a served run (`python -m prefect.engine`, told its run in PREFECT__FLOW_RUN_ID)
# imports this module last, and ends with the run: what is alive now lives as long as it (flows/heap.py).
if os.environ.get("PREFECT__FLOW_RUN_ID"):
    freeze_long_lived()
