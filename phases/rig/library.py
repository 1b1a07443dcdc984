"""Find fixture definitions by manufacturer and model: folders the user gives, then where QLC+ installs them.

Search order: the given folders (each searched recursively for .qxf and Open Fixture Library .json), the
folders in $CUEFLOW_FIXTURE_PATH, then QLC+'s user and system libraries (data/qlcplus.yaml library_dirs).
"""

import json
import os
import re
from functools import lru_cache
from pathlib import Path

from .definitions import FixtureDefinition
from .errors import RigError
from .ofl import read_ofl
from .qxf import read_qxf
from .xml_files import load_data

FIXTURE_PATH_VAR = "CUEFLOW_FIXTURE_PATH"
_TAG = re.compile(rb"<(Manufacturer|Model)>\s*([^<]*?)\s*</\1>")


def _key(manufacturer: str, model: str) -> tuple[str, str]:
    return " ".join(manufacturer.lower().replace("_", " ").split()), " ".join(model.lower().split())


def read_definition(path: Path) -> FixtureDefinition:
    """A definition file by its kind: .qxf (QLC+) or .json (Open Fixture Library)."""
    if path.suffix.lower() == ".qxf":
        return read_qxf(path)
    if path.suffix.lower() == ".json":
        return read_ofl(path)
    raise RigError(f"{path}: not a fixture definition (.qxf or Open Fixture Library .json)")


class FixtureLibrary:
    def __init__(self, folders: tuple[Path, ...] = ()) -> None:
        extra = tuple(Path(p) for p in os.environ.get(FIXTURE_PATH_VAR, "").split(os.pathsep) if p)
        system = tuple(Path(p).expanduser() for p in load_data("qlcplus")["library_dirs"])  # type: ignore[attr-defined]
        self.folders = tuple(dict.fromkeys(p.resolve() for p in (*folders, *extra, *system) if p.is_dir()))

    def find(self, manufacturer: str, model: str) -> FixtureDefinition:
        key = _key(manufacturer, model)
        for folder in self.folders:
            path = _index(folder, _stamp(folder)).get(key)
            if path is not None:
                return read_definition(Path(path))
        where = ", ".join(str(f) for f in self.folders) or "no fixture library found"
        raise RigError(f"unknown fixture definition {manufacturer!r} {model!r} (searched {where})")


def _stamp(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=16)
def _index(folder: Path, _mtime: int) -> dict[tuple[str, str], str]:
    """(manufacturer, model) -> file, read from each file's head (QLC+) or its name field (OFL)."""
    index: dict[tuple[str, str], str] = {}
    for path in sorted(folder.rglob("*.qxf")):
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            continue
        tags = {m.group(1).decode(): m.group(2).decode("utf-8", "replace") for m in _TAG.finditer(head)}
        if "Manufacturer" in tags and "Model" in tags:
            index.setdefault(_key(tags["Manufacturer"], tags["Model"]), str(path))
    for path in sorted(folder.rglob("*.json")):
        if path.name == "manufacturers.json" or path.stat().st_size > 4 * 1024 * 1024:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str) and isinstance(data.get("modes"), list):
            try:
                definition = read_ofl(path)
            except RigError:
                continue
            index.setdefault(_key(definition.manufacturer, definition.model), str(path))
    return index
