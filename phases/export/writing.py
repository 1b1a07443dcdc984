"""Export a finished plan to console and prompt-book files, whole or not at all.

Every file is rendered in memory first, so a bad plan or rig writes nothing. The files are then written
to a hidden folder beside DIR and moved into place: a new DIR is renamed into place in one step; into an
existing DIR each finished file is renamed over its old version. On any error (or Ctrl-C) the hidden folder
is removed, so neither a partial file nor a temporary one is left behind.
"""

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from phases.atomic_file import current_umask
from phases.contracts import Rig
from phases.work_marker import make_marked_folder, remove_mark

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


def write_files(files: dict[str, tuple[str, bytes]], out_dir: Path) -> dict[str, Path]:
    """Write the rendered files into out_dir whole or not at all. Returns format -> final path."""
    out_dir = out_dir.expanduser()
    parent = out_dir.parent
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: exists and is not a directory")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = make_marked_folder(out_dir, "export")  # `cueflow clean` removes it after a crash: the marker proves it ours
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write there ({exc.strerror or type(exc).__name__})") from None
    try:
        for file_name, content in files.values():
            path = work / file_name
            with path.open("wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(work, 0o777 & ~current_umask())
        if out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        if not out_dir.exists():
            os.replace(work, out_dir)
            remove_mark(out_dir)
        else:
            if not os.access(out_dir, os.W_OK | os.X_OK):
                raise ExportError(f"{out_dir}: not writable")
            for file_name, _ in files.values():
                os.replace(work / file_name, out_dir / file_name)
            remove_mark(work)
            work.rmdir()
        _fsync(out_dir)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write there ({exc.strerror or type(exc).__name__})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {name: out_dir / file_name for name, (file_name, _) in files.items()}


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
