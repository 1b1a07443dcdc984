"""Limits on the files Phase 8 reads and writes (phases/hardware/data/limits.yaml)."""

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.data_files import load_yaml_model

from .errors import HardwareError

LIMITS_FILE = Path(__file__).parent / "data" / "limits.yaml"


class HardwareLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_plan_file_bytes: int = Field(gt=0)
    max_dry_run_bytes: int = Field(gt=0)


@cache
def hardware_limits() -> HardwareLimits:
    return load_yaml_model(LIMITS_FILE, HardwareLimits, HardwareError)
