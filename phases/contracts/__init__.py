"""Phase 0: the pydantic models that cross phase boundaries."""

from .evaluation import EvaluationReport, MetricResult, Verdict
from .knowledge import Colour, LightingRule, Range, RuleExtras, SceneKnowledge, ScoredRule, TransitionAdvice
from .lighting import (
    Effect,
    GroupInstruction,
    GroupParameters,
    InstructionMetadata,
    LightingInstruction,
    RuleUse,
    Transition,
    TransitionType,
)
from .pipeline import BatchItem, BatchSummary, PhaseResult, PipelineOutput, PipelineResult
from .rig import DmxPatch, Fixture, FixtureConstraints, Position, Rig, RigGroup
from .scene import DialogueLine, Emotion, EmotionLabel, ParsedScript, Scene, ScriptType, SourceSpan, TimeWindow

__all__ = [
    "BatchItem",
    "BatchSummary",
    "Colour",
    "DialogueLine",
    "DmxPatch",
    "Effect",
    "Emotion",
    "EmotionLabel",
    "EvaluationReport",
    "Fixture",
    "FixtureConstraints",
    "GroupInstruction",
    "GroupParameters",
    "InstructionMetadata",
    "LightingInstruction",
    "LightingRule",
    "MetricResult",
    "ParsedScript",
    "PhaseResult",
    "PipelineOutput",
    "PipelineResult",
    "Position",
    "Range",
    "Rig",
    "RigGroup",
    "RuleExtras",
    "RuleUse",
    "Scene",
    "SceneKnowledge",
    "ScoredRule",
    "ScriptType",
    "SourceSpan",
    "TimeWindow",
    "Transition",
    "TransitionAdvice",
    "TransitionType",
    "Verdict",
]
