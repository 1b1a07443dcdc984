"""Phase 7 output: metrics over a lighting plan, each with PASS/WARN/FAIL verdicts."""

from typing import Literal

from pydantic import Field

from ._base import Contract

Verdict = Literal["PASS", "WARN", "FAIL"]


class MetricResult(Contract):
    name: str
    value: float | None = Field(description="The metric's value; null when it could not apply.")
    verdict: Verdict
    detail: str = ""
    per_scene: dict[str, Verdict] = Field(default_factory=dict)


class EvaluationReport(Contract):
    verdict: Verdict
    scene_count: int = Field(ge=0)
    metrics: list[MetricResult]
    thresholds: dict[str, float] = Field(default_factory=dict)
