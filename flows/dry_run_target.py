"""A `--dry-run FILE` must never be a file the command reads: the frames would replace the user's own data.

`cueflow run macbeth.txt --out o --dry-run macbeth.txt` replaced the script with DMX frames, and `cueflow play P
--dry-run P/lighting_instructions.json` the plan. The target is refused (one line, exit 2) when it is the same file
(same device and inode: through symlinks and hard links too) as any file this process has opened so far (the
script, the plan, the rig, its fixture definitions and libraries: an audit hook records every read), when it lies
in cueflow's own code and knowledge or in the Prefect home (its database), or when it would be one of the run's own
output files inside --out.
"""

import os
import sys
from collections.abc import Iterable
from pathlib import Path

_opened: set[str] = set()
_recording = False


def _record(event: str, args: tuple[object, ...]) -> None:
    """The "open" audit event: (path, mode, flags) from open(), (path, None, flags) from os.open(). Reads only."""
    if event != "open" or len(args) < 3 or not isinstance(args[0], str | bytes | os.PathLike):
        return
    mode, flags = args[1], args[2]
    if isinstance(mode, str):
        writing = any(c in mode for c in "wax+")
    else:
        writing = isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR))
    if not writing:
        _opened.add(os.fsdecode(args[0]))


def record_opened_files() -> None:
    """Start recording the files this process opens (once; an audit hook cannot be taken back)."""
    global _recording
    if not _recording:
        sys.addaudithook(_record)
        _recording = True


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _own_folders() -> list[Path]:
    import deployments
    import flows
    import phases

    from .environment import cueflow_home

    folders = [Path(p.__file__).parent for p in (phases, flows, deployments)]
    folders += [cueflow_home(), Path(os.environ.get("PREFECT_HOME") or cueflow_home() / "prefect").expanduser()]
    return [f.resolve() for f in folders]


def _run_outputs() -> set[str]:
    from phases.export import FORMATS

    from .pipeline import OUTPUT_FILES

    return {*OUTPUT_FILES.values(), *(name for name, _ in FORMATS.values())}


def dry_run_problem(option: str, target: Path, reads: Iterable[Path], out: Path | None = None) -> str | None:
    """Why `target` must not receive the frames, or None. `reads`: the inputs to name in the message (the script,
    the plan, the rig); every other file opened so far counts too. `out`: the folder a run writes (its own files)."""
    resolved = target.expanduser().resolve()
    if out is not None and resolved.parent == out and resolved.name in _run_outputs():
        return f"{option} {target}: would replace the run's own {resolved.name} in {out}; choose another file"
    for folder in _own_folders():
        if resolved.is_relative_to(folder):
            return f"{option} {target}: lies in {folder}, cueflow's own code, knowledge or run records; choose another file"
    mine = _identity(resolved)
    if mine is None:
        return None
    for named in reads:
        if _identity(named) == mine:
            return f"{option} {target}: is {named}, which this command reads; choose another file"
    for opened in sorted(_opened):
        if _identity(opened) == mine:
            return f"{option} {target}: is {opened}, a file this command reads; choose another file"
    return None
