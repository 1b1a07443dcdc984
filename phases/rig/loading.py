"""Load a rig file of any kind, check its patch, infer its groups' roles (with a stand-in key when it has no
front light). Cached by the path, size and mtime of the rig file and the files read with it."""

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from phases.contracts import Mounting, Rig

from .check import patch_problems
from .errors import RigError
from .library import FixtureLibrary
from .overlay import MAX_OVERLAY_BYTES, beside, read_overlay
from .profiles import FixtureProfile, load_profiles
from .qxw import import_workspace
from .roles import stand_in_key, with_roles
from .stage import hung_above, standard_areas
from .xml_files import DATA_DIR
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
    companions: tuple[str, ...] = ()  # files read with it: a workspace's focus file, an overlay's workspace


def load_rig(path: str | Path, fixture_dirs: tuple[str | Path, ...] = (), strict: bool = True) -> LoadedRig:
    """The rig in `path` (.yaml/.yml or .qxw, with a .qxw's focus file). Raises RigError with one line naming
    the file and fixture.

    strict: refuse a rig whose patch overlaps or runs past channel 512 (Phase 8 could not play it).
    """
    resolved = Path(path).expanduser().resolve()
    stamp = _stamp(resolved, str(path))
    if not resolved.is_file():
        raise RigError(f"{path}: not a file")
    kind = RIG_SUFFIXES.get(resolved.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(RIG_SUFFIXES))
        raise RigError(f"{path}: unsupported rig file {resolved.suffix or '(no extension)'!r} (use {known})")
    companions = tuple((c, _stamp(c, str(c))) for c in _companions(resolved, kind))
    dirs = tuple(Path(d).expanduser().resolve() for d in fixture_dirs)
    loaded = _cached(resolved, stamp, companions, dirs)
    if strict and loaded.problems:
        raise RigError(f"{resolved.name}: {loaded.problems[0]}")
    return loaded


def _stamp(path: Path, shown: str) -> tuple[int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise RigError(f"{shown}: rig file not found") from None
    except OSError as exc:
        raise RigError(f"{shown}: cannot read the rig file ({exc.strerror})") from None
    return stat.st_mtime_ns, stat.st_size


def _companions(path: Path, kind: str) -> tuple[Path, ...]:
    """The files read with the rig file: a .qxw's focus file beside it; the workspace a YAML overlay names."""
    if kind == "QLC+ workspace":
        focus = beside(path)
        return (focus,) if focus.is_file() else ()
    workspace = overlay_workspace(path)
    return (workspace,) if workspace is not None else ()


@lru_cache(maxsize=8)
def _cached(
    path: Path, _stamp: tuple[int, int], companions: tuple[tuple[Path, tuple[int, int]], ...], dirs: tuple[Path, ...]
) -> LoadedRig:
    kind = RIG_SUFFIXES[path.suffix.lower()]
    profiles = load_profiles()
    notes: tuple[str, ...] = ()
    workspace = overlay_workspace(path) if kind == "cueflow YAML" else None
    if kind == "QLC+ workspace" or workspace is not None:
        qxw, focus = (path, companions[0][0] if companions else None) if workspace is None else (workspace, path)
        overlay = read_overlay(focus) if focus is not None else None
        imported = import_workspace(qxw, FixtureLibrary(dirs, beside=qxw.parent), overlay, focus.name if focus else "")
        rig, notes, how = imported.rig, imported.notes, imported.role_source
        profiles.update(imported.profiles)
        kind = "QLC+ workspace" if workspace is None else "QLC+ workspace with a cueflow overlay"
    else:
        rig, extra = read_yaml_rig(path, dirs)
        profiles.update(extra)
        rig = _numbered(_hung(rig, profiles))
        rig, how = with_roles(rig, profiles)
    rig, how = stand_in_key(rig, how, profiles)
    if not rig.focus_points:
        rig = rig.model_copy(update={"focus_points": standard_areas()})
    digest = hashlib.sha256(path.read_bytes() + b"".join(c.read_bytes() for c, _ in companions)).hexdigest()[:16]
    problems = tuple(patch_problems(rig, profiles))
    return LoadedRig(rig, profiles, str(path), kind, digest, how, notes, problems, tuple(str(c) for c, _ in companions))


def _hung(rig: Rig, profiles: dict[str, FixtureProfile]) -> Rig:
    """A YAML rig's movers without a mounting: hung from a bar when high up, else standing (their positions
    are real, so pan and tilt are computed for every focus point)."""
    fixtures = []
    for fixture in rig.fixtures:
        profile = profiles.get(fixture.patch.profile)
        if fixture.mounting is None and profile is not None and profile.has("pan") and profile.has("tilt"):
            orientation = "hung" if fixture.position.z >= hung_above() else "standing"
            fixture = fixture.model_copy(update={"mounting": Mounting(orientation=orientation)})
        fixtures.append(fixture)
    return rig.model_copy(update={"fixtures": fixtures})


def _numbered(rig: Rig) -> Rig:
    """Fixtures the rig file gives no console channel number get the next free ones, in file order."""
    taken = {f.fixture_number for f in rig.fixtures if f.fixture_number}
    fixtures, number = [], 0
    for fixture in rig.fixtures:
        if fixture.fixture_number is None:
            number += 1
            while number in taken:
                number += 1
            fixture = fixture.model_copy(update={"fixture_number": number})
        fixtures.append(fixture)
    return rig.model_copy(update={"fixtures": fixtures})


def overlay_workspace(path: Path) -> Path | None:
    """The workspace a cueflow YAML rig overlays (`workspace: FILE.qxw`, relative to it), or None."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_OVERLAY_BYTES + 1)
    except OSError:
        return None
    if b"workspace:" not in head:
        return None
    named = read_overlay(path).workspace
    if named is None:
        return None
    workspace = (path.parent / named).resolve()
    if workspace.suffix.lower() != ".qxw":
        raise RigError(f"{path.name}: workspace {named!r} is not a QLC+ workspace (.qxw)")
    if not workspace.is_file():
        raise RigError(f"{path.name}: workspace {named!r} not found")
    return workspace


def default_rig_path() -> Path:
    """The bundled studio rig (data/rig.yaml): what cueflow designs for without --rig."""
    return DATA_DIR / "rig.yaml"


__all__ = ["LoadedRig", "RigError", "default_rig_path", "load_rig"]
