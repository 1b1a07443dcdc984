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
    coherence_fail: float = Field(ge=0, le=1)
    coverage_warn: float = Field(ge=0, le=1)
    coverage_fail: float = Field(ge=0, le=1)
    compliance_warn: float = Field(ge=0, le=1)
    compliance_fail: float = Field(ge=0, le=1)


@lru_cache(maxsize=1)
def default_thresholds() -> Thresholds:
    return load_yaml_model(Path(__file__).parent / "data" / "thresholds.yaml", Thresholds, ThresholdsError)
