"""Proof that cueflow made a hidden folder beside an output: a marker file written inside it as it is made.

A run builds its outputs in `.NAME.work-XXXXXXXX` and an export in `.NAME.export-XXXXXXXX`, beside NAME; a crash can
leave either behind, and `.NAME.old-XXXXXXXX` while a run swaps its folder in. Tidying them up by name alone deleted
a user's `.mozilla.work-backup` and renamed `.emacs.d.old-2023`. So a folder is cueflow's only when it holds this
marker, written by this user, naming the folder it was made for; and it is still in use while the process that
wrote the marker lives.
"""

import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MARKER = ".cueflow-made"
KINDS = ("work", "old", "export")  # a run's work folder, a run's previous folder being swapped out, an export's
MAX_MARKER_BYTES = 4096


@dataclass(frozen=True)
class Mark:
    kind: str
    made_for: str  # the name of the folder it belongs beside: NAME in .NAME.work-XXXXXXXX
    pid: int
    started: int  # the writing process's start time (clock ticks since boot), so a reused pid is not mistaken for it
    created: float

    def writer_alive(self) -> bool:
        return self.started != 0 and _started(self.pid) == self.started


def _started(pid: int) -> int:
    """A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    if fields[0] == "Z":
        return 0
    return int(fields[19])


def write_mark(folder: Path, made_for: str, kind: str) -> None:
    """Put the marker in `folder` (which cueflow has just made, or is about to move aside)."""
    record = {"made_by": "cueflow", "kind": kind, "for": made_for, "pid": os.getpid(), "started": _started(os.getpid())}
    record["created"] = time.time()
    fd = os.open(folder / MARKER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle)


def remove_mark(folder: Path) -> None:
    (folder / MARKER).unlink(missing_ok=True)


def make_marked_folder(final: Path, kind: str) -> Path:
    """A new hidden folder `.NAME.KIND-XXXXXXXX` beside `final`, marked as cueflow's."""
    folder = Path(tempfile.mkdtemp(prefix=f".{final.name}.{kind}-", dir=final.parent))
    write_mark(folder, final.name, kind)
    return folder


def read_mark(folder: Path) -> Mark | None:
    """The folder's marker when it proves cueflow made the folder: a real folder and a regular marker file, both this
    user's, naming a folder whose hidden name this one has. Anything else is None (not cueflow's)."""
    try:
        info = folder.lstat()
        marker = (folder / MARKER).lstat()
    except OSError:
        return None
    uid = os.geteuid()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
        return None
    if not stat.S_ISREG(marker.st_mode) or marker.st_uid != uid or marker.st_size > MAX_MARKER_BYTES:
        return None
    try:
        fd = os.open(folder / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            record = json.loads(handle.read(MAX_MARKER_BYTES))
        mark = Mark(
            kind=str(record["kind"]),
            made_for=str(record["for"]),
            pid=int(record["pid"]),
            started=int(record["started"]),
            created=float(record["created"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if record.get("made_by") != "cueflow" or mark.kind not in KINDS or not mark.made_for or "/" in mark.made_for:
        return None
    if not any(folder.name.startswith(f".{mark.made_for}.{kind}-") for kind in KINDS):
        return None
    return mark


def last_touched(folder: Path, mark: Mark) -> float:
    """When the folder was last worked on: the later of the marker's date and the folder's own modification."""
    try:
        return max(mark.created, folder.lstat().st_mtime)
    except OSError:
        return mark.created
