"""Reading a file someone else gave us: only a regular file, never more than a limit, never hanging.

Every reader of a user's file (rig, fixture definition, plan) goes through read_regular_file: a FIFO named
`rig.qxw` would block open() for ever, `/dev/zero` (or a symlink to it) would be read until memory runs out,
and a huge file is refused before it is read. The file is opened without blocking and judged by fstat on the
open descriptor, so a file swapped between a check and the read cannot slip through.

Errors are FileProblem with a reason that never quotes the file's content (it may be someone's secrets).
"""

import errno
import json
import os
import re
import stat
from pathlib import Path

NAME_MAX = 255  # bytes in one path component (Linux)
PATH_MAX = 4096
_CHUNK = 1 << 20
# A JSON integer longer than this is not a cue number, a channel or a time: Python would otherwise build it
# (or refuse it past 4,300 digits with a message about sys.set_int_max_str_digits).
MAX_JSON_INT_DIGITS = 32


class FileProblem(ValueError):
    """A file that cannot be read as asked. `reason` is one line without the file's content or its name; `kind`
    is missing, special (a folder, FIFO, device or socket), too_large (`size` bytes when known), name or other."""

    def __init__(self, reason: str, kind: str = "other", size: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.kind, self.size = reason, kind, size


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def name_problem(path: Path | str) -> str | None:
    """Why the system would refuse this path's name (a component over 255 bytes, the whole over 4,096), or None."""
    raw = os.fsencode(path)
    if len(raw) >= PATH_MAX:
        return f"the path is {len(raw):,} bytes long, over the system's {PATH_MAX:,}"
    longest = max((len(part) for part in raw.split(b"/")), default=0)
    if longest > NAME_MAX:
        return f"a name in the path is {longest:,} bytes long, over the system's {NAME_MAX}"
    return None


def regular_file_problem(path: Path | str) -> str | None:
    """Why `path` is not an existing regular file (following symlinks), without opening it; or None."""
    problem = name_problem(path)
    if problem:
        return problem
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return _os_reason(exc)
    return None if stat.S_ISREG(mode) else f"is {_kind(mode)}, not a regular file"


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "not found"
    if exc.errno == errno.ENXIO:  # opening a socket, or a FIFO with O_NONBLOCK|O_WRONLY
        return "is a socket or a device without a reader, not a regular file"
    if exc.errno == errno.ELOOP:
        return "is a symlink loop"
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long for the system"
    return f"cannot be read ({exc.strerror or type(exc).__name__})"


def read_regular_file(path: Path | str, max_bytes: int, head: bool = False) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed), at most `max_bytes` of them.

    Raises FileProblem for anything else: missing, a folder, a FIFO, a device, a socket, unreadable, or longer
    than max_bytes (with head=True: its first max_bytes, however long it is).
    """
    problem = name_problem(path)
    if problem:
        raise FileProblem(problem, "name")
    try:
        # O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise FileProblem(_os_reason(exc), "missing" if exc.errno == errno.ENOENT else "other") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"is {_kind(info.st_mode)}, not a regular file", "special")
        if info.st_size > max_bytes and not head:
            raise FileProblem(f"is {info.st_size:,} bytes, over the limit of {max_bytes:,}", "too_large", info.st_size)
        chunks: list[bytes] = []
        total = 0
        while True:  # st_size can lie (a file in /proc says 0, a file still growing): the limit holds regardless
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                if head:
                    break
                raise FileProblem(f"is over the limit of {max_bytes:,} bytes", "too_large")
        return b"".join(chunks)[:max_bytes]
    except OSError as exc:
        raise FileProblem(_os_reason(exc)) from None
    finally:
        os.close(fd)


def _line_of(raw: bytes | str, position: int) -> int:
    return (raw[:position].count(b"\n" if isinstance(raw, bytes) else "\n")) + 1


def _refuse_constant(name: str) -> object:
    raise _BadNumber(f"{name} is not a number")


class _BadNumber(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise _BadNumber(f"a number of {len(text):,} digits")
    return int(text)


def parse_json(raw: bytes) -> object:
    """JSON from a file's bytes, strictly: UTF-8, no NaN or Infinity, no integer of more than 32 digits, no nesting
    deeper than Python can take. Raises FileProblem naming the line, never quoting the text."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"is not UTF-8 text (line {_line_of(raw, exc.start)})") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})") from None
    except _BadNumber as exc:
        raise FileProblem(f"invalid JSON at line {_bad_number_line(text)}: {exc}") from None
    except RecursionError:
        raise FileProblem("invalid JSON: nested too deeply") from None


def _bad_number_line(text: str) -> int | str:
    found = re.search(rf"NaN|-?Infinity|\d{{{MAX_JSON_INT_DIGITS + 1},}}", text)
    return _line_of(text, found.start()) if found else "?"
