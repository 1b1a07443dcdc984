"""Find fixture definitions by manufacturer and model: folders the user gives, then where QLC+ installs them.

Search order: the rig file's own folder (only the files in it) and its `fixtures/` subfolder, the given folders
and those in $CUEFLOW_FIXTURE_PATH (searched recursively for .qxf and Open Fixture Library .json), then QLC+'s
user and system libraries (data/qlcplus.yaml library_dirs). A file that is not a definition is passed over.
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
    def __init__(self, folders: tuple[Path, ...] = (), beside: Path | None = None) -> None:
        """folders: searched recursively; beside: the rig file's folder, whose own files only are searched."""
        extra = tuple(Path(p) for p in os.environ.get(FIXTURE_PATH_VAR, "").split(os.pathsep) if p)
        system = tuple(Path(p).expanduser() for p in load_data("qlcplus")["library_dirs"])  # type: ignore[attr-defined]
        nested = (beside / "fixtures",) if beside is not None else ()
        deep = tuple(dict.fromkeys(p.resolve() for p in (*nested, *folders, *extra, *system) if p.is_dir()))
        self.folders: tuple[tuple[Path, bool], ...] = tuple((p, True) for p in deep)
        if beside is not None and beside.is_dir():
            self.folders = ((beside.resolve(), False), *self.folders)

    def find(self, manufacturer: str, model: str) -> FixtureDefinition:
        key = _key(manufacturer, model)
        for folder, recursive in self.folders:
            path = _index(folder, recursive, _stamp(folder)).get(key)
            if path is not None:
                return read_definition(Path(path))
        where = ", ".join(str(f) for f, _ in self.folders) or "no fixture library found"
        raise RigError(f"unknown fixture definition {manufacturer!r} {model!r} (searched {where})")


def _stamp(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=16)
def _index(folder: Path, recursive: bool, _mtime: int) -> dict[tuple[str, str], str]:
    """(manufacturer, model) -> file, read from each file's head (QLC+) or its name field (OFL)."""
    index: dict[tuple[str, str], str] = {}
    pattern = folder.rglob if recursive else folder.glob
    for path in sorted(pattern("*.qxf")):
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            continue
        tags = {m.group(1).decode(): m.group(2).decode("utf-8", "replace") for m in _TAG.finditer(head)}
        if "Manufacturer" in tags and "Model" in tags:
            index.setdefault(_key(tags["Manufacturer"], tags["Model"]), str(path))
    for path in sorted(pattern("*.json")):
        try:
            if path.name == "manufacturers.json" or path.stat().st_size > 256 * 1024:  # OFL files are a few KiB
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # not a definition: someone else's JSON
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str) and isinstance(data.get("modes"), list):
            try:
                definition = read_ofl(path)
            except RigError:
                continue
            index.setdefault(_key(definition.manufacturer, definition.model), str(path))
    return index
