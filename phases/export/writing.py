"""Export a finished plan to console and prompt-book files, whole or not at all.

Every file is rendered in memory first, so a bad plan or rig writes nothing. A new DIR is built in a hidden
folder beside it and renamed into place in one step. Into an existing DIR every target is checked before
anything is written, the files are written in a hidden folder inside DIR and each is renamed over its old
version, with the old ones put back should a rename fail. On any error (or Ctrl-C) the hidden folder is removed;
one a SIGKILL leaves is removed by the next export and by `cueflow clean` (its marker proves it cueflow's).
"""

import glob
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from phases.atomic_file import current_umask
from phases.contracts import Rig
from phases.regular_file import name_problem
from phases.work_marker import make_marked_folder, read_mark, remove_mark

from .cue_list import ConsoleShow, console_show
from .cue_sheet_csv import write_csv
from .cue_sheet_html import write_sheet
from .errors import ExportError
from .plan_files import load_plan
from .qlc_workspace import write_workspace
from .rig_record import rig_for_plan
from .usitt_ascii import write_ascii

Writer = Callable[[ConsoleShow], str | bytes]
# format -> (file name, writer)
FORMATS: dict[str, tuple[str, Writer]] = {
    "ascii": ("cues.asc", write_ascii),
    "qlc": ("show.qxw", write_workspace),
    "csv": ("cue_sheet.csv", write_csv),
    "sheet": ("cue_sheet.html", write_sheet),
}


def render(show: ConsoleShow, formats: list[str]) -> dict[str, tuple[str, bytes]]:
    """format -> (file name, content), every format rendered before anything is written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ExportError(f"unknown export format {unknown[0]!r} (known: {', '.join(FORMATS)})")
    out: dict[str, tuple[str, bytes]] = {}
    for name in dict.fromkeys(formats):
        file_name, writer = FORMATS[name]
        content = writer(show)
        out[name] = (file_name, content.encode("utf-8") if isinstance(content, str) else content)
    return out


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _cannot(out_dir: Path, exc: OSError) -> ExportError:
    return ExportError(f"{out_dir}: cannot write there ({exc.strerror or type(exc).__name__})")


def write_files(files: dict[str, tuple[str, bytes]], out_dir: Path) -> dict[str, Path]:
    """Write the rendered files into out_dir whole or not at all. Returns format -> final path.

    A new DIR is built aside and renamed into place. Into an existing DIR (an empty folder, a mount point, a
    plan's folder) every target is checked first, the files are written in a hidden folder inside DIR (the same
    file system, so a mount point works and DIR keeps its mode and group), then each is renamed over its old
    version; should one rename fail, those already made are rolled back to the old files.
    """
    out_dir = out_dir.expanduser()
    problem = name_problem(out_dir)
    if problem:
        raise ExportError(f"--out {str(out_dir)[:80]}…: {problem}")
    if os.path.lexists(out_dir) and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: exists and is not a directory")
    if out_dir.is_dir():
        _into_existing(files, out_dir)
    else:
        _as_new(files, out_dir)
    return {name: out_dir / file_name for name, (file_name, _) in files.items()}


def _write_all(files: dict[str, tuple[str, bytes]], folder: Path) -> None:
    for file_name, content in files.values():
        with (folder / file_name).open("wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())


def _remove_leftovers(folder: Path, made_for: str) -> None:
    """Earlier exports' hidden folders for `made_for` in `folder` whose process died (a SIGKILL): cueflow's marker
    proves them ours (phases/work_marker.py), and a live writer's folder is left alone."""
    pattern = f"{glob.escape('.' + made_for)}.export-*"
    for leftover in folder.glob(pattern):
        mark = read_mark(leftover)
        if mark is not None and mark.kind == "export" and mark.made_for == made_for and not mark.writer_alive():
            shutil.rmtree(leftover, ignore_errors=True)


