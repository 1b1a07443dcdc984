"""Atomic output files: write beside the target, fsync, then rename over it."""

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from phases.atomic_file import atomic_write


def write_text_atomic(path: Path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    with atomic_write(path, binary=True) as handle:
        handle.write(data)
    return path


def write_json_atomic(path: Path, value: BaseModel | Sequence[BaseModel]) -> Path:
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="json")
    else:
        data = [item.model_dump(mode="json") for item in value]
    return write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
