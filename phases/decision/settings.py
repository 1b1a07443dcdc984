"""The engine's tunables and cue vocabulary, loaded from data/."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phases.data_files import load_yaml_model, parse_yaml

DATA = Path(__file__).parent / "data"


class DecisionDataError(ValueError):
    """A data file of the decision engine is invalid."""


class EngineSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    speed_seconds: dict[str, float]
    min_transition_seconds: float = Field(ge=0)
    max_transition_share: float = Field(gt=0, le=1)
    default_group_balance: float = Field(ge=0, le=2)
    face_safe_max_kelvin: int
    face_safe_min_channel: int = Field(ge=0, le=255)
    colour_candidate_share: float = Field(gt=0, le=1)
    colour_roles: dict[str, list[str]]
    change_small: float = Field(ge=0, le=1)
    change_big: float = Field(ge=0, le=1)
    isolation_level: float = Field(ge=0, le=1)
    special_level: float = Field(ge=0, le=1)


class CueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str
    action: str
    exclusive: bool = False
    colour: str | None = None
    depth: float | None = Field(default=None, ge=0, le=1)
    level: float | None = Field(default=None, ge=0, le=1, description="The wash level of a `wash` action.")


@dataclass(frozen=True)
class CueRule:
    regex: re.Pattern[str]
    entry: CueEntry


ACTIONS = {
    "speed",
    "blackout",
    "cut",
    "fade_in",
    "lights_up",
    "lights_down",
    "isolate",
    "flash",
    "flicker",
    "moonlight",
    "chase",
    "pulse",
    "wash",
    "full",
    "preset",
    "colour",
}


@lru_cache(maxsize=1)
def engine_settings() -> EngineSettings:
    return load_yaml_model(DATA / "engine.yaml", EngineSettings, DecisionDataError)


@lru_cache(maxsize=1)
def cue_vocabulary() -> tuple[CueRule, ...]:
    path = DATA / "cue_vocabulary.yaml"
    rules = []
    for index, raw in enumerate(parse_yaml(path.read_text())):
        try:
            entry = CueEntry.model_validate(raw)
            regex = re.compile(entry.pattern, re.IGNORECASE)
        except (ValidationError, re.error) as exc:
            raise DecisionDataError(f"{path.name}: entry {index}: {exc}") from None
        if entry.action not in ACTIONS:
            raise DecisionDataError(f"{path.name}: entry {index}: unknown action {entry.action!r}")
        if entry.action == "colour" and not entry.colour:
            raise DecisionDataError(f"{path.name}: entry {index}: a colour action needs a colour")
        if entry.action == "wash" and entry.level is None:
            raise DecisionDataError(f"{path.name}: entry {index}: a wash action needs a level")
        rules.append(CueRule(regex=regex, entry=entry))
    return tuple(rules)