def _as_new(files: dict[str, tuple[str, bytes]], out_dir: Path) -> None:
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out_dir.parent, out_dir.name)
        work = make_marked_folder(out_dir, "export")  # `cueflow clean` removes it after a crash: the marker proves it ours
    except OSError as exc:
        raise _cannot(out_dir, exc) from None
    try:
        _write_all(files, work)
        os.chmod(work, 0o777 & ~current_umask())
        remove_mark(work)
        os.rename(work, out_dir)
        _fsync(out_dir.parent)
    except OSError as exc:
        raise _cannot(out_dir, exc) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _into_existing(files: dict[str, tuple[str, bytes]], out_dir: Path) -> None:
    targets = [out_dir / file_name for file_name, _ in files.values()]
    for target in targets:  # before anything is written: a folder named show.qxw must not leave cues.asc replaced
        problem = _not_replaceable(target)
        if problem:
            raise ExportError(f"{target}: {problem}; nothing was written")
    try:
        for folder in (out_dir, out_dir.parent):
            _remove_leftovers(folder, out_dir.name)
        work = make_marked_folder(out_dir / out_dir.name, "export")  # inside DIR: .DIR.export-XXXXXXXX
    except OSError as exc:
        raise _cannot(out_dir, exc) from None
    try:
        _write_all(files, work)
        _swap_in(work, targets)
        _fsync(out_dir)
    except OSError as exc:
        raise _cannot(out_dir, exc) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _not_replaceable(target: Path) -> str | None:
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file an export may replace"
    if stat.S_ISLNK(mode):
        return "is a symlink; an export replaces only regular files"
    return "is a FIFO, device or socket, not a file an export may replace"


def _swap_in(work: Path, targets: list[Path]) -> None:
    """Rename each new file over its target; on a failure put back the old files of those already renamed."""
    done: list[tuple[Path, Path | None]] = []  # (target, the old file's hard link in `work`, or None if it was new)
    try:
        for target in targets:
            old: Path | None = None
            if os.path.lexists(target):
                old = work / f".old.{target.name}"
                try:
                    os.link(target, old)
                except OSError:  # a file system without hard links: no way back for this one
                    old = None
            os.replace(work / target.name, target)
            done.append((target, old))
    except BaseException:
        for target, old in reversed(done):
            try:
                if old is not None:
                    os.replace(old, target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                pass
        raise


def export_plan(
    plan_dir: Path,
    formats: list[str],
    out_dir: Path,
    rig: Path | Rig | None = None,
    name: str | None = None,
    lines_per_page: int | None = None,
    on_note: Callable[[str], None] | None = None,
    qlc_into: Path | None = None,
) -> dict[str, Path]:
    """Read PLAN_DIR, render the formats and write them to out_dir. Raises ExportError with one line.

    `rig`: the rig file to export for (default: the one the plan recorded, see rig_record.py), or a Rig.
    `name` titles the show (default: the script that result.json names, else the folder's name);
    `lines_per_page` pages a script that was not a PDF (default: a standard script page).
    `on_note` hears what the user should know: an explicit rig that differs from the recorded one.
    `qlc_into`: a QLC+ workspace the cue list is added to (a copy of it is written), for the qlc format.
    """
    if not formats:
        raise ExportError("no export format given")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ExportError(f"unknown export format {unknown[0]!r} (known: {', '.join(FORMATS)})")
    if qlc_into is not None and "qlc" not in formats:
        raise ExportError("--into names a QLC+ workspace: it goes with --format qlc")
    problem = name_problem(plan_dir)
    if problem:
        raise ExportError(f"{str(plan_dir)[:120]}…: {problem}")
    if not plan_dir.is_dir():
        raise ExportError(f"{plan_dir}: not a directory")
    rig_path = None
    if not isinstance(rig, Rig):
        rig_path, note = rig_for_plan(plan_dir, rig)
        if note and on_note is not None:
            on_note(note)
    plan = load_plan(plan_dir, rig_path)
    if isinstance(rig, Rig):
        plan = replace(plan, rig=rig)
    if name:
        plan = replace(plan, name=name)
    return write_files(render(console_show(plan, lines_per_page, qlc_into), formats), out_dir)
