"""Issue 23: `cueflow clean` removes only what cueflow provably made, and only when it is older than --older-than.
Through the real CLI: look-alike folders in a home, crashed runs' real work folders, a real Prefect server shared
with another project's flow, and a results folder shared with other files."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from flows.clean_command import FLOW_NAMES

from .conftest import EXAMPLE, ROOT
from .prefect_stack import PrefectStack
from .test_outputs import _env, cueflow, one_line_error

ONE_SCENE = EXAMPLE.read_text().split("SCENE II.")[0]
LOOK_ALIKES = (".mozilla.work-backup", ".thesis.work-in-progress", ".photos.old-1", ".emacs.d.old-2023")


def _tree(folder: Path) -> dict[str, str]:
    """Every path under `folder` with its kind and content, so a rename or a new lock file shows too."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        found[relative] = path.read_text() if path.is_file() and not path.is_symlink() else "dir" if path.is_dir() else "link"
    return found


def _crashed_work_folder(out: Path, age_days: float = 0.0) -> Path:
    """The work folder a run into `out` leaves when it dies: made by cueflow's own code in a process that then exits."""
    code = (
        "import sys; from pathlib import Path; from flows.outputs import folder_lock, new_work_folder;"
        "final = Path(sys.argv[1]);"
        "lock = folder_lock(final); lock.__enter__(); work = new_work_folder(final);"
        "(work / 'scenes.json').write_text('[]'); print(work)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, cwd=ROOT, check=True)
    work = Path(done.stdout.strip())
    if age_days:
        then = time.time() - age_days * 86400
        for path in (work, *work.iterdir()):
            os.utime(path, (then, then))
        record = json.loads((work / ".cueflow-made").read_text())
        (work / ".cueflow-made").write_text(json.dumps({**record, "created": then}))
        os.utime(work, (then, then))
    return work


def test_clean_leaves_look_alike_folders_alone(tmp_path):
    """Before: three of these were deleted with their files and `.emacs.d.old-2023` was renamed to `emacs.d`, though
    their files were seconds old and --older-than was 30 days."""
    home, folder = tmp_path / "home", tmp_path / "user-home"
    for name in LOOK_ALIKES:
        (folder / name).mkdir(parents=True)
        (folder / name / "file.txt").write_text(f"precious: {name}")
    # Nearer misses: a marker for another folder's name, a marker another user wrote, a link to a marked folder,
    # a marker that is a symlink, and a folder cueflow really made but long ago for a folder that still runs.
    stray = folder / ".notes.work-1234"
    stray.mkdir()
    (stray / ".cueflow-made").write_text(json.dumps({"made_by": "cueflow", "kind": "work", "for": "other", "pid": 1,
                                                     "started": 1, "created": 0}))  # fmt: skip
    foreign = folder / ".shared.work-abcd"
    foreign.mkdir()
    (foreign / ".cueflow-made").write_text(json.dumps({"made_by": "cueflow", "kind": "work", "for": "shared", "pid": 1,
                                                       "started": 1, "created": 0}))  # fmt: skip
    os.chown(foreign / ".cueflow-made", 65534, 65534)
    os.chown(foreign, 65534, 65534)
    linked = folder / ".linked.work-0000"
    linked.symlink_to(foreign)
    sneaky = folder / ".sneaky.work-1111"
    sneaky.mkdir()
    (sneaky / ".cueflow-made").symlink_to(stray / ".cueflow-made")
    before = _tree(folder)
    for older_than in ("30", "0"):
        done = cueflow(home, "clean", "--keep-runs", "--older-than", older_than, str(folder))
        assert done.returncode == 0 and "and 0 leftover work folders" in done.stderr, done.stderr
        assert _tree(folder) == before
    # A run whose output folder carries one of those names leaves the look-alike as it is too.
    (tmp_path / "one.txt").write_text(ONE_SCENE)
    done = cueflow(home, "run", str(tmp_path / "one.txt"), "--out", str(folder / "mozilla"), "--no-emotion")
    assert done.returncode == 0, done.stderr
    assert (folder / ".mozilla.work-backup" / "file.txt").read_text() == "precious: .mozilla.work-backup"
    assert not (folder / "mozilla" / ".cueflow-made").exists()  # the marker never reaches the outputs


def test_clean_removes_a_crashed_runs_work_folder_only_when_old_enough_and_free(tmp_path):
    home, parent = tmp_path / "home", tmp_path / "shows"
    parent.mkdir()
    fresh = _crashed_work_folder(parent / "fresh")
    old = _crashed_work_folder(parent / "old", age_days=31)
    done = cueflow(home, "clean", "--keep-runs", str(parent))
    assert done.returncode == 0 and "and 1 leftover work folders" in done.stderr, done.stderr
    assert fresh.is_dir() and not old.exists()
    # A folder whose run still holds its lock stays, whatever its age.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from flows.outputs import folder_lock;"
         "lock = folder_lock(Path(sys.argv[1])); lock.__enter__(); print('locked', flush=True); time.sleep(600)",
         str(parent / "fresh")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        done = cueflow(home, "clean", "--keep-runs", "--older-than", "0", str(parent))
        assert done.returncode == 0 and "and 0 leftover work folders" in done.stderr, done.stderr
        assert fresh.is_dir()
    finally:
        holder.kill()
        holder.wait()
    done = cueflow(home, "clean", "--keep-runs", "--older-than", "0", str(parent))
    assert done.returncode == 0 and "and 1 leftover work folders" in done.stderr, done.stderr
    assert sorted(p.name for p in parent.iterdir()) == [".fresh.lock", ".old.lock"]


@pytest.mark.prefect
def test_clean_deletes_only_cueflows_cache_entries(tmp_path):
    """Before: with PREFECT_RESULTS_LOCAL_STORAGE_PATH set, every file older than the cut-off under it went."""
    home, shared = tmp_path / "home", tmp_path / "results"
    shared.mkdir()
    others = {"report.pdf": "a report", "a" * 64: "another tool's result, named by a sha256", "cueflow-notes": "notes"}
    for name, text in others.items():
        (shared / name).write_text(text)
    env = {**_env(home), "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(shared)}
    script = tmp_path / "one.txt"
    script.write_text(ONE_SCENE)
    code = (
        "from flows import PipelineConfig, run; import sys;"
        f"r = run({str(script)!r}, PipelineConfig(output_dir={str(tmp_path / 'out')!r}, cache_scene_work=True));"
        "sys.exit(0 if r.success else 1)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ours = [p for p in shared.iterdir() if p.name.startswith("cueflow-scene-")]
    assert len(ours) == 3  # phases 2, 3 and 4 of the one scene
    old = time.time() - 60
    for path in shared.iterdir():
        os.utime(path, (old, old))
    done = subprocess.run([sys.executable, "-m", "flows.cli", "clean", "--older-than", "0", "--keep-runs"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0 and "3 cache entries" in done.stderr, done.stderr
    assert {p.name: p.read_text() for p in shared.iterdir()} == others


def _other_project_flow(stack: PrefectStack, runs: int) -> None:
    """Another team's flow, run against the same server."""
    code = (
        "from prefect import flow\n"
        "@flow(name='etl-nightly')\n"
        "def etl(n: int) -> int:\n"
        "    return n\n"
        f"for n in range({runs}):\n"
        "    etl(n)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=stack.env(), cwd=tempfile.gettempdir(), capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr


def _runs_of(stack: PrefectStack, flow: str) -> list[dict[str, object]]:
    body = {"flows": {"name": {"any_": [flow]}}, "limit": 200}
    return stack.post("/flow_runs/filter", body).raise_for_status().json()


@pytest.mark.prefect
def test_clean_on_a_shared_server_deletes_only_cueflows_runs(tmp_path):
    """Before: `cueflow clean` deleted every finished run of every flow on the server (132 runs of another team's)."""
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-clean-")))
    try:
        stack.start()
        _other_project_flow(stack, runs=3)
        (stack.inputs / "one.txt").write_text(ONE_SCENE)
        done = stack.cueflow("run", str(stack.inputs / "one.txt"), "--out", str(stack.outputs / "one"), "--no-emotion")
        assert done.returncode == 0, done.stderr
        (pipeline,) = _runs_of(stack, "lighting-pipeline")
        assert len(stack.child_runs(str(pipeline["id"]))) == 1  # the scene subflow
        # A scene subflow stuck Running under a parent that ended Crashed (its process died): goes with the parent.
        stuck_parent = stack.post("/flow_runs/", {"flow_id": pipeline["flow_id"], "name": "killed",
                                                  "state": {"type": "CRASHED", "name": "Crashed"}}).json()  # fmt: skip
        link = stack.post("/task_runs/", {"flow_run_id": stuck_parent["id"], "task_key": "scene", "dynamic_key": "0",
                                          "name": "scene-link"}).json()  # fmt: skip
        scene_flow = _runs_of(stack, "scene")[0]["flow_id"]
        stuck = stack.post("/flow_runs/", {"flow_id": scene_flow, "name": "stuck", "parent_task_run_id": link["id"],
                                           "state": {"type": "RUNNING", "name": "Running"}}).json()  # fmt: skip
        assert stack.child_runs(stuck_parent["id"])[0]["id"] == stuck["id"]

        done = stack.cueflow("clean", "--older-than", "1")  # all of them are seconds old
        assert done.returncode == 0 and "removed 0 finished runs" in done.stderr, done.stderr
        done = stack.cueflow("clean", "--older-than", "0")
        assert done.returncode == 0 and "removed 4 finished runs" in done.stderr, done.stderr
        assert _runs_of(stack, "lighting-pipeline") == [] and _runs_of(stack, "scene") == []
        assert len(_runs_of(stack, "etl-nightly")) == 3
    finally:
        stack.remove()


def test_clean_knows_every_flow_cueflow_has():
    from prefect import Flow

    import flows.batch
    import flows.entrypoints
    import flows.pipeline
    import flows.scale_out
    import flows.scene

    names = {
        value.name
        for module in (flows.batch, flows.entrypoints, flows.pipeline, flows.scale_out, flows.scene)
        for value in vars(module).values()
        if isinstance(value, Flow)
    }
    assert names == set(FLOW_NAMES)


def test_a_marker_is_what_makes_a_folder_cueflows(tmp_path):
    from phases.work_marker import make_marked_folder, read_mark

    final = tmp_path / "show"
    work = make_marked_folder(final, "work")
    mark = read_mark(work)
    assert mark is not None and mark.made_for == "show" and mark.writer_alive()
    renamed = work.rename(tmp_path / ".other.work-1")
    assert read_mark(renamed) is None  # a marker naming another folder than the one it sits in
    digest = hashlib.sha256(b"x").hexdigest()
    assert read_mark(tmp_path / f".show.work-{digest}") is None
    shutil.rmtree(renamed)


def test_clean_without_a_directory_is_one_line(tmp_path):
    one_line_error(cueflow(tmp_path / "home", "clean", str(tmp_path / "nowhere")), 2, "not a directory")
