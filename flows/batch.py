"""Batch flows: many scripts, each its own lighting-pipeline subflow. One bad script never stops the rest."""

import asyncio
import fcntl
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow

from phases.contracts import BatchItem, BatchSummary, PipelineResult
from phases.parsing import SUPPORTED_EXTENSIONS

from .config import PipelineConfig
from .outputs import output_folder, remove_stale_in, write_text_atomic
from .pipeline import lighting_pipeline
from .progress import emit

SOURCE_RECORD = "source.json"  # in each per-script folder: the content hash (and config) it was planned from
BATCH_MARK = ".batch.lock"  # in a batch's output directory: its lock, and the mark that on-demand runs stay out


async def _one(script: Path, output_dir: Path, config: PipelineConfig) -> BatchItem:
    return (await _one_into(script, output_folder(output_dir, script), config))[0]


@flow(name="batch", persist_result=False, log_prints=False)
async def run_batch_flow(paths: list[str], output_dir: str, config: PipelineConfig = PipelineConfig()) -> BatchSummary:
    started = time.perf_counter()
    with batch_lock(Path(output_dir)):
        remove_stale_in(Path(output_dir))
        items = [await _one(Path(p), Path(output_dir), config) for p in paths]
    return _summary(items, started)


@flow(name="directory-batch", persist_result=False, log_prints=False)
async def run_directory_flow(path: str, output_dir: str, config: PipelineConfig = PipelineConfig()) -> BatchSummary:
    started = time.perf_counter()
    scripts = list_scripts(Path(path))
    with batch_lock(Path(output_dir)):
        remove_stale_in(Path(output_dir))
        items = [await _one(s, Path(output_dir), config) for s in scripts]
    return _summary(items, started)


def list_scripts(directory: Path, roots: list[Path] | None = None) -> list[Path]:
    """Script files directly in the directory, in name order; hidden and temporary files are left out.

    With `roots`, a symlink is followed only when its target lies inside one of them: a link in the inbox
    must not read a file from elsewhere on the server.
    """
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory}: not a directory")
    found = []
    for p in directory.iterdir():
        if not (p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS and not p.name.startswith((".", "~"))):
            continue
        if roots is not None and not any(p.resolve().is_relative_to(root) for root in roots):
            emit("warning", message=f"{p.name}: a link to {p.resolve()}, outside the input roots; left out")
            continue
        found.append(p)
    return sorted(found)


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


# Change detection and crash safety for the scheduled batch. Each script's run builds its folder aside and swaps
# it in whole (flows/outputs.py); the batch then adds the source record. So a folder with a source record is a
# complete result of that source, and a crash at any point leaves either the previous result or a folder without
# a record (the script is planned again next time), never a partial or mixed one.


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
    with (output_dir / BATCH_MARK).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchLockedError(f"another batch run is writing to {output_dir}; this run did nothing") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def _plan_changed(script: Path, digest: str, output_dir: Path, config: PipelineConfig) -> BatchItem:
    final = output_folder(output_dir, script)
    item, finished = await _one_into(script, final, config)
    if finished:
        record = {
            "script": script.name,
            "sha256": digest,
            "config": config_hash(config),
            "success": item.success,
            "error": item.error,
        }
        write_text_atomic(final / SOURCE_RECORD, json.dumps(record, indent=2) + "\n")
    return item


async def _one_into(script: Path, final: Path, config: PipelineConfig) -> tuple[BatchItem, bool]:
    """The script's item, and whether its run published a folder (with its result.json) at `final`."""
    per_script = config.model_copy(update={"output_dir": str(final)})
    named = lighting_pipeline.with_options(flow_run_name=script.name)
    state = await named(script_path=str(script), config=per_script, return_state=True)
    value = await state.result(raise_on_failure=False)
    finished = False
    if isinstance(value, PipelineResult):
        scenes = value.final_output.scene_count if value.final_output else 0
        item = BatchItem(script=str(script), success=value.success, output_dir=str(final), scene_count=scenes, error=value.error)
        finished = _result_run_id(final) == value.flow_run_id
    else:
        item = BatchItem(script=str(script), success=False, output_dir=str(final), error=state.message or repr(value))
    emit("script", script=str(script), success=item.success, error=item.error)
    return item, finished


def _result_run_id(folder: Path) -> str | None:
    try:
        return json.loads((folder / "result.json").read_text(encoding="utf-8")).get("flow_run_id")
    except (OSError, ValueError, AttributeError):
        return None


async def run_changed_scripts(
    directory: Path, output_dir: Path, config: PipelineConfig, roots: list[Path] | None = None
) -> BatchSummary:
    """Plan the scripts in `directory` that are new or changed since their folder in `output_dir` was written.

    Unchanged scripts come back as skipped items carrying their earlier outcome. One failing script never stops
    the rest. Raises BatchLockedError when another run holds the output directory.
    """
    started = time.perf_counter()
    with batch_lock(output_dir):
        remove_stale_in(output_dir)
        wanted = config_hash(config)
        items: list[BatchItem] = []
        for script in list_scripts(directory, roots):
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
