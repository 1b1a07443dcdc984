"""Phase 4 output: what each logical group of the rig does in a scene. Intent only, never DMX."""

import math
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ._base import Contract
from .scene import TimeOfDay, TimeWindow

TransitionType = Literal["cut", "fade", "crossfade"]
EffectType = Literal["flash", "flicker", "pulse", "chase", "lightning"]
GROUP_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Transition(Contract):
    type: TransitionType
    duration: float = Field(ge=0, le=600, description="Seconds; 0 for a cut.")
    delay: float = Field(default=0, ge=0, le=600, description="Seconds after the scene starts.")


class Effect(Contract):
    """A dynamic effect layered on the group's state, such as lightning flashes.

    `lightning` is irregular: strikes at a mean rate of rate_hz, their times drawn from `seed`, so that the
    preview and the DMX renderer play the same storm.
    """

    type: EffectType
    rate_hz: float = Field(gt=0, le=25)
    seed: int = Field(default=0, ge=0, description="Draws an irregular effect's timing; the same seed, the same storm.")
    depth: float = Field(default=1.0, ge=0, le=1, description="Share of intensity the effect swings.")
    duration: float | None = Field(default=None, gt=0, description="Seconds; null for the whole scene.")


class AreaLevel(Contract):
    """One area's or one fixture's own level inside a group: the cool half of a McCandless pair, an isolated area."""

    area: str | None = Field(default=None, min_length=1, description="A focus area of the rig (DSL, DC...).")
    fixture_id: str | None = Field(default=None, min_length=1, description="One fixture of the group.")
    intensity: float = Field(ge=0, le=1)
    color: str | None = Field(default=None, min_length=1, description="A colour name; null keeps the group's colour.")

    @model_validator(mode="after")
    def _one_target(self) -> "AreaLevel":
        if (self.area is None) == (self.fixture_id is None):
            raise ValueError("an area level names exactly one of area and fixture_id")
        return self


class GroupParameters(Contract):
    intensity: float = Field(ge=0, le=1)
    color: str = Field(min_length=1, description="A colour name from the colour table.")
    effect: Effect | None = None


class GroupInstruction(Contract):
    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    parameters: GroupParameters
    focus_area: str | None = None
    transition: Transition | None = None
    overrides: list[AreaLevel] = Field(
        default_factory=list, description="Areas or fixtures of the group that differ from its level; later entries win."
    )


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
    time_of_day: TimeOfDay | None = Field(
        default=None, description="A scene's base cue: the time of day its look assumed (null: none was read)."
    )
    time_of_day_evidence: str | None = Field(default=None, max_length=200, description="What decided that time of day.")


CueTriggerKind = Literal["scene_start", "direction", "line", "beat", "follow", "structure"]
ShowMoment = Literal["preset", "house_half", "house_out", "act_end", "interval", "final_blackout", "curtain_call", "house_up"]


class CueTrigger(Contract):
    """What a cue is called on: a script line or stage direction at its place in the text, a follow, or the show."""

    kind: CueTriggerKind
    text: str | None = Field(default=None, max_length=240, description="The line or direction it is called on (shortened).")
    char_offset: int | None = Field(default=None, ge=0, description="Where that text starts in the scene's text.")
    script_line: int | None = Field(default=None, ge=1, description="Its line in the normalised script, from 1.")
    follow_wait: float | None = Field(default=None, ge=0, le=600, description="A follow: seconds after the previous GO.")
    moment: ShowMoment | None = Field(default=None, description="A show-structure cue: which moment of the show.")

    @model_validator(mode="after")
    def _complete(self) -> "CueTrigger":
        if self.kind == "follow" and self.follow_wait is None:
            raise ValueError("a follow cue needs follow_wait")
        if self.kind == "structure" and self.moment is None:
            raise ValueError("a show-structure cue needs its moment")
        if self.kind in ("direction", "line") and not self.text:
            raise ValueError(f"a cue called on a {self.kind} needs its text")
        return self


class LightingInstruction(Contract):
    """One cue of the show's cue list: the state the rig goes to, when, and why."""

    scene_id: str = Field(pattern=r"^scene_\d{3,}$", description="The scene the cue plays in (structure cues: the nearest).")
    cue_number: float = Field(gt=0, le=99999, description="Console cue number; point cues such as 12.5 are allowed.")
    label: str = Field(min_length=1, max_length=60, description="A short label, as on a console's cue list.")
    called_on: CueTrigger
    time_window: TimeWindow = Field(description="The cue's own span on the show clock: from its GO to the next cue's.")
    groups: list[GroupInstruction] = Field(min_length=1)
    metadata: InstructionMetadata | None = None

    @field_validator("cue_number")
    @classmethod
    def _console_number(cls, value: float) -> float:
        if not math.isfinite(value) or round(value, 3) != value:
            raise ValueError("a cue number has at most three decimal places")
        return value
