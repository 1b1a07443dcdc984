"""Issue 16, files and paths, whole-or-nothing outputs, data kept: through the real CLI and real ephemeral Prefect.

Runs as root here, so `--dry-run /dev/null` is the real hazard, and tmpfs mounts give a real read-only and a
real full file system.
"""

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.outputs import output_folder, output_name

from .conftest import EXAMPLE, ROOT

CUEFLOW = [sys.executable, "-m", "flows.cli"]


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUEFLOW_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_HOME", None)  # so cueflow picks its own, $CUEFLOW_HOME/prefect
    return env


def cueflow(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CUEFLOW, *args], capture_output=True, text=True, cwd=ROOT, env=_env(home), timeout=timeout)


def start(home: Path, *args: str, umask: int | None = None) -> subprocess.Popen[str]:
    def child() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.Popen(
        [*CUEFLOW, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_env(home),
        start_new_session=True,  # so a SIGKILL can take the run's whole process group, its Prefect server too
        preexec_fn=child,
    )


def one_line_error(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == code, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("cueflow: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def wait_for(predicate, timeout: float = 240, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the run ended ({proc.returncode}) before the moment the test waits for: {proc.stderr.read()}")
        time.sleep(0.02)
    pytest.fail("timed out waiting")


def work_folders(parent: Path, name: str) -> list[Path]:
    return sorted(parent.glob(f".{name}.work-*"))


@contextmanager
def tmpfs(where: Path, *options: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (the test needs root): {done.stderr.decode()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


# --- Files and paths: --dry-run -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory) -> Path:
    """A real plan from `cueflow run`, for `cueflow play --dry-run`."""
    base = tmp_path_factory.mktemp("plan")
    done = cueflow(base / "home", "run", str(EXAMPLE), "--out", str(base / "plan"))
    assert done.returncode == 0, done.stderr
    return base / "plan"


def test_dry_run_writes_only_regular_files_in_existing_folders(tmp_path, plan_dir):
    """Before: every one of these was replaced by (or created as) a 0600 regular file, exit 0."""
    os.mkfifo(tmp_path / "fifo")
    os.mknod(tmp_path / "null", 0o644 | stat.S_IFCHR, os.makedev(1, 3))
    (tmp_path / "link").symlink_to(tmp_path / "null")
    home = tmp_path / "home"
    for target, words in [
        (Path("/dev/null"), ("/dev/null", "not a regular file")),  # as root: this would have broken the machine
        (tmp_path / "fifo", ("not a regular file",)),
        (tmp_path / "null", ("not a regular file",)),
        (tmp_path / "link", ("not a regular file",)),
        (tmp_path / "missing" / "frames.jsonl", ("not an existing folder",)),
    ]:
        one_line_error(cueflow(home, "play", str(plan_dir), "--dry-run", str(target)), 2, *words)
        # `cueflow run` finds it before Phase 1 (before Prefect starts: there is no progress line)
        one_line_error(cueflow(home, "run", str(EXAMPLE), "--out", str(tmp_path / "o"), "--dry-run", str(target)), 2, *words)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISCHR(os.lstat(tmp_path / "null").st_mode)
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode) and (tmp_path / "link").is_symlink()
    assert not (tmp_path / "missing").exists() and not (tmp_path / "o").exists()

    # A regular file, or a symlink to one, is fine: the file is replaced whole, with the umask's mode.
    (tmp_path / "frames.jsonl").write_text("old")
    (tmp_path / "to-frames").symlink_to(tmp_path / "frames.jsonl")
    done = cueflow(home, "play", str(plan_dir), "--dmx-speed", "1000", "--dry-run", str(tmp_path / "to-frames"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "to-frames").is_symlink()
    assert json.loads((tmp_path / "frames.jsonl").read_text().splitlines()[0])["format"] == "cueflow-dmx-frames"
    assert stat.S_IMODE(os.stat(tmp_path / "frames.jsonl").st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


# --- Files and paths: --out checked before Phase 1 ------------------------------------------------------------


def test_bad_out_is_found_before_phase_1(tmp_path):
    """Before: each was found after the whole show was planned, and ended in a traceback."""
    home = tmp_path / "home"
    (tmp_path / "a_file").write_text("x")
    cases = [
        (tmp_path / "a_file", "is a file"),
        (tmp_path / "a_file" / "below", "is a file, so nothing can be made below it"),
    ]
    for out, words in cases:
        one_line_error(cueflow(home, "run", str(EXAMPLE), "--out", str(out)), 2, words)
        one_line_error(cueflow(home, "batch", str(EXAMPLE.parent), "--out", str(out)), 2, words)
    # A folder the run would replace whole must be new, empty or an earlier run's: never the user's own files.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.odt").write_text("my notes")
    one_line_error(cueflow(home, "run", str(EXAMPLE), "--out", str(mine)), 2, "no cueflow run wrote")
    play = tmp_path / "plays" / "play.txt"
    play.parent.mkdir()
    shutil.copy(EXAMPLE, play)
    one_line_error(cueflow(home, "run", str(play), "--out", str(play.parent)), 2, "holds the script")
    done = subprocess.run([*CUEFLOW, "run", str(EXAMPLE), "--out", "."], capture_output=True, text=True, cwd=mine, env=_env(home))
    one_line_error(done, 2, "working directory")
    assert [p.name for p in mine.iterdir()] == ["notes.odt"] and play.is_file()
    with tmpfs(tmp_path / "ro", "ro", "size=8m") as ro:
        one_line_error(cueflow(home, "run", str(EXAMPLE), "--out", str(ro / "out")), 2, "cannot write", "Read-only")
    with tmpfs(tmp_path / "full", "size=1m") as full:
        one_line_error(cueflow(home, "run", str(EXAMPLE), "--out", str(full / "out")), 2, "KiB free", "needs")
        one_line_error(cueflow(home, "batch", str(EXAMPLE.parent), "--out", str(full / "out")), 2, "KiB free")
    assert not (home / "prefect" / "prefect.db").exists()  # Prefect never started


# --- Whole or nothing, the folder lock, the umask, small run parameters ----------------------------------------


@pytest.mark.prefect
def test_run_folder_is_the_old_run_or_the_new_one_whole(tmp_path, macbeth):
    home, out = tmp_path / "home", tmp_path / "show"
    first = start(home, "run", str(EXAMPLE), "--out", str(out), umask=0o027)
    wait_for(lambda: bool(work_folders(tmp_path, "show")), proc=first)
    # A second run into the same folder fails at once, before Prefect starts, and touches nothing.
    # Before: the two runs interleaved their files.
    second = cueflow(home, "run", str(EXAMPLE), "--out", str(out), "--no-emotion")
    one_line_error(second, 1, "another run is writing to", str(out))
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    files = {"scenes.json", "lighting_instructions.json", "preview.html", "timeline.png", "report.json", "result.json"}
    files |= {"rig_patch.json", "cues.asc", "show.qxw", "cue_sheet.csv", "cue_sheet.html"}  # the plan's rig and exports
    assert {p.name for p in out.iterdir()} == files
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".show.lock"]  # no work folder left
    # Before: 0600 whatever the umask (mkstemp).
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in out.iterdir()} == {oct(0o640)}
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    result = json.loads((out / "result.json").read_text())
    assert result["final_output"]["output_dir"] == str(out)
    assert all(Path(f).parent == out for f in result["final_output"]["files"].values())
    old = snapshot(out)

    # Data kept: subflow parameters are ids and hashes. Before: each scene subflow held its scene's whole text.
    db = sqlite3.connect(home / "prefect" / "prefect.db")
    runs = db.execute("select name, parameters, tags from flow_run").fetchall()
    scene_runs = [r for r in runs if any(t.startswith("scene:") for t in json.loads(r[2]))]
    assert len(scene_runs) == len(json.loads((out / "scenes.json").read_text()))
    line = "storm"  # a word of the play's text, in every scene of it
    assert line in (out / "scenes.json").read_text()
    for name, parameters, run_tags in scene_runs:
        assert set(json.loads(parameters)) == {"scene_id", "scene_sha256", "index", "total", "config"}
        assert f"scene:{json.loads(parameters)['scene_id']}" in json.loads(run_tags), (name, run_tags)
        assert line not in parameters.lower() and len(parameters) < 3000
    db.close()

    # SIGKILL at three moments of a bigger run (Macbeth) into the same folder: each time the folder is still
    # the first run's, whole. Before: a 157-scene plan beside a result.json of a 26-scene run.
    moments = {
        "while planning the scenes": lambda w: True,
        "after the new scenes.json is written": lambda w: (w / "scenes.json").exists(),
        "after the new preview is written": lambda w: (w / "preview.html").exists(),
    }
    for moment, ready in moments.items():
        stale = set(work_folders(tmp_path, "show"))  # the last kill's, which this run removes as it starts
        run = start(home, "run", str(macbeth), "--out", str(out), "--no-emotion")
        wait_for(lambda: any(ready(w) for w in set(work_folders(tmp_path, "show")) - stale), proc=run)  # noqa: B023
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        assert snapshot(out) == old, moment
    assert work_folders(tmp_path, "show")  # what the kills left; the next run or `cueflow clean` removes it

    done = cueflow(home, "clean", str(tmp_path), "--keep-runs")  # too young for the default 30 days
    assert done.returncode == 0 and "and 0 leftover work folders" in done.stderr, done.stderr
    done = cueflow(home, "clean", str(tmp_path), "--keep-runs", "--older-than", "0")
    assert done.returncode == 0 and "and 1 leftover work folders" in done.stderr, done.stderr
    assert not work_folders(tmp_path, "show") and snapshot(out) == old


@pytest.mark.prefect
def test_rerun_with_phases_off_or_failing_replaces_the_folder_whole(tmp_path):
    """Before: the last run's preview, report and timeline stayed beside the new plan; a run failing late left
    its new scenes.json and plan beside the old report."""
    from flows import PipelineConfig, run

    out = tmp_path / "out"
    assert run(EXAMPLE, PipelineConfig(output_dir=str(out))).success
    (out / "stray.txt").write_text("not the run's")  # anything in the folder is replaced with it
    lean = run(EXAMPLE, PipelineConfig(output_dir=str(out), enable_phase_5=False, enable_phase_7=False))
    assert lean.success
    exports = {"rig_patch.json", "cues.asc", "show.qxw", "cue_sheet.csv", "cue_sheet.html"}  # made with the plan: they stay
    assert {p.name for p in out.iterdir()} == {"scenes.json", "lighting_instructions.json", "result.json", *exports}

    # Phase 8 fails at the very end (no olad on that port): the failed run's folder replaces the old one whole,
    # with its result.json saying what failed. Documented in the README.
    failing = run(EXAMPLE, PipelineConfig(output_dir=str(out), enable_phase_8=True, olad_port=_closed_port()))
    assert not failing.success and "phase 8 failed" in (failing.error or "")
    saved = json.loads((out / "result.json").read_text())
    assert saved["flow_run_id"] == failing.flow_run_id and saved["success"] is False
    assert {p.name for p in out.iterdir()} == {Path(f).name for f in saved["final_output"]["files"].values()}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".out.lock"]


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Unique, stable output names, through `cueflow batch` -------------------------------------------------------


def test_output_names_are_unique_and_stable(tmp_path):
    a, b = tmp_path / "my play.txt", tmp_path / "my_play.txt"
    plays, inbox = tmp_path / "plays" / "x.txt", tmp_path / "inbox" / "x.txt"
    assert output_name(a) != output_name(b) and output_name(plays) != output_name(inbox)
    assert output_name(a) == output_name(tmp_path / "." / "my play.txt")  # the same script, the same folder
    assert output_name(a).startswith("my_play.txt-") and output_name(tmp_path / "../etc/.x").startswith("x-")


@pytest.mark.prefect
def test_batch_keeps_every_scripts_results(tmp_path):
    """Before: `my play.txt` and `my_play.txt` wrote one folder and both reported ok."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    one_scene = EXAMPLE.read_text().split("SCENE II.")[0]
    (scripts / "my play.txt").write_text(one_scene)
    (scripts / "my_play.txt").write_text(one_scene + "\n[Blackout.]\n")
    out = tmp_path / "out"
    done = cueflow(tmp_path / "home", "batch", str(scripts), "--out", str(out), "--no-emotion")
    assert done.returncode == 0, done.stderr
    folders = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert folders == sorted(output_name(s) for s in scripts.iterdir()) and len(folders) == 2
    for script in scripts.iterdir():
        result = json.loads((output_folder(out, script) / "result.json").read_text())
        assert result["success"] and result["script"] == str(script.resolve())
    assert not list(out.glob(".*.work-*"))


# --- Data kept: the per-scene cache --------------------------------------------------------------------------


@pytest.mark.prefect
def test_cache_is_private_expires_and_cueflow_clean_trims_it(tmp_path):
    """Before: cloudpickle files, 0644 in a world-readable folder, kept for ever; no `cueflow clean`."""
    home = tmp_path / "home"
    code = (
        "from flows import PipelineConfig, run; import sys;"
        f"r = run({str(EXAMPLE)!r}, PipelineConfig(output_dir={str(tmp_path / 'out')!r}, cache_scene_work=True));"
        "sys.exit(0 if r.success else 1)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=_env(home), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    storage = home / "prefect" / "storage"
    entries = [p for p in storage.rglob("*") if p.is_file()]
    assert entries and stat.S_IMODE(storage.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "prefect").stat().st_mode) == 0o700  # the database holds run parameters
    records = [json.loads(p.read_bytes()) for p in entries]
    expiries = {r["metadata"]["expiration"][:10] for r in records}
    assert len(expiries) == 1 and expiries.pop() > time.strftime("%Y-%m-%d", time.gmtime(time.time() + 29 * 86400))

    done = cueflow(home, "clean", "--older-than", "1", "--keep-runs")
    assert done.returncode == 0 and "0 cache entries" in done.stderr, done.stderr
    old = time.time() - 3 * 86400
    for entry in entries:
        os.utime(entry, (old, old))
    done = cueflow(home, "clean", "--older-than", "2")
    assert done.returncode == 0, done.stderr
    assert f"{len(entries)} cache entries" in done.stderr and "0 finished runs" in done.stderr
    assert not [p for p in storage.rglob("*") if p.is_file()]
    done = cueflow(home, "clean", "--older-than", "0")
    assert done.returncode == 0 and " 0 finished runs" not in done.stderr, done.stderr
    db = sqlite3.connect(home / "prefect" / "prefect.db")
    assert db.execute("select count(*) from flow_run").fetchone()[0] == 0
