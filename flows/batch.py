"""Batch flows: many scripts, each its own lighting-pipeline subflow. One bad script never stops the rest."""

import asyncio
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow
from prefect.states import State

from phases.contracts import BatchItem, BatchSummary, PipelineResult
from phases.parsing import SUPPORTED_EXTENSIONS

from .config import PipelineConfig
from .outputs import write_json_atomic, write_text_atomic
from .pipeline import OUTPUT_FILES, lighting_pipeline
from .progress import emit

SOURCE_RECORD = "source.json"  # in each per-script folder: the content hash (and config) it was planned from


def output_folder(output_dir: Path, script: Path) -> Path:
    """One folder per script, named after the file (extension kept, so a.txt and a.pdf do not collide)."""
    return output_dir / script.name.replace(" ", "_")


async def _one(script: Path, output_dir: Path, config: PipelineConfig) -> BatchItem:
    folder = output_folder(output_dir, script)
    return await _one_into(script, folder, folder, config)


@flow(name="batch", persist_result=False, log_prints=False)
async def run_batch_flow(paths: list[str], output_dir: str, config: PipelineConfig = PipelineConfig()) -> BatchSummary:
    started = time.perf_counter()
    items = [await _one(Path(p), Path(output_dir), config) for p in paths]
    return _summary(items, started)


@flow(name="directory-batch", persist_result=False, log_prints=False)
async def run_directory_flow(path: str, output_dir: str, config: PipelineConfig = PipelineConfig()) -> BatchSummary:
    started = time.perf_counter()
    scripts = list_scripts(Path(path))
    items = [await _one(s, Path(output_dir), config) for s in scripts]
    return _summary(items, started)


def list_scripts(directory: Path) -> list[Path]:
    """Script files directly in the directory, in name order; hidden and temporary files are left out."""
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory}: not a directory")
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS and not p.name.startswith((".", "~"))
    )


def _summary(items: list[BatchItem], started: float) -> BatchSummary:
    return BatchSummary(
        total=len(items),
        succeeded=sum(i.success for i in items),
        failed=sum(not i.success and not i.skipped for i in items),
        skipped=sum(i.skipped for i in items),
        items=items,
        total_duration=round(time.perf_counter() - started, 6),
    )


def run_batch(paths: list[str | Path], output_dir: str | Path, config: PipelineConfig | None = None) -> BatchSummary:
    return asyncio.run(run_batch_flow([str(p) for p in paths], str(output_dir), config or PipelineConfig()))


def run_directory(path: str | Path, output_dir: str | Path, config: PipelineConfig | None = None) -> BatchSummary:
    return asyncio.run(run_directory_flow(str(path), str(output_dir), config or PipelineConfig()))


# Change detection and crash safety for the scheduled batch. Each script is planned into a hidden work folder
# beside its final folder; the work folder gets its source record last and then replaces the final folder by
# rename. So a folder with a source record is always a complete result, and a crash at any point leaves either
# the previous result or nothing (the script is planned again next time), never a partial or duplicate one.


