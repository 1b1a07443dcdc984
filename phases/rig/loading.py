"""Load a rig file of any kind, check its patch, infer its groups' roles. Cached by path, size and mtime."""

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from phases.contracts import Rig
from phases.hardware.profiles import FixtureProfile, load_profiles

from .check import patch_problems
from .errors import RigError
from .library import FixtureLibrary
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


def load_rig(path: str | Path, fixture_dirs: tuple[str | Path, ...] = (), strict: bool = True) -> LoadedRig:
    """The rig in `path` (.yaml/.yml or .qxw). Raises RigError with one line naming the file and fixture.

    strict: refuse a rig whose patch overlaps or runs past channel 512 (Phase 8 could not play it).
    """
    resolved = Path(path).expanduser().resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        raise RigError(f"{path}: rig file not found") from None
    except OSError as exc:
        raise RigError(f"{path}: cannot read the rig file ({exc.strerror})") from None
    if not resolved.is_file():
        raise RigError(f"{path}: not a file")
    dirs = tuple(Path(d).expanduser().resolve() for d in fixture_dirs)
    loaded = _cached(resolved, stat.st_mtime_ns, stat.st_size, dirs)
    if strict and loaded.problems:
        raise RigError(f"{resolved.name}: {loaded.problems[0]}")
    return loaded


@lru_cache(maxsize=8)
def _cached(path: Path, _mtime: int, _size: int, dirs: tuple[Path, ...]) -> LoadedRig:
    kind = RIG_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(RIG_SUFFIXES))
        raise RigError(f"{path}: unsupported rig file {path.suffix or '(no extension)'!r} (use {known})")
    profiles = load_profiles()
    notes: tuple[str, ...] = ()
    if kind == "QLC+ workspace":
        imported = import_workspace(path, FixtureLibrary(dirs, beside=path.parent))
        rig, notes = imported.rig, imported.notes
        profiles.update(imported.profiles)
    else:
        rig, extra = read_yaml_rig(path, dirs)
        profiles.update(extra)
    rig, how = with_roles(rig)
    if kind == "QLC+ workspace":
        how = imported.role_source
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    problems = tuple(patch_problems(rig, profiles))
    return LoadedRig(rig, profiles, str(path), kind, digest, how, notes, problems)


def default_rig_path() -> Path:
    from phases.knowledge import DATA_DIR  # the default rig is part of the knowledge

    return DATA_DIR / "rig.yaml"


__all__ = ["LoadedRig", "RigError", "default_rig_path", "load_rig"]
