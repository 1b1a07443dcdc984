"""Issue 16: after Ctrl-C on `cueflow serve`, or a kill of a run's process, runs must not stay Running forever.
A real Prefect server, a real `cueflow serve`, real signals."""

import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect
NEVER = "0 0 1 1 *"
HANG_GUARD = 120.0


@pytest.fixture
def stack(macbeth):
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-stuck-")))
    stack.start()
    # A long show, so the run is still going when it is interrupted.
    shutil.copy(macbeth, stack.inputs / "macbeth.txt")
    yield stack
    stack.remove()


def _running_with_record(stack: PrefectStack, run_id: str) -> dict[str, object]:
    record = stack.base / "home" / "served-runs" / f"{run_id}.json"
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        state = stack.get(f"/flow_runs/{run_id}").json()["state"]
        if state and state["type"] in ("COMPLETED", "FAILED", "CRASHED"):
            pytest.fail(f"the run ended {state['type']} before it could be interrupted")
        if state and state["type"] == "RUNNING" and record.is_file():
            return json.loads(record.read_text())
        time.sleep(0.3)
    pytest.fail("the run never started running")


def _state_within(stack: PrefectStack, run_id: str, seconds: float) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = stack.get(f"/flow_runs/{run_id}").json()["state"]
        if state["type"] != "RUNNING":
            return state
        time.sleep(0.5)
    return state


def _serve(stack: PrefectStack) -> None:
    stack.serve("--cron", NEVER)
    stack.wait_for_deployments("lighting-pipeline/on-demand")


def test_ctrl_c_on_serve_marks_its_running_run_crashed(stack):
    _serve(stack)
    run_id = stack.create_run("lighting-pipeline/on-demand", script_path="macbeth.txt")
    _running_with_record(stack, run_id)
    os.killpg(stack.serve_process.pid, signal.SIGINT)  # Ctrl-C in serve's terminal reaches its whole group
    stack.serve_process.wait(HANG_GUARD)
    state = _state_within(stack, run_id, 30)
    assert state["type"] in ("CRASHED", "CANCELLED"), state


def test_a_run_whose_process_was_killed_is_marked_crashed_when_serve_starts_again(stack):
    _serve(stack)
    run_id = stack.create_run("lighting-pipeline/on-demand", script_path="macbeth.txt")
    record = _running_with_record(stack, run_id)
    os.killpg(stack.serve_process.pid, signal.SIGKILL)  # serve and its run die at once: nobody marks anything
    stack.serve_process.wait(HANG_GUARD)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(int(record["pid"]), 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    assert stack.get(f"/flow_runs/{run_id}").json()["state"]["type"] == "RUNNING"  # the bug, as it was
    _serve(stack)
    state = _state_within(stack, run_id, 60)
    assert state["type"] == "CRASHED" and "process was gone" in state["message"], state
