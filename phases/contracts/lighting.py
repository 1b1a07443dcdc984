"""Phase 4 output: what each logical group of the rig does in a scene. Intent only, never DMX."""

from typing import Literal

from pydantic import Field

from ._base import Contract
from .scene import TimeWindow

TransitionType = Literal["cut", "fade", "crossfade"]
EffectType = Literal["flash", "flicker", "pulse", "chase"]
GROUP_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Transition(Contract):
    type: TransitionType
    duration: float = Field(ge=0, le=600, description="Seconds; 0 for a cut.")
    delay: float = Field(default=0, ge=0, le=600, description="Seconds after the scene starts.")


class Effect(Contract):
    """A dynamic effect layered on the group's state, such as lightning flashes."""

    type: EffectType
    rate_hz: float = Field(gt=0, le=25)
    depth: float = Field(default=1.0, ge=0, le=1, description="Share of intensity the effect swings.")
    duration: float | None = Field(default=None, gt=0, description="Seconds; null for the whole scene.")


class GroupParameters(Contract):
    intensity: float = Field(ge=0, le=1)
    color: str = Field(min_length=1, description="A colour name from the colour table.")
    effect: Effect | None = None


class GroupInstruction(Contract):
    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    parameters: GroupParameters
    focus_area: str | None = None
    transition: Transition | None = None


class RuleUse(Contract):
    rule_id: str
    score: float


class InstructionMetadata(Contract):
    """Why the instruction is what it is. Data for people; never executed."""

    method: Literal["rules", "llm", "llm_repaired", "rules_fallback"]
    reasoning: str = ""
    rules_used: list[RuleUse] = Field(default_factory=list)
    honoured_cues: list[str] = Field(default_factory=list)
    transition_source: Literal["rules", "script", "continuity"] = Field(
        default="rules", description="What set the transition: the rules, the script's own cue, or continuity."
    )
    notes: list[str] = Field(default_factory=list)


class LightingInstruction(Contract):
    scene_id: str = Field(pattern=r"^scene_\d{3,}$")
    time_window: TimeWindow
    groups: list[GroupInstruction] = Field(min_length=1)
    metadata: InstructionMetadata | None = None
