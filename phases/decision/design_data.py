"""The designer's data: level model, direction vocabulary, scene reading and production palettes (YAML)."""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from phases.contracts import ShowMoment
from phases.data_files import load_yaml_model, parse_yaml
from phases.knowledge.loading import DATA_DIR as KNOWLEDGE_DATA

from .settings import DATA, DecisionDataError

Moment = Literal[
    "storm", "lightning", "blackout", "shot", "battle", "music", "entrance", "practical", "death", "ghost", "vanish",
    "reveal", "dark", "bright", "tighten",
]  # fmt: skip
Role = Literal["key", "back", "side", "special", "atmosphere", "practical"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fades(_Frozen):
    scene_change_big: float = Field(ge=0, le=600)
    scene_change_moderate: float = Field(ge=0, le=600)
    scene_change_small: float = Field(ge=0, le=600)
    after_dark: float = Field(ge=0, le=600)
    dawn_dusk: float = Field(ge=0, le=600)
    opening: float = Field(ge=0, le=600)
    act_end: float = Field(ge=0, le=600)
    final_blackout: float = Field(ge=0, le=600)
    curtain_call: float = Field(ge=0, le=600)
    house_up: float = Field(ge=0, le=600)
    house: float = Field(ge=0, le=600)
    preset: float = Field(ge=0, le=600)


CueKind = Literal[
    "storm", "lightning", "blackout", "shot", "battle", "music", "entrance", "practical", "death", "ghost", "vanish",
    "reveal", "dark", "bright", "tighten",
]  # fmt: skip


class MomentCue(_Frozen):
    priority: int = Field(ge=0, le=100)
    fade: float = Field(ge=0, le=600)
    label: str = Field(min_length=1, max_length=30)
    follow: bool = False


class HouseLights(_Frozen):
    """House cues drive the house lights only where the rig has them: a fixture or group named with one of
    `words`. Otherwise the house cues say `not_in_rig` and send nothing."""

    words: list[str] = Field(min_length=1)
    levels: dict[ShowMoment, float]
    colour: str = Field(min_length=1)
    not_in_rig: str = Field(min_length=1, max_length=30)


class DesignSettings(_Frozen):
    emotion_min_confidence: float = Field(ge=0, le=1)
    emotion_offset_per_valence: float = Field(ge=0, le=1)
    act_build_step: float = Field(ge=0, le=0.2)
    dark_floor: float = Field(ge=0, le=1)
    key_floor: float = Field(ge=0, le=1)
    key_ceiling: float = Field(ge=0, le=1)
    role_cap: float = Field(ge=0, le=1)
    isolation_area_share: float = Field(ge=0, le=1)
    isolation_special: float = Field(ge=0, le=1)
    practical_special: float = Field(ge=0, le=1)
    fades: Fades
    curtain_call_seconds: float = Field(ge=0, le=3600)
    curtain_call_key: float = Field(ge=0, le=1)
    preset_atmosphere: float = Field(ge=0, le=1)
    interval_min_show_seconds: float = Field(ge=0)
    structure_script_types: list[str]
    house: HouseLights
    moment_cues: dict[CueKind, MomentCue]
    accent_words: dict[Literal["blood", "fire", "poison"], str]

    @field_validator("accent_words")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        for pattern in value.values():
            re.compile(pattern)
        return value


class DirectionEntry(_Frozen):
    pattern: str
    moment: Moment
    depth: float = Field(default=1.0, ge=0, le=1)


@dataclass(frozen=True)
class DirectionRule:
    regex: re.Pattern[str]
    moment: Moment
    depth: float


class ReadingData(_Frozen):
    exterior: str
    interior: str
    cave: str
    vigil: str
    vigil_within: float = Field(gt=0, le=1)
    feast: str
    feast_talk: str
    feast_talk_min: int = Field(ge=1)
    feast_talk_share: float = Field(gt=0, le=1)

    @field_validator("exterior", "interior", "cave", "vigil", "feast", "feast_talk")
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value)
        return value


@dataclass(frozen=True)
class Reading:
    exterior: re.Pattern[str]
    interior: re.Pattern[str]
    cave: re.Pattern[str]
    vigil: re.Pattern[str]
    vigil_within: float
    feast: re.Pattern[str]
    feast_talk: re.Pattern[str]
    feast_talk_min: int
    feast_talk_share: float


class Palette(_Frozen):
    name: str
    for_genres: list[str]
    for_script_types: list[str]
    warm: str
    cool: str
    sun: str
    moon: str
    sky: str
    torch: str
    overcast: str

    def colours(self) -> set[str]:
        return {self.warm, self.cool, self.sun, self.moon, self.sky, self.torch, self.overcast}


class Palettes(_Frozen):
    palettes: list[Palette] = Field(min_length=1)
    default: str
    accents: dict[Literal["blood", "fire", "poison", "supernatural", "lightning"], str]

    def choose(self, genre: str | None, script_type: str) -> Palette:
        """Genre first (the production's world), then the kind of script, then the default."""
        for palette in self.palettes:
            if genre and genre.lower() in palette.for_genres:
                return palette
        for palette in self.palettes:
            if script_type in palette.for_script_types:
                return palette
        return next(p for p in self.palettes if p.name == self.default)


@lru_cache(maxsize=1)
def design_settings() -> DesignSettings:
    return load_yaml_model(DATA / "design.yaml", DesignSettings, DecisionDataError)


@lru_cache(maxsize=1)
def any_direction() -> re.Pattern[str]:
    """One pass that tells whether any entry of the vocabulary can match (most directions match none)."""
    return re.compile("|".join(f"(?:{r.regex.pattern})" for r in direction_rules()), re.IGNORECASE)


@lru_cache(maxsize=1)
def direction_rules() -> tuple[DirectionRule, ...]:
    path = DATA / "directions.yaml"
    rules = []
    for index, raw in enumerate(parse_yaml(path.read_text(encoding="utf-8")) or []):
        try:
            entry = DirectionEntry.model_validate(raw)
            rules.append(DirectionRule(re.compile(entry.pattern, re.IGNORECASE), entry.moment, entry.depth))
        except (ValidationError, re.error) as exc:
            raise DecisionDataError(f"{path.name}: entry {index}: {exc}") from None
    return tuple(rules)


@lru_cache(maxsize=1)
def reading() -> Reading:
    try:
        data = load_yaml_model(DATA / "reading.yaml", ReadingData, DecisionDataError)
    except re.error as exc:  # pragma: no cover - raised inside validation as a ValidationError
        raise DecisionDataError(f"reading.yaml: {exc}") from None

    flags = re.IGNORECASE
    return Reading(
        exterior=re.compile(data.exterior, flags),
        interior=re.compile(data.interior, flags),
        cave=re.compile(data.cave, flags),
        vigil=re.compile(data.vigil, flags),
        vigil_within=data.vigil_within,
        feast=re.compile(data.feast, flags),
        feast_talk=re.compile(data.feast_talk, flags),
        feast_talk_min=data.feast_talk_min,
        feast_talk_share=data.feast_talk_share,
    )


@lru_cache(maxsize=1)
def palettes() -> Palettes:
    return load_yaml_model(KNOWLEDGE_DATA / "palettes.yaml", Palettes, DecisionDataError)
