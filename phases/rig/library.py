"""Find fixture definitions by manufacturer and model: folders the user gives, then where QLC+ installs them.

Search order: the rig file's own folder (only the files in it) and its `fixtures/` subfolder, the given folders
and those in $CUEFLOW_FIXTURE_PATH (searched recursively for .qxf and Open Fixture Library .json), then QLC+'s
user and system libraries (data/qlcplus.yaml library_dirs). A file that is not a definition is passed over; one
that is not a regular file (a FIFO, a device) is passed over with a note; a definition that is damaged breaks only
a lookup that needs it. The walk is bounded (data/limits.yaml): a library of `/` or `/proc` is one line.

Confined (a deployment): the rig's folders and the folders it names must lie under the given roots, and so must
every definition read from them, symlinks resolved. $CUEFLOW_FIXTURE_PATH and QLC+'s libraries are the serving
machine's own choice.
"""

import os
import re
import stat
from functools import lru_cache
from pathlib import Path

from phases.regular_file import FileProblem, parse_json, read_regular_file

from .definitions import FixtureDefinition
from .errors import RigError
from .limits import rig_limits
from .ofl import manufacturer_of, read_ofl
from .qxf import read_qxf
from .xml_files import load_data

FIXTURE_PATH_VAR = "CUEFLOW_FIXTURE_PATH"
_TAG = re.compile(rb"<(Manufacturer|Model)>\s*([^<]*?)\s*</\1>")
_HEAD_BYTES = 4096  # a .qxf names its manufacturer and model at the top
Roots = tuple[Path, ...] | None  # None: not confined


def _key(manufacturer: str, model: str) -> tuple[str, str]:
    return " ".join(manufacturer.lower().replace("_", " ").split()), " ".join(model.lower().split())


def read_definition(path: Path, suffix: str | None = None) -> FixtureDefinition:
    """A definition file by its kind (its suffix, or the one given: a symlink's): .qxf (QLC+) or .json (OFL)."""
    kind = (suffix or path.suffix).lower()
    if kind == ".qxf":
        return read_qxf(path)
    if kind == ".json":
        return read_ofl(path)
    raise RigError(f"{path}: not a fixture definition (.qxf or Open Fixture Library .json)")


def confined(path: Path, roots: Roots, what: str) -> Path:
    """`path` resolved; with roots, RigError unless it lies inside one of them."""
    try:
        resolved = path.expanduser().resolve()
    except (OSError, RuntimeError):  # a symlink loop, a name too long
        raise RigError(f"{what} {path}: cannot be resolved") from None
    if roots is not None and not any(resolved.is_relative_to(root) for root in roots):
        raise RigError(f"{what} {path} resolves outside the input roots; only files under them are read")
    return resolved


class FixtureLibrary:
    def __init__(self, folders: tuple[Path, ...] = (), beside: Path | None = None, roots: Roots = None) -> None:
        """folders: searched recursively; beside: the rig file's folder, whose own files only are searched.
        roots: confine `folders`, `beside` and what is read from them to these folders (a deployment)."""
        self.roots = roots
        extra = tuple(Path(p) for p in os.environ.get(FIXTURE_PATH_VAR, "").split(os.pathsep) if p)
        system = tuple(Path(p).expanduser() for p in load_data("qlcplus")["library_dirs"])  # type: ignore[attr-defined]
        nested = (beside / "fixtures",) if beside is not None else ()
        given = tuple(confined(p, roots, "fixture library") for p in (*nested, *folders) if _is_dir(p))
        served = tuple(p.resolve() for p in (*extra, *system) if _is_dir(p))
        self._confined = set(given) if roots is not None else set()
        deep = tuple(dict.fromkeys((*given, *served)))
        self.folders: tuple[tuple[Path, bool], ...] = tuple((p, True) for p in deep)
        if beside is not None and _is_dir(beside):
            folder = confined(beside, roots, "rig folder")
            self.folders = ((folder, False), *self.folders)
            if roots is not None:
                self._confined.add(folder)
        self.notes: list[str] = []  # files passed over that are not regular files
        self._read: dict[str, FixtureDefinition] = {}

    def find(self, manufacturer: str, model: str) -> FixtureDefinition:
        key = _key(manufacturer, model)
        for folder, recursive in self.folders:
            index, skipped = _index(folder, recursive, _stamp(folder))
            self.notes += [n for n in skipped if n not in self.notes]
            path = index.get(key)
            if path is not None:
                return self.read(Path(path), folder)
        where = ", ".join(str(f) for f, _ in self.folders) or "no fixture library found"
        raise RigError(f"unknown fixture definition {manufacturer!r} {model!r} (searched {where})")

    def read(self, path: Path, folder: Path | None = None) -> FixtureDefinition:
        """A definition file, read once per library; confined like the folder it was found in (then the resolved
        file is read, so a symlink changed after the check cannot lead outside)."""
        target = path
        if self.roots is not None and (folder is None or folder in self._confined):
            target = confined(path, self.roots, "fixture definition")
        cached = self._read.get(str(target))
        if cached is None:
            cached = self._read[str(target)] = read_definition(target, path.suffix)
        return cached


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long for the system
        return False


