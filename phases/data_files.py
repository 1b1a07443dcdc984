"""Loading a phase's YAML data file into its pydantic model, with one-line errors that name the file and field."""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from phases.contracts.validation import field_error

M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], error: type[Exception]) -> M:
    """The file read into `model`. Any problem raises `error` with one line naming the file (and the field)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path.name}: cannot read ({type(exc).__name__}: {exc})") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where, message = field_error(exc)
        raise error(f"{path.name}: field {where}: {message}") from None