class BatchLockedError(RuntimeError):
    """Another batch run is writing to the same output directory."""


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def config_hash(config: PipelineConfig) -> str:
    """Changing the config re-plans everything; output_dir does not count (it is where, not how)."""
    settings = config.model_dump(mode="json", exclude={"output_dir"})
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def read_source_record(folder: Path) -> dict[str, object] | None:
    try:
        record = json.loads((folder / SOURCE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


@contextmanager
def batch_lock(output_dir: Path) -> Iterator[None]:
    output_dir.mkdir(parents=True, exist_ok=True)
    with (output_dir / ".batch.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchLockedError(f"another batch run is writing to {output_dir}; this run did nothing") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(output_dir: Path) -> None:
    """Work and old folders a crashed run left behind (only ever touched under the batch lock)."""
    for leftover in output_dir.glob(".*.work-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output_dir.glob(".*.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _relocate(result_file: Path, work: Path, final: Path) -> None:
    """Rewrite the result's paths from the work folder to the final one before the folder is renamed."""
    if result_file.is_file():
        text = result_file.read_text(encoding="utf-8")
        moved = json.loads(text.replace(json.dumps(str(work))[1:-1], json.dumps(str(final))[1:-1]))
        write_text_atomic(result_file, json.dumps(moved, indent=2, ensure_ascii=False) + "\n")


def _publish(work: Path, final: Path) -> None:
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        os.rename(final, old)
    os.rename(work, final)
    shutil.rmtree(old, ignore_errors=True)


async def _plan_changed(script: Path, digest: str, output_dir: Path, config: PipelineConfig) -> BatchItem:
    final = output_folder(output_dir, script)
    work = final.with_name(f".{final.name}.work-{uuid.uuid4().hex[:8]}")
    item = await _one_into(script, work, final, config)
    _relocate(work / OUTPUT_FILES["result"], work, final)
    if work.is_dir() and (work / OUTPUT_FILES["result"]).is_file():
        record = {
            "script": script.name,
            "sha256": digest,
            "config": config_hash(config),
            "success": item.success,
            "error": item.error,
        }
        write_text_atomic(work / SOURCE_RECORD, json.dumps(record, indent=2) + "\n")
        _publish(work, final)
    else:  # the run crashed before writing its result: keep the previous folder, plan it again next time
        shutil.rmtree(work, ignore_errors=True)
    return item


async def _one_into(script: Path, work: Path, final: Path, config: PipelineConfig) -> BatchItem:
    per_script = config.model_copy(update={"output_dir": str(work)})
    named = lighting_pipeline.with_options(flow_run_name=script.name)
    state = await named(script_path=str(script), config=per_script, return_state=True)
    value = await result_or_record(state, work, str(script))
    if isinstance(value, PipelineResult):
        scenes = value.final_output.scene_count if value.final_output else 0
        item = BatchItem(script=str(script), success=value.success, output_dir=str(final), scene_count=scenes, error=value.error)
    else:
        item = BatchItem(script=str(script), success=False, output_dir=str(final), error=state.message or repr(value))
    emit("script", script=str(script), success=item.success, error=item.error)
    return item


async def result_or_record(state: State, folder: Path, script: str) -> PipelineResult:
    """The pipeline's PipelineResult, even when the state came back without its data.

    With persist_result off the result lives only in the state the client holds. When a state update is retried
    through SQLite "database is locked" 503s (a 62 s stall once), the server can answer with its own copy of the
    state, which has no data: `state.result()` then raises MissingResult. The pipeline writes result.json before
    it returns, so read it; and a run that ended before writing one still gets a failed result.json.
    """
    try:
        value = await state.result(raise_on_failure=False)
    except Exception as exc:  # MissingResult, or a result that cannot be read back
        value = exc
    if isinstance(value, PipelineResult):
        return value
    recorded = folder / OUTPUT_FILES["result"]
    try:
        return PipelineResult.model_validate_json(recorded.read_bytes())
    except (OSError, ValueError):
        pass
    reason = state.message or (f"{type(value).__name__}: {value}" if isinstance(value, BaseException) else "no result")
    result = PipelineResult(
        success=False,
        script=script,
        phases=[],
        error=f"the run ended {state.type.value} without its result: {reason}"[:500],
        total_duration=0,
        phase_work_duration=0,
    )
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(recorded, result)
    return result


async def run_changed_scripts(directory: Path, output_dir: Path, config: PipelineConfig) -> BatchSummary:
    """Plan the scripts in `directory` that are new or changed since their folder in `output_dir` was written.

    Unchanged scripts come back as skipped items carrying their earlier outcome. One failing script never stops
    the rest. Raises BatchLockedError when another run holds the output directory.
    """
    started = time.perf_counter()
    with batch_lock(output_dir):
        _remove_leftovers(output_dir)
        wanted = config_hash(config)
        items: list[BatchItem] = []
        for script in list_scripts(directory):
            folder = output_folder(output_dir, script)
            try:
                digest = content_hash(script)
            except OSError as exc:
                items.append(BatchItem(script=str(script), success=False, output_dir=str(folder), error=f"unreadable: {exc}"))
                continue
            record = read_source_record(folder)
            if record and record.get("sha256") == digest and record.get("config") == wanted:
                error = record.get("error")
                items.append(
                    BatchItem(
                        script=str(script),
                        success=bool(record.get("success")),
                        output_dir=str(folder),
                        error=error if isinstance(error, str) else None,
                        skipped=True,
                    )
                )
                continue
            items.append(await _plan_changed(script, digest, output_dir, config))
        return _summary(items, started)
