"""The base looks as data (data/looks.yaml): which look a scene's function, time and place choose, and what each
look is (key level, every role's share and palette slot, the McCandless pair, flames that flicker)."""

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from phases.contracts import TimeOfDay
from phases.data_files import load_yaml_model

from .settings import DATA, DecisionDataError

Slot = Literal["warm", "cool", "sun", "moon", "sky", "torch", "overcast"]
ShadedRole = Literal["back", "side", "atmosphere", "special", "practical"]
SceneMomentName = Literal["vigil", "storm", "supernatural", "cave", "battle", "feast"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pair(_Frozen):
    slot: Literal["warm", "cool"]  # also the token of the fixtures that make that half of the pair
    share: float = Field(ge=0, le=1)


class LookRecipe(_Frozen):
    key: float = Field(ge=0, le=1)
    light: Literal["day", "night"]
    shares: dict[ShadedRole, float]
    colours: dict[Literal["key", "back", "side", "atmosphere", "special", "practical"], Slot]
    pair: Pair
    flicker: list[Literal["side", "practical"]] = Field(default_factory=list)

    @field_validator("shares")
    @classmethod
    def _shares(cls, value: dict[str, float]) -> dict[str, float]:
        if any(not 0 <= v <= 1 for v in value.values()):
            raise ValueError("a share is of the key: 0 to 1")
        return value


class Choice(_Frozen):
    look: str
    moment: SceneMomentName | None = None
    light: Literal["light", "dark", "unknown"] | None = None
    time: list[TimeOfDay] | None = None
    overcast: bool | None = None
    setting: Literal["interior", "exterior"] | None = None
    place: str | None = None


class Shade(_Frozen):
    key: float = Field(ge=-0.5, le=0.5)
    shares: dict[ShadedRole, float] = Field(default_factory=dict)


class LookData(_Frozen):
    choose: list[Choice] = Field(min_length=1)
    places: dict[str, str]
    looks: dict[str, LookRecipe]
    genre_shade: dict[str, Shade]
    time_key_offset: dict[TimeOfDay, float]
    moment_ends_at: dict[SceneMomentName, list[TimeOfDay]] = Field(default_factory=dict)

    @field_validator("places")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        for pattern in value.values():
            re.compile(pattern)
        return value

    @model_validator(mode="after")
    def _names(self) -> "LookData":
        for choice in self.choose:
            if choice.look not in self.looks:
                raise ValueError(f"choose names a look that is not defined: {choice.look}")
            if choice.place is not None and choice.place not in self.places:
                raise ValueError(f"choose names a place that is not defined: {choice.place}")
        if any(all(v is None for v in (c.moment, c.light, c.time, c.overcast, c.setting, c.place)) for c in self.choose[:-1]):
            raise ValueError("only the last rule of choose may hold for every scene")
        return self


@lru_cache(maxsize=1)
def look_data() -> LookData:
    return load_yaml_model(DATA / "looks.yaml", LookData, DecisionDataError)


@lru_cache(maxsize=16)
def place_pattern(name: str) -> re.Pattern[str]:
    return re.compile(look_data().places[name], re.IGNORECASE)
