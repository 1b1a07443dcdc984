"""Limits on the rig files cueflow reads (phases/rig/data/limits.yaml)."""

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.data_files import load_yaml_model

LIMITS_FILE = Path(__file__).parent / "data" / "limits.yaml"


class RigLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_yaml_rig_bytes: int = Field(gt=0)
    max_yaml_nodes: int = Field(gt=0)
    max_workspace_bytes: int = Field(gt=0)
    max_definition_bytes: int = Field(gt=0)
    max_fixtures: int = Field(gt=0)
    max_library_entries: int = Field(gt=0)
    max_library_depth: int = Field(ge=1)
    max_indexed_json_bytes: int = Field(gt=0)
    system_folders: tuple[str, ...] = ()


@cache
def rig_limits() -> RigLimits:
    return load_yaml_model(LIMITS_FILE, RigLimits, RuntimeError)
