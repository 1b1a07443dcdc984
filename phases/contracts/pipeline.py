"""Phase 6 records: one PhaseResult per phase call, one PipelineResult per run."""

from typing import Literal

from pydantic import Field

from ._base import Contract

Scalar = str | int | float | bool | None
PhaseStatus = Literal["completed", "failed", "skipped", "degraded"]


class PhaseResult(Contract):
    phase: int = Field(ge=0, le=8)
    name: str
    success: bool
    status: PhaseStatus
    scene_id: str | None = None
    data: dict[str, Scalar | list[str]] = Field(default_factory=dict, description="A summary, not the payload.")
    error: str | None = None
    duration: float = Field(ge=0, description="Seconds spent in the phase's own code.")


class PipelineOutput(Contract):
    output_dir: str
    files: dict[str, str] = Field(description="Output name to path.")
    scene_count: int = Field(ge=0)
    instruction_count: int = Field(ge=0)
    failed_scenes: list[str] = Field(default_factory=list)
    evaluation_verdict: str | None = None


class PipelineResult(Contract):
    success: bool
    script: str | None = None
    flow_run_id: str | None = None
    phases: list[PhaseResult]
    final_output: PipelineOutput | None = None
    error: str | None = None
    total_duration: float = Field(ge=0)
    phase_work_duration: float = Field(ge=0, description="Seconds inside phase code, summed.")


class BatchItem(Contract):
    script: str
    success: bool
    output_dir: str
    scene_count: int = Field(default=0, ge=0)
    error: str | None = None
    skipped: bool = Field(default=False, description="True when the script was unchanged since its last run.")


class BatchSummary(Contract):
    total: int = Field(ge=0)
    succeeded: int = Field(ge=0)
    failed: int = Field(ge=0)
    skipped: int = Field(default=0, ge=0)
    items: list[BatchItem]
    total_duration: float = Field(ge=0)
