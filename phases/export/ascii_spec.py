"""The USITT ASCII 3.0 rules cueflow writes and reads (data/usitt_ascii.yaml)."""

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.data_files import load_yaml_model

from .errors import ExportError

SPEC_FILE = Path(__file__).parent / "data" / "usitt_ascii.yaml"


class AsciiSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ident: str
    manufacturer: str
    console: str
    max_line: int = Field(ge=20, le=255)
    line_end: str
    delimiters: str = Field(min_length=1)
    primary: list[str]
    general: list[str]
    secondary: dict[str, list[str]]
    part: list[str]
    text_replacements: dict[str, str]
    patch_page: int = Field(ge=1)
    patch_level: str


@lru_cache(maxsize=1)
def ascii_spec() -> AsciiSpec:
    return load_yaml_model(SPEC_FILE, AsciiSpec, ExportError)
