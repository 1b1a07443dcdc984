"""Output files and folders.

- Files are written atomically (beside the target, fsync, rename) with the umask's mode.
- A run's folder is built aside, in a hidden sibling work folder `.NAME.work-XXXXXXXX`, and swapped in whole at
  the end (an atomic exchange where the kernel has one, else two renames). A reader, a crash or a SIGKILL sees
  the old folder or the new one, never a mix. Leftover work folders are removed by the next run into that
  folder, by `cueflow clean`, and by the batch: only those holding cueflow's marker (phases/work_marker.py).
- One run at a time per folder: a lock file `.NAME.lock` beside the folder (fcntl). It stays after the run
  (removing a lock file races with the next run that opens it); it is empty.
- Folder names for scripts are unique and stable: a slug of the file name plus a short hash of its path.
"""

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel

from phases.atomic_file import atomic_write, current_umask
from phases.work_marker import last_touched, make_marked_folder, read_mark, remove_mark, write_mark

# A run's outputs are a few MB (Macbeth's preview.html is the largest); refuse a target with less than this free.
MIN_FREE_BYTES = 16 * 1024 * 1024
WORK_MARK = ".work-"
OLD_MARK = ".old-"


class OutputTargetError(ValueError):
    """An output folder or file that cannot be written as asked (bad input: one line, exit 2)."""


class OutputFolderBusyError(RuntimeError):
    """Another run holds the output folder's lock."""


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


# Names


