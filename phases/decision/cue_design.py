"""The cue design data (data/cues.yaml): each kind of cue inside a scene, its state, label and fade."""

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from phases.contracts import Effect, TimeOfDay
from phases.data_files import load_yaml_model

from .settings import DATA, DecisionDataError

CueKind = Literal[
    "blackout", "storm", "time", "death", "apparition", "vanish", "shot", "fight", "retreat", "swoon", "comic",
    "light_in", "light_out", "fire", "dance", "revel", "inner_play", "alone", "unmask", "reveal", "charm", "fog",
    "darken", "glimmer", "upper", "place", "sleep", "narrow", "wake", "lightning", "thunder", "restore", "news",
    "invisible", "presence", "masque", "transform", "spectral", "ended", "clear", "quicken", "chorus", "impact",
]  # fmt: skip
StateKind = Literal[
    "storm", "narrow", "alone", "death", "aftermath", "comic", "swoon", "sleep", "charm", "reveal", "dance", "revel",
    "inner_play", "upper", "light_in", "fog", "darken", "glimmer", "apparition", "news", "invisible", "presence",
    "masque", "figure", "quicken", "spectral",
]  # fmt: skip
Share = float


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindCue(_Frozen):
    label: str = Field(min_length=1, max_length=24)
    fade: float = Field(ge=0, le=600)
    priority: int = Field(ge=0, le=1000)


class StateShape(_Frozen):
    """What a state does to the base, every field optional: shares of the base level, lifts, pool levels."""

    key: Share | None = Field(default=None, ge=0, le=1)
    key_area_share: Share | None = Field(default=None, ge=0, le=1)
    key_lift: float | None = Field(default=None, ge=0, le=0.5)
    surround: Share | None = Field(default=None, ge=0, le=1)
    side_share: Share | None = Field(default=None, ge=0, le=1)
    atmosphere: Share | None = Field(default=None, ge=0, le=1)
    atmosphere_lift: float | None = Field(default=None, ge=0, le=0.5)
    back: Share | None = Field(default=None, ge=0, le=1)
    pool: float | None = Field(default=None, ge=0, le=1)
    ghost_dims_to: Share | None = Field(default=None, ge=0, le=1)
    pool_key_share: Share | None = Field(default=None, ge=0, le=1)
    pool_min_key: float | None = Field(default=None, ge=0, le=1)
    pool_min: float | None = Field(default=None, ge=0, le=1)
    glow: Share | None = Field(default=None, ge=0, le=1)  # a light called for, not yet brought on
    side_accent: str | None = None  # the side light in this accent of the palettes (a masque's saturated colour)
    area: str | None = None  # the key's area held at its level while the others fall to key_area_share
    held: Share | None = Field(default=None, ge=0, le=1)  # an earlier one still up, at this share of the newest


class CueDesign(_Frozen):
    visible_change: float = Field(gt=0, le=1)
    kinds: dict[CueKind, KindCue]
    follow_wait: float = Field(ge=0, le=60)
    follow_fade: float = Field(ge=0, le=60)
    show_follow_wait: float = Field(ge=0, le=600)
    settle_wait: float = Field(ge=0, le=600)
    settle_fade: float = Field(ge=0, le=600)
    time_fades: dict[TimeOfDay, float]
    time_others_delay_share: float = Field(ge=0, le=1)
    slow_blackout_fade: float = Field(ge=0, le=600)
    slow_words: str
    pool_areas: dict[str, str]
    death_areas: list[str] = Field(min_length=1)
    alone_areas: list[str] = Field(min_length=1)
    apparition_areas: list[str] = Field(min_length=1)
    merge_lines: int = Field(ge=0, le=50)
    pool_over_key: float = Field(gt=0, le=3)
    states: dict[StateKind, StateShape]
    effects: dict[Literal["flame", "glimmer", "shot"], Effect]
    flash_depth: dict[Literal["lightning", "thunder"], float]

    @field_validator("slow_words")
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value)
        return value

    def slow(self, text: str) -> bool:
        """Does the direction ask for its moment to be slow ("they heavily vanish")?"""
        return bool(re.search(self.slow_words, text, re.IGNORECASE))

    def shape(self, kind: StateKind) -> StateShape:
        return self.states.get(kind) or StateShape()


@lru_cache(maxsize=1)
def cue_design() -> CueDesign:
    design = load_yaml_model(DATA / "cues.yaml", CueDesign, DecisionDataError)
    missing = sorted(set(CueKind.__args__) - set(design.kinds))  # type: ignore[attr-defined]
    if missing:
        raise DecisionDataError(f"cues.yaml: field kinds: no entry for {', '.join(missing)}")
    for kind, fields in _REQUIRED.items():
        shape = design.states.get(kind)  # type: ignore[call-overload]
        absent = [f for f in fields if shape is None or getattr(shape, f) is None]
        if absent:
            raise DecisionDataError(f"cues.yaml: field states.{kind}: {', '.join(absent)} required")
    return design


# The values each state's look is made of: none has a default in the code.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "storm": ("key",),
    "narrow": ("key_area_share", "surround"),
    "news": ("key_area_share", "surround"),
    "alone": ("key_area_share", "surround", "pool"),
    "swoon": ("key_area_share", "surround", "pool"),
    "death": ("key", "surround", "pool"),
    "aftermath": ("key", "surround", "pool"),
    "comic": ("pool",),
    "reveal": ("key_lift", "pool"),
    "charm": ("pool",),
    "upper": ("pool",),
    "light_in": ("pool", "pool_key_share", "pool_min_key", "ghost_dims_to", "glow"),
    "apparition": ("key", "pool", "pool_min"),
    "invisible": ("pool",),
    "masque": ("side_share", "side_accent"),
    "inner_play": ("key_area_share", "area"),
    "figure": ("pool",),
    "quicken": ("key_lift", "pool"),
    "spectral": ("key",),
    "presence": ("key",),
}
