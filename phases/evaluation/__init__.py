"""Phase 7: evaluate a lighting plan with metrics that can fail."""

from collections.abc import Sequence

from phases.contracts import Colour, EvaluationReport, GoldCalls, LightingInstruction, LightingRule, Rig, Scene

from .cue_states import CUE_STATE_METRICS
from .design_metrics import DESIGN_METRICS
from .gold import GoldFileError, load_gold
from .metrics import BASIC_METRICS, PlanContext, worst
from .thresholds import Thresholds, ThresholdsError, default_thresholds

ALL_METRICS = (*BASIC_METRICS, *DESIGN_METRICS, *CUE_STATE_METRICS)

__all__ = [
    "ALL_METRICS",
    "GoldFileError",
    "load_gold",
    "PlanContext",
    "Thresholds",
    "ThresholdsError",
    "default_thresholds",
    "evaluate",
]


def evaluate(
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    rules: Sequence[LightingRule],
    thresholds: Thresholds | None = None,
    second_plan: Sequence[LightingInstruction] | None = None,
    gold: GoldCalls | None = None,
) -> EvaluationReport:
    thresholds = thresholds or default_thresholds()
    ctx = PlanContext(
        scenes=scenes,
        plan=plan,
        rig=rig,
        colours={c.name: c for c in colours},
        rules=rules,
        thresholds=thresholds,
        second_plan=second_plan,
        gold=gold,
    )
    results = [metric(ctx) for metric in ALL_METRICS]
    return EvaluationReport(
        verdict=worst([r.verdict for r in results]),
        scene_count=len(scenes),
        metrics=results,
        thresholds={k: float(v) for k, v in thresholds.model_dump().items()},
    )
