from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.data_files import load_yaml_model


class ThresholdsError(ValueError):
    """thresholds.yaml is missing or invalid."""


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_transition_seconds: float = Field(ge=0)
    drift_warn: float = Field(ge=0, le=1)
    drift_fail: float = Field(ge=0, le=1)
    full_level: float = Field(ge=0, le=1)
    coherence_intensity_tolerance: float = Field(ge=0, le=1)
    coherence_kelvin_tolerance: float = Field(ge=0)
    coherence_warn: float = Field(ge=0, le=1)
    coherence_min_confidence: float = Field(ge=0, le=1)
    coverage_warn: float = Field(ge=0, le=1)
    coverage_fail: float = Field(ge=0, le=1)
    compliance_warn: float = Field(ge=0, le=1)
    compliance_fail: float = Field(ge=0, le=1)
    night_day_ratio_warn: float = Field(gt=0)
    night_day_ratio_fail: float = Field(gt=0)
    key_share_warn: float = Field(ge=0, le=1)
    key_share_fail: float = Field(ge=0, le=1)
    palette_warn: float = Field(ge=1)
    palette_fail: float = Field(ge=1)
    cues_per_hour_warn: float = Field(ge=0)
    cues_per_hour_fail: float = Field(ge=0)
    cues_per_hour_max: float = Field(gt=0)
    longest_hold_warn: float = Field(gt=0)
    longest_hold_fail: float = Field(gt=0)
    direction_offset_tolerance: float = Field(ge=0)
    directions_warn: float = Field(ge=0, le=1)
    directions_fail: float = Field(ge=0, le=1)
    visible_change: float = Field(gt=0, le=1)
    no_op_warn: float = Field(ge=0, le=1)
    no_op_fail: float = Field(ge=0, le=1)
    ratchet_tolerance: float = Field(ge=0, le=1)
    ratchet_warn: float = Field(ge=0, le=1)
    ratchet_fail: float = Field(ge=0, le=1)
    special_open_lines: int = Field(ge=0)
    time_words_warn: float = Field(ge=0, le=1)
    time_words_fail: float = Field(ge=0, le=1)
    gold_recall_warn: float = Field(ge=0, le=1)
    gold_recall_fail: float = Field(ge=0, le=1)
    gold_precision_warn: float = Field(ge=0, le=1)
    gold_must_not_max: int = Field(ge=0)


class Vocabulary(BaseModel):
    """phases/evaluation/data/vocabulary.yaml: how Phase 7 reads times of day, roles and show structure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    night_times: tuple[str, ...]
    day_times: tuple[str, ...]
    time_classes: dict[str, tuple[str, ...]]
    roles_by_group: dict[str, str]
    shaping_roles: tuple[str, ...]
    after_the_end: tuple[str, ...]
    not_a_hold: tuple[str, ...]
    scene_change_note: str
    opening_share: float = Field(gt=0, le=1)
    present_time_statements: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return load_yaml_model(Path(__file__).parent / "data" / "vocabulary.yaml", Vocabulary, ThresholdsError)


@lru_cache(maxsize=1)
def default_thresholds() -> Thresholds:
    return load_yaml_model(Path(__file__).parent / "data" / "thresholds.yaml", Thresholds, ThresholdsError)