def _stamp(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return 0


def _candidates(folder: Path, recursive: bool) -> tuple[list[Path], list[str]]:
    """(.qxf and .json regular files under `folder`, sorted; notes on the ones passed over). Bounded walk."""
    limits = rig_limits()
    system = next((f for f in limits.system_folders if folder.resolve().is_relative_to(f)), None)
    if system is not None:
        raise RigError(
            f"fixture library {folder}: lies in {system}, the system's own files; give a folder of fixture definitions"
        )
    found: list[Path] = []
    skipped: list[str] = []
    seen = 0
    stack = [(folder, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            entries = os.scandir(directory)
        except OSError:  # unreadable, or gone (a process folder in /proc)
            continue
        with entries:
            while True:
                try:
                    entry = next(entries, None)
                except OSError:  # a folder of /proc that refuses to be listed half way
                    break
                if entry is None:
                    break
                seen += 1
                if seen > limits.max_library_entries:
                    raise RigError(
                        f"fixture library {folder}: more than {limits.max_library_entries:,} entries; "
                        "give a folder of fixture definitions"
                    )
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if recursive and depth < limits.max_library_depth:
                            stack.append((Path(entry.path), depth + 1))
                        continue
                    if not entry.name.lower().endswith((".qxf", ".json")):
                        continue
                    mode = entry.stat().st_mode  # through a symlink: what it points to
                except OSError:
                    continue
                if stat.S_ISREG(mode):
                    found.append(Path(entry.path))
                else:
                    skipped.append(f"{entry.path}: not a regular file (a FIFO, device or socket); passed over")
    return sorted(found), skipped


@lru_cache(maxsize=16)
def _index(folder: Path, recursive: bool, _mtime: int) -> tuple[dict[tuple[str, str], str], tuple[str, ...]]:
    """((manufacturer, model) -> file, notes), read from each file's head (QLC+) or its name field (OFL).

    A damaged file is indexed when its name can be read, so the lookup that needs it reports why it is damaged,
    and no other lookup does."""
    index: dict[tuple[str, str], str] = {}
    files, skipped = _candidates(folder, recursive)
    limits = rig_limits()
    for path in (p for p in files if p.suffix.lower() == ".qxf"):
        try:
            head = read_regular_file(path, _HEAD_BYTES, head=True)
        except FileProblem:
            continue
        tags = {m.group(1).decode(): m.group(2).decode("utf-8", "replace") for m in _TAG.finditer(head)}
        if "Manufacturer" in tags and "Model" in tags:
            index.setdefault(_key(tags["Manufacturer"], tags["Model"]), str(path))
    for path in (p for p in files if p.suffix.lower() == ".json" and p.name != "manufacturers.json"):
        try:
            data = parse_json(read_regular_file(path, limits.max_indexed_json_bytes))
        except FileProblem:  # not a definition: someone else's JSON
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str) and isinstance(data.get("modes"), list):
            index.setdefault(_key(manufacturer_of(path), data["name"]), str(path))
    return index, tuple(skipped)
