"""Phase 3 knowledge: lighting-design rules, the colour table, and what retrieval returns."""

import re
from typing import Literal

from pydantic import Field, model_validator

from ._base import Contract
from .lighting import GROUP_ID_PATTERN, TransitionType
from .scene import ScriptType

ContextType = Literal["emotion", "scene_function", "genre", "location", "time_of_day", "technique", "script_type"]
BlendMode = Literal["override", "weighted", "additive"]
Speed = Literal["snap", "quick", "medium", "slow", "very_slow"]


class Range(Contract):
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if self.min > self.max:
            raise ValueError(f"range min {self.min} is above max {self.max}")
        return self

    @property
    def mid(self) -> float:
        return (self.min + self.max) / 2


class TransitionAdvice(Contract):
    types: list[TransitionType] = Field(min_length=1)
    speed: Speed


class RuleExtras(Contract):
    beam: str | None = None
    haze: str | None = None
    movement: str | None = None


class LightingRule(Contract):
    rule_id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    context_type: ContextType
    context_value: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source: str = Field(min_length=1, description="Where the practice comes from.")
    priority: int = Field(ge=1, le=10)
    blend: BlendMode
    keywords: list[str] = Field(default_factory=list, description="Words that describe when it applies.")
    script_types: list[ScriptType] = Field(
        default_factory=list, description="Only for these kinds of script; empty for every kind."
    )
    intensity: Range | None = None
    palette: list[str] = Field(default_factory=list, description="Colour names, in order of preference.")
    color_temperature: Range | None = Field(default=None, description="Kelvin.")
    transition: TransitionAdvice | None = None
    group_balance: dict[str, float] = Field(default_factory=dict, description="Relative level per group (1.0 = the scene level).")
    extras: RuleExtras | None = None

    @model_validator(mode="after")
    def _checks(self) -> "LightingRule":
        if self.intensity and not (0 <= self.intensity.min and self.intensity.max <= 1):
            raise ValueError("intensity range must lie within [0, 1]")
        for group, weight in self.group_balance.items():
            if not re.fullmatch(GROUP_ID_PATTERN, group):
                raise ValueError(f"group_balance names an invalid group id {group!r}")
            if not 0 <= weight <= 2:
                raise ValueError(f"group_balance[{group}] must lie within [0, 2]")
        return self


class Colour(Contract):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    rgb: tuple[int, int, int]
    kelvin: int | None = Field(default=None, ge=1000, le=20000, description="Correlated colour temperature.")
    gel: str | None = Field(default=None, description="Gel manufacturer and number, e.g. 'Lee 162'.")
    description: str = ""

    @model_validator(mode="after")
    def _rgb_range(self) -> "Colour":
        if any(not 0 <= c <= 255 for c in self.rgb):
            raise ValueError("rgb components must lie within 0..255")
        return self


class ScoredRule(Contract):
    rule: LightingRule
    score: float
    matched_on: list[str] = Field(default_factory=list)


class SceneKnowledge(Contract):
    """What Phase 3 retrieved for one scene: ranked rules and the rig's relevant fixtures."""

    scene_id: str
    rules: list[ScoredRule]
    fixture_ids: list[str]
    kb_version: str
