"""Issue 16, signals and processes, through the real CLI: Ctrl-C, SIGTERM and SIGKILL of `cueflow run`, and
SIGTERM of `cueflow play` against a real olad (the stage goes dark)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT
from .hardware_plans import cue, renderer_for

HANG_GUARD = 60.0  # seconds; a stuck process fails the test instead of hanging the suite (not a speed check)


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    err = tmp_path / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with err.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", *args], stderr=sink, stdout=subprocess.DEVNULL, env=env)
    return proc, err


def _wait_for(err: Path, proc: subprocess.Popen[bytes], text: str, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in err.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            pytest.fail(f"cueflow ended (exit {proc.returncode}) before {text!r}: {err.read_text()[-2000:]}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"no {text!r} within {timeout} s")


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes (nothing listens); ps says Z.
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")


def _gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.prefect
@pytest.mark.parametrize(("signum", "code", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_a_signal_mid_run_stops_it_with_one_line_and_no_server_left(tmp_path, macbeth, signum, code, word):
    proc, err = _start(tmp_path, "run", str(macbeth), "--out", str(tmp_path / "out"))
    _wait_for(err, proc, "scenes 1/")
    servers = _children(proc.pid)
    assert servers, "no ephemeral Prefect server was started"
    proc.send_signal(signum)
    assert proc.wait(HANG_GUARD) == code
    text = err.read_text()
    assert text.strip().splitlines()[-1] == f"cueflow: {word}", text[-2000:]
    assert "Traceback" not in text and "EventsWorker" not in text and "internal error" not in text
    assert _gone_within(servers, HANG_GUARD), "the ephemeral server outlived cueflow"


@pytest.mark.prefect
def test_sigkill_of_cueflow_run_does_not_leave_the_ephemeral_server_running(tmp_path, macbeth):
    proc, err = _start(tmp_path, "run", str(macbeth), "--out", str(tmp_path / "out"))
    _wait_for(err, proc, "scenes 1/")
    servers = _children(proc.pid)
    assert servers
    proc.kill()
    proc.wait(HANG_GUARD)
    assert _gone_within(servers, HANG_GUARD), "the ephemeral server outlived a SIGKILLed cueflow run"


def test_sigterm_during_cueflow_play_blacks_out_and_exits_non_zero(tmp_path):
    from phases.hardware import OlaLink
    from tests.ola_server import OladServer

    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    plan = [cue(1, 0, 600, {"front_wash": (1.0, "daylight"), "back_light": (1.0, "daylight")})]
    (plan_dir / "lighting_instructions.json").write_text(json.dumps([c.model_dump(mode="json") for c in plan]))
    with OladServer() as olad:  # `cueflow play` talks to olad's default port
        proc, err = _start(tmp_path, "play", str(plan_dir))
        deadline = time.monotonic() + 60
        lit = 0
        while time.monotonic() < deadline and not lit:
            time.sleep(0.2)
            link = OlaLink("127.0.0.1", olad.port, 2.0, 2.0)
            lit = sum(1 for v in link.fetch(1) if v)
            link.close()
        assert lit, "the show never lit universe 1"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(HANG_GUARD) == 143
        text = err.read_text()
        assert text.strip().splitlines()[-1] == "cueflow: terminated", text
        assert "Traceback" not in text
        link = OlaLink("127.0.0.1", olad.port, 2.0, 2.0)
        dark = renderer_for(plan).blackout()[1]  # every fixture at rest: levels closed, a mover still aimed
        assert link.fetch(1) == dark, "SIGTERM left the stage lit"
        link.close()
