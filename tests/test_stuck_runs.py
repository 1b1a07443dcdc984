"""Issues 16 and 23: however `cueflow serve` or a run's process stops, neither the run nor its scene subflows stay
Running or Pending for ever, `cueflow clean` can delete them all, and serve's terminal gets no tracebacks.
A real Prefect server (on its private PostgreSQL), a real `cueflow serve`, real signals, Macbeth in flight."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect
NEVER = "0 0 1 1 *"
HANG_GUARD = 120.0
UNFINISHED = {"SCHEDULED", "PENDING", "RUNNING", "CANCELLING"}


@pytest.fixture(scope="module")
def stack(macbeth):
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-stuck-")))
    stack.start()
    shutil.copy(macbeth, stack.inputs / "macbeth.txt")  # a long show, so the run is still going when it is stopped
    yield stack
    stack.remove()


@pytest.fixture
def served(stack):
    _serve(stack)
    yield stack
    if stack.serve_process is not None and stack.serve_process.poll() is None:
        os.killpg(stack.serve_process.pid, signal.SIGINT)
        try:
            stack.serve_process.wait(HANG_GUARD)
        except subprocess.TimeoutExpired:  # the test has failed on it already: the next one starts with no serve
            os.killpg(stack.serve_process.pid, signal.SIGKILL)
            stack.serve_process.wait(HANG_GUARD)


def _serve(stack: PrefectStack) -> None:
    stack.serve("--cron", NEVER)
    stack.wait_for_deployments("lighting-pipeline/on-demand")


def _state(stack: PrefectStack, run_id: str) -> dict[str, object]:
    return stack.get(f"/flow_runs/{run_id}").json()["state"]


def _in_flight(stack: PrefectStack, scenes: int = 2) -> str:
    """A Macbeth run, once it is Running with `scenes` scene subflows under way."""
    run_id = stack.create_run("lighting-pipeline/on-demand", script_path="macbeth.txt")
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        state = _state(stack, run_id)
        if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            pytest.fail(f"the run ended {state['type']} before it could be interrupted")
        if state["type"] == "RUNNING" and len(stack.child_runs(run_id)) >= scenes:
            return run_id
        time.sleep(0.3)
    pytest.fail("the run never got under way")


def _settled(stack: PrefectStack, run_id: str, seconds: float) -> tuple[str, dict[str, int]]:
    """The run's state and its subflows' states, once nothing is unfinished (or `seconds` have passed)."""
    deadline = time.monotonic() + seconds
    while True:
        state = _state(stack, run_id)
        children: dict[str, int] = {}
        for child in stack.child_runs(run_id):
            children[child["state"]["type"]] = children.get(child["state"]["type"], 0) + 1
        if (state["type"] not in UNFINISHED and not UNFINISHED & set(children)) or time.monotonic() > deadline:
            return state["type"], children
        time.sleep(0.5)


def _cleaned_away(stack: PrefectStack, run_id: str) -> None:
    """`cueflow clean --older-than 0` deletes the run and every one of its subflows."""
    ids = [run_id, *(child["id"] for child in stack.child_runs(run_id))]
    done = stack.cueflow("clean", "--older-than", "0")
    assert done.returncode == 0, done.stderr
    assert [i for i in ids if stack.get(f"/flow_runs/{i}").status_code != 404] == []


@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True)],
    ids=["ctrl-c", "sigterm-to-serve", "sigterm-to-its-group"],
)
def test_stopping_serve_ends_the_run_and_its_subflows_crashed(served, signum, group):
    """Before: Ctrl-C left 4 scene subflows Running for ever, and clean never deleted them; SIGTERM to the group
    (as a service manager sends it) ended the run Cancelled, the README said Crashed, with 4 tracebacks."""
    run_id = _in_flight(served)
    signalled = datetime.now(UTC)
    (os.killpg if group else os.kill)(served.serve_process.pid, signum)
    try:
        code = served.serve_process.wait(HANG_GUARD)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve still running {HANG_GUARD:.0f} s after the signal:\n{(served.base / 'serve.log').read_text()}")
    assert code == 0
    state, children = _settled(served, run_id, 30)
    # Every scene in flight at the signal ended Crashed; with four in flight, one may have completed just before it.
    assert state == "CRASHED" and children.get("CRASHED", 0) >= 1 and set(children) <= {"CRASHED", "COMPLETED"}, (
        state,
        children,
    )
    late = [
        c["name"]
        for c in served.child_runs(run_id)
        if c["state"]["type"] == "COMPLETED" and datetime.fromisoformat(c["end_time"].replace("Z", "+00:00")) > signalled
    ]
    assert late == [], f"scenes completed after serve was stopped: {late}"
    assert "serve` stopped while it ran" in _state(served, run_id)["message"]
    log = (served.base / "serve.log").read_text()
    assert "Traceback" not in log and "marked 1 unfinished run(s) Crashed, and ended" in log, log
    _cleaned_away(served, run_id)


def test_a_run_killed_with_serve_is_marked_crashed_when_serve_starts_again(served):
    """Before: a run that died with serve before its parameter check stayed Running after serve restarted."""
    run_id = served.create_run("lighting-pipeline/on-demand", script_path="macbeth.txt")
    deadline = time.monotonic() + HANG_GUARD
    while _state(served, run_id)["type"] not in ("PENDING", "RUNNING") and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(served.serve_process.pid, signal.SIGKILL)  # serve and its run die at once, as early as can be caught
    served.serve_process.wait(HANG_GUARD)
    time.sleep(2)
    assert _state(served, run_id)["type"] in ("PENDING", "RUNNING")  # nobody marked it: the process just vanished
    _serve(served)
    state, children = _settled(served, run_id, 60)
    assert state == "CRASHED" and "process was gone" in _state(served, run_id)["message"]
    assert not UNFINISHED & set(children), children
    _cleaned_away(served, run_id)


def test_a_cancel_from_the_ui_ends_the_subflows_too(served):
    """Cancelling a run (the UI's Cancel) ends it Cancelled; its scene subflows used to stay Running."""
    run_id = _in_flight(served)
    response = served.post(f"/flow_runs/{run_id}/set_state", {"state": {"type": "CANCELLING", "name": "Cancelling"}})
    assert response.status_code in (200, 201), response.text
    state, children = _settled(served, run_id, 90)  # serve looks for stranded subflows every 30 s
    assert state == "CANCELLED" and not UNFINISHED & set(children), (state, children)
    assert "Traceback" not in (served.base / "serve.log").read_text()
