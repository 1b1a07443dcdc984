"""Synchronous entry points: the original design's run(script_path) and run_text(text)."""

import asyncio
from pathlib import Path

from prefect.states import State

from phases.contracts import PipelineResult

from .config import PipelineConfig
from .pipeline import lighting_pipeline


async def result_of(state: State) -> PipelineResult:
    value = await state.result(raise_on_failure=False)
    if isinstance(value, PipelineResult):
        return value
    if isinstance(value, BaseException):
        raise value
    raise RuntimeError(f"the pipeline ended {state.type.value} without a result: {state.message}")


async def run_async(
    script_path: str | Path | None = None,
    text: str | None = None,
    config: PipelineConfig | None = None,
    source_name: str = "text",
) -> PipelineResult:
    state = await lighting_pipeline(
        script_path=str(script_path) if script_path is not None else None,
        text=text,
        config=config or PipelineConfig(),
        source_name=source_name,
        return_state=True,
    )
    from .batch import result_or_record

    # Never "ended without a result": the pipeline's own result.json, or a failed one written now.
    folder = Path((config or PipelineConfig()).output_dir).expanduser()
    return await result_or_record(state, folder, str(script_path or source_name))


def run(script_path: str | Path, config: PipelineConfig | None = None) -> PipelineResult:
    """Run the pipeline on a script file (ephemeral Prefect unless PREFECT_API_URL is set)."""
    return asyncio.run(run_async(script_path=script_path, config=config))


def run_text(text: str, config: PipelineConfig | None = None, source_name: str = "text") -> PipelineResult:
    """Run the pipeline on raw script text."""
    return asyncio.run(run_async(text=text, config=config, source_name=source_name))