def output_name(script: Path) -> str:
    """`my play.txt` -> `my_play.txt-1a2b3c4d`: the name made safe, plus the first 8 hex of sha256(its resolved path).

    So `my play.txt` and `my_play.txt`, or `plays/x.txt` and `inbox/x.txt`, never share a folder, and the same
    script always gets the same one.
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", script.name).strip("._") or "script"
    digest = hashlib.sha256(os.fsencode(script.expanduser().resolve())).hexdigest()[:8]
    return f"{slug[:80]}-{digest}"


def output_folder(output_dir: Path, script: Path) -> Path:
    return output_dir / output_name(script)


# Checks made before any work starts


def _first_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path("/")


def replace_problem(final: Path, script: Path | None = None) -> str | None:
    """Why a run must not replace `final` as a whole, or None. Only a folder that is new, empty, or an earlier
    run's (its result.json, no subfolders) is replaced, and never one holding the script or the working
    directory: `--out .` must not delete the files around it."""
    if script is not None and script.expanduser().resolve().is_relative_to(final):
        return f"{final} holds the script itself; choose a folder for the outputs only"
    if Path.cwd().resolve().is_relative_to(final):
        return f"{final} is the working directory or holds it; choose a folder for the outputs only"
    if not final.is_dir():
        return None
    entries = list(final.iterdir())
    if not entries:
        return None
    try:
        record = json.loads((final / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    if not (isinstance(record, dict) and "flow_run_id" in record and "phases" in record):
        return f"{final} holds files that no cueflow run wrote; choose a new or empty folder"
    if any(e.is_dir() and not e.is_symlink() for e in entries):
        return f"{final} holds folders that no cueflow run wrote; choose a new or empty folder"
    return None


def check_output_dir(path: Path, min_free: int = MIN_FREE_BYTES, script: Path | None = None, replaced: bool = True) -> Path:
    """The resolved folder, or OutputTargetError when it is a file, below a file, read-only or (nearly) full, or
    (when the run will replace it whole, unlike a batch's folder of folders) one it must not replace."""
    final = path.expanduser().resolve()
    existing = _first_existing(final)
    if existing == final and not final.is_dir():
        raise OutputTargetError(f"--out {path}: is a file, not a folder")
    if existing != final and not existing.is_dir():
        raise OutputTargetError(f"--out {path}: {existing} is a file, so nothing can be made below it")
    problem = replace_problem(final, script) if replaced else None
    if problem:
        raise OutputTargetError(f"--out {path}: {problem}")
    # The run's work folder is a sibling of the final folder, so the parent must take new entries. A probe
    # tells the truth where os.access does not (root ignores modes; read-only mounts, quotas).
    probe_in = final.parent if existing == final else existing
    try:
        tempfile.TemporaryDirectory(prefix=".cueflow-probe-", dir=probe_in).cleanup()
    except OSError as exc:
        raise OutputTargetError(f"--out {path}: cannot write in {probe_in} ({exc.strerror or exc})") from None
    free = shutil.disk_usage(probe_in).free
    if free < min_free:
        raise OutputTargetError(f"--out {path}: only {free // 1024} KiB free in {probe_in}; a run needs {min_free // 2**20} MiB")
    return final


def check_file_target(path: Path, option: str = "--dry-run") -> Path:
    """A file the run will replace: resolved, in an existing folder, and absent or a regular file."""
    target = path.expanduser().resolve()
    if not target.parent.is_dir():
        raise OutputTargetError(f"{option} {path}: {target.parent} is not an existing folder")
    if os.path.lexists(target) and not target.is_file():
        kind = "a folder" if target.is_dir() else "a device node, FIFO or socket"
        raise OutputTargetError(f"{option} {path}: {target} is {kind}, not a regular file; it is never replaced")
    return target


# Locks


_held: dict[Path, tuple[int, int]] = {}  # lock file -> (fd, depth): re-entrant within one process
_held_guard = threading.Lock()


def lock_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.lock")


@contextmanager
def folder_lock(final: Path) -> Iterator[None]:
    """Hold the folder's lock, or raise OutputFolderBusyError at once. Re-entrant in one process."""
    lock = lock_path(final)
    with _held_guard:
        if lock in _held:
            fd, depth = _held[lock]
            _held[lock] = (fd, depth + 1)
        else:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise OutputFolderBusyError(f"another run is writing to {final}; this run did nothing") from None
            _held[lock] = (fd, 1)
    try:
        yield
    finally:
        with _held_guard:
            fd, depth = _held[lock]
            if depth > 1:
                _held[lock] = (fd, depth - 1)
            else:
                del _held[lock]
                os.close(fd)  # closing drops the flock


def _is_locked(final: Path) -> bool:
    lock = lock_path(final)
    if lock in _held:
        return True
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


# Work folders and the swap


def _leftovers(final: Path) -> list[Path]:
    """Hidden folders beside `final` that cueflow provably made for it (their marker says so); never by name alone."""
    prefix = glob_escape(f".{final.name}")
    named = [*final.parent.glob(f"{prefix}{WORK_MARK}*"), *final.parent.glob(f"{prefix}{OLD_MARK}*")]
    return [p for p in named if (mark := read_mark(p)) is not None and mark.made_for == final.name and mark.kind != "export"]


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def remove_stale(final: Path) -> None:
    """Leftovers of crashed runs into `final` (call with its lock held). An old folder whose swap was cut short
    between its two renames is put back, so the last complete result survives."""
    for leftover in sorted(_leftovers(final)):
        if OLD_MARK in leftover.name and not os.path.lexists(final):
            os.rename(leftover, final)
            remove_mark(final)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def remove_stale_in(directory: Path, cutoff: float | None = None) -> list[Path]:
    """The leftover work, old and export folders in `directory` that cueflow made (their marker proves it) and
    nobody uses any more (the run's lock is free and the process that made them is gone), last touched before
    `cutoff` (a time.time() value; None: any age). Returns what went."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for entry in sorted(directory.iterdir()):
        mark = read_mark(entry) if entry.name.startswith(".") else None
        if mark is None or mark.writer_alive() or (cutoff is not None and last_touched(entry, mark) >= cutoff):
            continue
        final = directory / mark.made_for
        if mark.kind == "export":
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
            continue
        if not lock_path(final).is_file() or _is_locked(final):  # a run's folders come with the run's lock
            continue
        with folder_lock(final):
            if OLD_MARK in entry.name and not os.path.lexists(final):
                os.rename(entry, final)  # the last complete result, cut off mid-swap: put back, not deleted
                remove_mark(final)
            else:
                shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def new_work_folder(final: Path) -> Path:
    """The run's hidden work folder beside `final`, marked as cueflow's (call with the folder's lock held)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    work = make_marked_folder(final, WORK_MARK.strip(".-"))
    os.chmod(work, 0o777 & ~current_umask())
    return work


_libc = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2). False where the kernel or filesystem cannot."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def publish(work: Path, final: Path) -> None:
    """Put the finished work folder at `final`, replacing what was there as a whole."""
    if os.path.lexists(final) and (final.is_symlink() or not final.is_dir()):
        raise OutputTargetError(f"{final} is not a folder; it is not replaced")
    if not final.exists():
        os.rename(work, final)
    else:
        write_mark(final, final.name, OLD_MARK.strip(".-"))  # wherever a crash leaves the previous folder, it is ours
        if _exchange(work, final):
            shutil.rmtree(work, ignore_errors=True)  # `work` now holds the previous run's folder
        else:
            old = final.with_name(f".{final.name}{OLD_MARK}{uuid.uuid4().hex[:8]}")
            os.rename(final, old)
            os.rename(work, final)
            shutil.rmtree(old, ignore_errors=True)
    remove_mark(final)  # the outputs only
    fd = os.open(final.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
