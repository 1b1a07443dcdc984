"""Atomic output files: write beside the target, fsync, then rename over it."""

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel


def write_text_atomic(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: Path, value: BaseModel | Sequence[BaseModel]) -> Path:
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="json")
    else:
        data = [item.model_dump(mode="json") for item in value]
    return write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
