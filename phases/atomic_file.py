"""Write a file so that readers see the old one or the complete new one, never a half-written one."""

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def current_umask() -> int:
    """The process umask, read without changing it (os.umask can only be read by setting it, racing threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


_unfinished: set[str] = set()  # temporary files being written now, for remove_unfinished()


def remove_unfinished() -> None:
    """Delete the temporary files of writes still under way: for a process about to os._exit (a signal), which
    skips the cleanup below. A dry run's 51 MB .tmp was left beside the target by every Ctrl-C."""
    for tmp in list(_unfinished):
        Path(tmp).unlink(missing_ok=True)
        _unfinished.discard(tmp)


class NotARegularFileError(OSError):
    """The target exists and is not a regular file (a device node, FIFO, socket or folder): never replaced."""


def refuse_special(path: Path) -> None:
    """Raise unless `path` is absent or a regular file (a symlink counts as what it is, not what it points to)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        kind = "a symlink" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode) else "a special file"
        raise NotARegularFileError(f"{path} is {kind}, not a regular file; it is never replaced")


@contextmanager
def atomic_write(path: Path, binary: bool = False, make_parents: bool = True) -> Iterator[IO]:
    """Yield a file beside `path`; on success fsync it and rename it over `path`, else remove it.

    The file gets the mode a plain open() would give it (0666 less the umask), not mkstemp's 0600. Only a
    regular file is ever replaced: a device node, FIFO or symlink at `path` is refused, before and after writing.
    """
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    refuse_special(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    _unfinished.add(tmp)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        refuse_special(path)  # something may have appeared there while we wrote
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        _unfinished.discard(tmp)
