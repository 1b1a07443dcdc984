"""Batch flows: many scripts, each its own lighting-pipeline subflow. One bad script never stops the rest."""

import asyncio
import time
from pathlib import Path

from prefect import flow

from phases.contracts import BatchItem, BatchSummary, PipelineResult
from phases.parsing import SUPPORTED_EXTENSIONS

from .config import PipelineConfig
from .pipeline import lighting_pipeline
from .progress import emit


def output_folder(output_dir: Path, script: Path) -> Path:
    """One folder per script, named after the file (extension kept, so a.txt and a.pdf do not collide)."""
    return output_dir / script.name.replace(" ", "_")


async def _one(script: Path, output_dir: Path, config: PipelineConfig) -> BatchItem:
    folder = output_folder(output_dir, script)
    per_script = config.model_copy(update={"output_dir": str(folder)})
    named = lighting_pipeline.with_options(flow_run_name=script.name)
    state = await named(script_path=str(script), config=per_script, return_state=True)
    value = await state.result(raise_on_failure=False)
    if isinstance(value, PipelineResult):
        scenes = value.final_output.scene_count if value.final_output else 0
        item = BatchItem(script=str(script), success=value.success, output_dir=str(folder), scene_count=scenes, error=value.error)
    else:
        item = BatchItem(script=str(script), success=False, output_dir=str(folder), error=state.message or repr(value))
    emit("script", script=str(script), success=item.success, error=item.error)
    return item


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
