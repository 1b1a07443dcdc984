"""Issue 23: `cueflow export` writes whole or not at all, through the real CLI.

A folder named show.qxw in --out used to stop the export after cues.asc was replaced (two exports mixed); a SIGKILL
left hidden folders nothing removed; an empty mount point was refused with EBUSY and an existing empty folder lost
its mode and group (it was removed and replaced).
"""

import grp
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from phases.export.writing import _swap_in
from phases.work_marker import MARKER

from .hostile_files import ROOT, fifo, plan_dir, run_cli

FILES = ("cue_sheet.csv", "cue_sheet.html", "cues.asc", "show.qxw")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.is_symlink()}


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Path]:
    """A plan and an earlier export of it in `console/`, each file then marked as the old one."""
    plan = plan_dir(tmp_path / "plan")
    out = tmp_path / "console"
    done = run_cli("export", str(plan), "--out", str(out), timeout=60)
    assert done.returncode == 0, done.stderr
    for name in FILES:
        (out / name).write_bytes(b"the old export's " + name.encode())
    return plan, out


@pytest.mark.parametrize("blocker", ["folder", "symlink", "fifo"])
def test_a_target_that_cannot_be_replaced_stops_the_export_before_anything_is_written(exported, blocker):
    plan, out = exported
    (out / "show.qxw").unlink()
    if blocker == "folder":
        (out / "show.qxw").mkdir()
        expected = "show.qxw: is a folder, not a file an export may replace; nothing was written"
    elif blocker == "symlink":
        (out / "show.qxw").symlink_to(out / "cues.asc")
        expected = "show.qxw: is a symlink; an export replaces only regular files; nothing was written"
    else:
        fifo(out / "show.qxw")
        expected = "show.qxw: is a FIFO, device or socket, not a file an export may replace; nothing was written"
    before = _snapshot(out)
    done = run_cli("export", str(plan), "--out", str(out), timeout=60)
    assert done.clean_refusal and expected in done.error_lines[0], done.stderr
    assert _snapshot(out) == before and _hidden(out) == [] and _hidden(out.parent) == []


def test_an_export_replaces_every_file_or_puts_the_old_ones_back(tmp_path):
    """If a rename fails half way, the files already renamed get their old content back."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.asc").write_text("old a")
    (out / "c.csv").write_text("old c")
    (out / "b.qxw").mkdir()  # appears after the checks: the second rename fails
    (out / "b.qxw" / "inside").write_text("x")
    work = tmp_path / "work"
    work.mkdir()
    for name in ("a.asc", "b.qxw", "c.csv"):
        (work / name).write_text(f"new {name}")
    with pytest.raises(OSError):
        _swap_in(work, [out / "a.asc", out / "b.qxw", out / "c.csv"])
    assert (out / "a.asc").read_text() == "old a" and (out / "c.csv").read_text() == "old c"
    new = tmp_path / "new"
    new.mkdir()
    (new / "a.asc").write_text("old a")
    with pytest.raises(OSError):
        _swap_in(work, [new / "x.asc", new / "a.asc", out / "b.qxw"])
    assert sorted(p.name for p in new.iterdir()) == ["a.asc"]  # a file that was new is taken away again


def _killed_writer_folder(beside: Path) -> Path:
    """Make an export's marked hidden folder in a process that is then SIGKILLed, as a crash leaves it."""
    code = (
        "import os, signal, sys; from pathlib import Path; from phases.work_marker import make_marked_folder;"
        "folder = make_marked_folder(Path(sys.argv[1]), 'export'); (folder / 'cues.asc').write_text('half');"
        "print(folder, flush=True); os.kill(os.getpid(), signal.SIGKILL)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(beside)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    return Path(done.stdout.strip())


def test_what_a_killed_export_left_is_removed_by_the_next_export_and_by_clean(exported, tmp_path):
    plan, out = exported
    beside = _killed_writer_folder(out)  # .console.export-XXXXXXXX next to console/
    inside = _killed_writer_folder(out / out.name)  # console/.console.export-XXXXXXXX
    lookalike = tmp_path / ".console.export-mine"  # the user's own: no marker
    lookalike.mkdir()
    (lookalike / "notes").write_text("keep")
    assert beside.parent == tmp_path and inside.parent == out
    done = run_cli("export", str(plan), "--out", str(out), timeout=60)
    assert done.returncode == 0, done.stderr
    assert not beside.exists() and not inside.exists() and (lookalike / "notes").read_text() == "keep"
    assert (out / "cues.asc").read_bytes().startswith(b"! cueflow")
    again = _killed_writer_folder(out / out.name)
    done = run_cli("clean", str(out), "--keep-runs", "--older-than", "0", timeout=120)
    assert done.returncode == 0, done.stderr
    assert not again.exists() and (lookalike / "notes").read_text() == "keep" and (out / "cues.asc").exists()


def test_an_output_folder_holding_a_killed_export_can_still_be_replaced_by_a_run(exported, tmp_path):
    from flows.outputs import replace_problem

    _, out = exported
    (out / "result.json").write_text('{"flow_run_id": "x", "phases": []}')
    _killed_writer_folder(out / out.name)
    assert replace_problem(out.resolve()) is None
    (out / "mine").mkdir()
    assert "holds folders that no cueflow run wrote" in str(replace_problem(out.resolve()))


def test_an_existing_empty_folder_keeps_its_mode_and_group(tmp_path):
    plan = plan_dir(tmp_path / "plan")
    out = tmp_path / "shared"
    out.mkdir()
    group = next(g.gr_gid for g in grp.getgrall() if g.gr_gid != os.getegid())
    os.chown(out, -1, group)
    os.chmod(out, 0o2770)  # setgid: files made inside take the folder's group
    done = run_cli("export", str(plan), "--out", str(out), timeout=60)
    assert done.returncode == 0, done.stderr
    info = out.stat()
    assert stat.S_IMODE(info.st_mode) == 0o2770 and info.st_gid == group
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert all(p.stat().st_gid == group for p in out.iterdir())


def test_an_empty_mount_point_takes_the_export(tmp_path):
    """--out at a mount point: removing it and renaming a folder over it failed with 'Device or resource busy'."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.fail("this test mounts a tmpfs in a private mount namespace: it needs unshare (util-linux) and root")
    plan = plan_dir(tmp_path / "plan")
    mount = tmp_path / "mnt"
    mount.mkdir()
    script = (
        f'mount -t tmpfs cueflow-test "{mount}" && "{sys.executable}" -m flows.cli export "{plan}" --out "{mount}"; '
        f'code=$?; ls -A "{mount}"; exit $code'
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == sorted(FILES), done.stdout
    assert not any(MARKER in line for line in done.stdout.splitlines())
