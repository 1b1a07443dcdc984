"""What cueflow writes into a QLC+ 4 workspace (data/qlc_workspace.yaml)."""

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.data_files import load_yaml_model

from .errors import ExportError

SETTINGS_FILE = Path(__file__).parent / "data" / "qlc_workspace.yaml"


class WidgetSize(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    char_px: float = Field(gt=0)
    number_px: int = Field(ge=10)
    time_px: int = Field(ge=10)
    padding_px: int = Field(ge=0)
    row_px: int = Field(ge=10)
    chrome_px: int = Field(ge=0)
    min_rows: int = Field(ge=1)
    max_rows: int = Field(ge=1)


class QlcSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    namespace: str
    creator_version: str
    generic: dict[str, str]
    infinite_hold_ms: int
    cue_list_caption: str
    cue_list_position: dict[str, int]
    console_size: dict[str, int]
    widget: WidgetSize
    go_key: str
    back_key: str
    name_label_chars: int = Field(ge=10, le=200)
    number_digits: int = Field(ge=1, le=5)
    folder: str
    effect_loop_seconds: dict[str, float]
    pulse_steps_per_period: int = Field(ge=2, le=64)


@lru_cache(maxsize=1)
def qlc_settings() -> QlcSettings:
    return load_yaml_model(SETTINGS_FILE, QlcSettings, ExportError)
