"""Phase 1's limits on input size and shape (phases/parsing/data/limits.yaml)."""

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.data_files import load_yaml_model

LIMITS_FILE = Path(__file__).parent / "data" / "limits.yaml"


class InputLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_scene_bytes: int = Field(gt=0)
    max_scenes: int = Field(gt=0)
    max_docx_uncompressed_bytes: int = Field(gt=0)
    max_error_chars: int = Field(ge=80)


@cache
def limits() -> InputLimits:
    return load_yaml_model(LIMITS_FILE, InputLimits, RuntimeError)


def clip(text: str, max_chars: int | None = None) -> str:
    """`text` on one line and at most max_chars long: input must never be echoed whole into a message."""
    cap = max_chars or limits().max_error_chars
    flat = " ".join(str(text).split())
    return flat if len(flat) <= cap else flat[: cap - 1] + "…"
