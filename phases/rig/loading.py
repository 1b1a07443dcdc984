"""Load a rig file of any kind, check its patch, infer its groups' roles. Cached by path, size and mtime."""

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from phases.contracts import Rig
from phases.hardware.profiles import FixtureProfile, load_profiles
from phases.regular_file import FileProblem, name_problem, read_regular_file, regular_file_problem

from .check import patch_problems
from .errors import RigError
from .library import FixtureLibrary, Roots, confined
from .limits import rig_limits
from .qxw import import_workspace
from .roles import with_roles
from .yaml_rig import read_yaml_rig

RIG_SUFFIXES = {".yaml": "cueflow YAML", ".yml": "cueflow YAML", ".qxw": "QLC+ workspace"}


@dataclass(frozen=True)
class LoadedRig:
    rig: Rig
    profiles: dict[str, FixtureProfile]  # the hand-written fallbacks plus every imported mode
    source: str
    kind: str
    digest: str  # content hash of the rig file: part of the knowledge version
    role_source: dict[str, str] = field(default_factory=dict)  # group -> "given" | "inferred from ..."
    notes: tuple[str, ...] = ()  # fixtures left out, and why
    problems: tuple[str, ...] = ()  # patch problems (only when loaded with strict=False)


def load_rig(
    path: str | Path, fixture_dirs: tuple[str | Path, ...] = (), strict: bool = True, roots: Roots = None
) -> LoadedRig:
    """The rig in `path` (.yaml/.yml or .qxw). Raises RigError with one line naming the file and fixture.

    strict: refuse a rig whose patch overlaps or runs past channel 512 (Phase 8 could not play it).
    roots: a deployment's input roots: the rig, its definitions and the fixture libraries it names must lie inside.
    """
    problem = name_problem(path)
    if problem:
        raise RigError(f"{str(path)[:120]}: cannot be a rig file ({problem})")
    try:
        resolved = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        raise RigError(f"{path}: the rig file's path cannot be resolved (a symlink loop?)") from None
    if roots is not None:
        resolved = confined(resolved, roots, "rig file")
    problem = regular_file_problem(resolved)
    if problem:
        raise RigError(f"{path}: rig file {problem}" if problem == "not found" else f"{path}: the rig file {problem}")
    stat = resolved.stat()
    dirs = tuple(Path(d).expanduser().resolve() for d in fixture_dirs)
    loaded = _cached(resolved, stat.st_mtime_ns, stat.st_size, dirs, roots)
    if strict and loaded.problems:
        raise RigError(f"{resolved.name}: {loaded.problems[0]}")
    return loaded


@lru_cache(maxsize=8)
def _cached(path: Path, _mtime: int, _size: int, dirs: tuple[Path, ...], roots: Roots) -> LoadedRig:
    kind = RIG_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(RIG_SUFFIXES))
        raise RigError(f"{path}: unsupported rig file {path.suffix or '(no extension)'!r} (use {known})")
    profiles = load_profiles()
    notes: tuple[str, ...] = ()
    if kind == "QLC+ workspace":
        library = FixtureLibrary(dirs, beside=path.parent, roots=roots)
        imported = import_workspace(path, library)
        rig, notes = imported.rig, (*imported.notes, *library.notes)
        profiles.update(imported.profiles)
        limit = rig_limits().max_workspace_bytes
    else:
        rig, extra, library_notes = read_yaml_rig(path, dirs, roots)
        profiles.update(extra)
        notes = tuple(library_notes)
        limit = rig_limits().max_yaml_rig_bytes
    rig, how = with_roles(rig)
    if kind == "QLC+ workspace":
        how = imported.role_source
    try:
        digest = hashlib.sha256(read_regular_file(path, limit)).hexdigest()[:16]
    except FileProblem as exc:  # replaced while it was read
        raise RigError(f"{path}: the rig file {exc.reason}") from None
    problems = tuple(patch_problems(rig, profiles))
    return LoadedRig(rig, profiles, str(path), kind, digest, how, notes, problems)


def default_rig_path() -> Path:
    from phases.knowledge import DATA_DIR  # the default rig is part of the knowledge

    return DATA_DIR / "rig.yaml"


__all__ = ["LoadedRig", "RigError", "default_rig_path", "load_rig"]
