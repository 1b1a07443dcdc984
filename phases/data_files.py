"""Reading YAML data files (libyaml's parser), and loading one into its pydantic model with one-line errors."""

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from phases.contracts.validation import field_error

M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader where PyYAML has it: the pure-Python parser spent about 0.3 s of every run on the data files.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """YAML text to plain data, as yaml.safe_load (the same constructor) but parsed by libyaml."""
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)


def load_yaml_model(path: Path, model: type[M], error: type[Exception]) -> M:
    """The file read into `model`. Any problem raises `error` with one line naming the file (and the field)."""
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path.name}: cannot read ({type(exc).__name__}: {exc})") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where, message = field_error(exc)
        raise error(f"{path.name}: field {where}: {message}") from None
