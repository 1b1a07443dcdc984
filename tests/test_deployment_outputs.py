"""Issue 16, files and paths, through deployments on a real Prefect server: links out of the roots, folders a
batch owns, and output names that never collide."""

import json
import tempfile
from pathlib import Path

import pytest

from flows.outputs import output_folder

from .conftest import EXAMPLE
from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect

NEVER = "0 0 1 1 *"
ONE_SCENE = EXAMPLE.read_text().split("SCENE II.")[0]
SECRET = "the vault code is 4711-SECRET"


@pytest.fixture(scope="module")
def served():
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-outputs-")))
    stack.start()
    stack.serve("--cron", NEVER)
    stack.wait_for_deployments("lighting-pipeline/on-demand", "directory-batch/scheduled")
    yield stack
    stack.remove()


def _every_output_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_scheduled_batch_follows_no_link_out_of_the_input_root_and_keeps_every_script(served):
    """Before: a link in the inbox put a secret file's text into scenes.json and preview.html; `my play.txt` and
    `my_play.txt` shared one folder."""
    secret = served.base / "secret.txt"  # outside the input root (base/in)
    secret.write_text(f"SCENE 1\n\nA room.\n\nHAMLET. {SECRET}\n")
    inbox = served.inputs / "inbox"
    inbox.mkdir()
    (inbox / "leak.txt").symlink_to(secret)
    (inbox / "my play.txt").write_text(ONE_SCENE)
    (inbox / "my_play.txt").write_text(ONE_SCENE + "\n[Blackout.]\n")
    (served.inputs / "shared.txt").write_text(ONE_SCENE)
    (inbox / "inside.txt").symlink_to(served.inputs / "shared.txt")  # a link that stays inside the root is fine

    run = served.wait_for_run(served.create_run("directory-batch/scheduled"))
    assert run["state"]["type"] == "COMPLETED", run["state"]
    batch = served.outputs / "batch"
    assert sorted(r["name"] for r in served.child_runs(run["id"])) == ["inside.txt", "my play.txt", "my_play.txt"]
    folders = sorted(p for p in batch.iterdir() if not p.name.startswith("."))
    assert folders == sorted(output_folder(batch, inbox / n) for n in ("inside.txt", "my play.txt", "my_play.txt"))
    for name in ("my play.txt", "my_play.txt"):
        result = json.loads((output_folder(batch, inbox / name) / "result.json").read_text())
        assert result["success"] and Path(result["script"]).name == name
    assert SECRET not in _every_output_text(served.outputs)


def test_on_demand_output_names_and_folders(served):
    """Before: plays/x.txt and inbox/x.txt wrote one folder; a link at the default folder's name led out of the
    output root; output_dir inside the batch's output replaced a batch folder that the batch then skipped."""
    for sub in ("plays", "drafts"):
        (served.inputs / sub).mkdir(exist_ok=True)
        (served.inputs / sub / "x.txt").write_text(ONE_SCENE)
    runs = [served.create_run("lighting-pipeline/on-demand", script_path=f"{sub}/x.txt") for sub in ("plays", "drafts")]
    for run_id in runs:
        assert served.wait_for_run(run_id)["state"]["type"] == "COMPLETED"
    folders = [output_folder(served.outputs, served.inputs / sub / "x.txt") for sub in ("plays", "drafts")]
    assert folders[0] != folders[1]
    for folder, run_id in zip(folders, runs, strict=True):
        assert json.loads((folder / "result.json").read_text())["flow_run_id"] == run_id

    # A link planted at the default folder's name of another script: refused, nothing written through it.
    (served.inputs / "plays" / "y.txt").write_text(ONE_SCENE)
    elsewhere = served.base / "elsewhere"
    elsewhere.mkdir()
    output_folder(served.outputs, served.inputs / "plays" / "y.txt").symlink_to(elsewhere)
    run = served.wait_for_run(served.create_run("lighting-pipeline/on-demand", script_path="plays/y.txt"))
    assert run["state"]["type"] == "FAILED" and run["state"]["message"].startswith("output_dir:"), run["state"]
    assert "outside the allowed roots" in run["state"]["message"] and not list(elsewhere.iterdir())

    # Folders a batch owns are off limits to on-demand runs.
    batch = served.outputs / "batch"
    (batch / ".batch.lock").parent.mkdir(exist_ok=True)
    (batch / ".batch.lock").touch()
    owned = output_folder(batch, served.inputs / "inbox" / "my play.txt")
    before = sorted(p.name for p in owned.iterdir()) if owned.exists() else None
    for target in ("batch", f"batch/{owned.name}", "batch/tempest.txt"):
        run = served.wait_for_run(served.create_run("lighting-pipeline/on-demand", script_path="plays/x.txt", output_dir=target))
        assert run["state"]["type"] == "FAILED", (target, run["state"])
        assert "inside the batch output" in run["state"]["message"], run["state"]["message"]
    assert not (batch / "tempest.txt").exists()
    assert (sorted(p.name for p in owned.iterdir()) if owned.exists() else None) == before
