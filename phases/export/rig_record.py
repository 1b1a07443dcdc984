"""The rig a plan was designed for, recorded beside it (rig_patch.json): its file, a fingerprint of the file's
bytes, and its patch. `cueflow export` and `cueflow play` read it, so a plan needs no --rig: a recorded rig
file that is missing or has changed is refused with one line; an explicit --rig overrides the record, and
what differs from the recorded patch is said in one line.
"""

import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from phases.contracts import PatchLine, RigPatch
from phases.contracts.validation import field_error
from phases.rig import default_rig_path

from .errors import ExportError
from .levels import channel_numbers
from .plan_files import load_colours, load_rig_file

RIG_PATCH_FILE = "rig_patch.json"
BUNDLED_RIG = default_rig_path()
KINDS = {".yaml": "cueflow YAML", ".yml": "cueflow YAML", ".qxw": "QLC+ workspace"}


def fingerprint(path: Path) -> str:
    try:
        return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise ExportError(f"{path}: rig file not found") from None
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the rig file ({exc.strerror or type(exc).__name__})") from None


def rig_record(rig_path: Path | None) -> RigPatch:
    """The record of `rig_path` (None: the bundled rig) as a plan made for it keeps it."""
    path = (rig_path or BUNDLED_RIG).expanduser().resolve()
    rig, profiles = load_rig_file(path, load_colours())
    channels = channel_numbers(rig)
    patch = [
        PatchLine(
            channel=channels[f.fixture_id],
            fixture_id=f.fixture_id,
            name=f.name or f.fixture_id,
            group_id=f.group_id,
            universe=f.patch.universe,
            address=f.patch.address,
            footprint=profiles[f.patch.profile].footprint,
            profile=f.patch.profile,
            manufacturer=f.manufacturer,
            model=f.model,
            mode=f.patch.mode,
        )
        for f in rig.fixtures
    ]
    return RigPatch(
        rig_file=None if rig_path is None else str(path),
        kind="bundled" if rig_path is None else KINDS.get(path.suffix.lower(), "cueflow YAML"),  # type: ignore[arg-type]
        fingerprint=fingerprint(path),
        rig_name=rig.name,
        patch=patch,
    )


def read_rig_record(plan_dir: Path) -> RigPatch | None:
    """The plan's recorded rig, or None for a plan folder from before plans recorded their rig."""
    path = plan_dir / RIG_PATCH_FILE
    if not path.is_file():
        return None
    try:
        return RigPatch.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read ({type(exc).__name__})") from None
    except (json.JSONDecodeError, RecursionError):
        raise ExportError(f"{path}: invalid JSON") from None
    except ValidationError as exc:
        where, message = field_error(exc)
        raise ExportError(f"{path}: not a rig record: field {where}: {message}") from None


def _recorded_path(record: RigPatch) -> Path:
    return Path(record.rig_file) if record.rig_file else BUNDLED_RIG


def _where(line: PatchLine) -> str:
    return f"{line.universe}.{line.address}"


def differences(record: RigPatch, other: RigPatch) -> list[str]:
    """What differs between the recorded patch and another rig's: fixtures gone, added, moved, changed."""
    before = {p.fixture_id: p for p in record.patch}
    after = {p.fixture_id: p for p in other.patch}
    notes = []
    gone = [f for f in before if f not in after]
    added = [f for f in after if f not in before]
    if gone:
        notes.append(f"{len(gone)} fixture(s) gone ({', '.join(gone[:3])}{'...' if len(gone) > 3 else ''})")
    if added:
        notes.append(f"{len(added)} added ({', '.join(added[:3])}{'...' if len(added) > 3 else ''})")
    for fid in (f for f in before if f in after):
        a, b = before[fid], after[fid]
        if _where(a) != _where(b):
            notes.append(f"{fid} moved {_where(a)} -> {_where(b)}")
        if (a.footprint, a.mode, a.profile) != (b.footprint, b.mode, b.profile):
            notes.append(f"{fid} is now {b.mode or b.profile} ({b.footprint} ch, was {a.footprint})")
        if a.channel != b.channel:
            notes.append(f"{fid} is channel {b.channel} (was {a.channel})")
    return notes


def rig_for_plan(plan_dir: Path, rig_path: Path | None) -> tuple[Path, str | None]:
    """The rig file to export or play the plan in plan_dir for, and a note for the user (or None).

    An explicit rig_path wins; the note then says how it differs from the recorded rig. Without one, the
    recorded rig (else, for an old plan folder, the bundled rig), refused if it is missing or has changed.
    """
    record = read_rig_record(plan_dir)
    if rig_path is not None:
        if record is None or fingerprint(rig_path) == record.fingerprint:
            return rig_path, None
        recorded = _recorded_path(record)
        changes = differences(record, rig_record(rig_path))
        what = "; ".join(changes[:4]) + ("; ..." if len(changes) > 4 else "") if changes else "the same patch, other content"
        return rig_path, f"{rig_path} differs from the rig the plan was made for ({recorded}): {what}"
    if record is None:
        return BUNDLED_RIG, None
    path = _recorded_path(record)
    if not path.is_file():
        raise ExportError(f"{path}: the rig this plan was made for is missing (give --rig PATH to use another)")
    if fingerprint(path) != record.fingerprint:
        raise ExportError(
            f"{path}: the rig file has changed since the plan was made for it (give --rig {path} to use it as it is now)"
        )
    return path, None
