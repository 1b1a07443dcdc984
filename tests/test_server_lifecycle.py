"""Issue 23: `cueflow server` never leaves its Prefect server or PostgreSQL running after it is killed, finds what a
killed one left at its next start, never moves to SQLite without being told, and refuses a NUL character in a
request instead of letting PostgreSQL's error become a 503 that clients retry for minutes. A real `cueflow server`
on its real private PostgreSQL, real signals, the real `prefect` CLI."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from deployments.server_processes import servers_of

from .prefect_stack import PrefectStack, free_port

pytestmark = pytest.mark.prefect
NEVER = "0 0 1 1 *"


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"not within {seconds}s: {what}")


def _answers(stack: PrefectStack) -> bool:
    try:
        return httpx.get(f"{stack.api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def stack():
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-life-")))
    yield stack
    stack.remove()


def _server_processes(stack: PrefectStack) -> list[int]:
    return [p.pid for p in servers_of(str(stack.private_cluster().base))]


def test_a_killed_cueflow_server_takes_its_prefect_server_and_postgresql_with_it(stack):
    """Before: `prefect server start` and PostgreSQL were reparented to pid 1, the API still answering."""
    stack.start()
    cluster = stack.private_cluster()
    (api,) = _server_processes(stack)
    postmaster = cluster.running_pid()
    assert postmaster is not None
    os.kill(stack.server.pid, signal.SIGKILL)  # the wrapper alone, as `kill -9 PID` would
    stack.server.wait(30)
    _wait(lambda: _gone(api) and _gone(postmaster), 60, "the orphaned Prefect server and PostgreSQL stop")
    assert not _answers(stack) and cluster.running_pid() is None
    # The next `cueflow server` starts on the same database, with its history.
    stack.start()
    assert "stopped" not in (stack.base / "server.log").read_text()  # nothing was left to stop


def test_the_next_start_stops_what_a_killed_server_left_running(stack):
    """The Prefect server could not act on its parent's death (here: frozen when it happened, as an older
    cueflow's never could): the next `cueflow server` finds it and the cluster, stops both, and starts."""
    stack.start()
    cluster = stack.private_cluster()
    (api,) = _server_processes(stack)
    postmaster = cluster.running_pid()
    os.kill(api, signal.SIGSTOP)
    os.kill(stack.server.pid, signal.SIGKILL)
    stack.server.wait(30)
    time.sleep(2)
    assert not _gone(api) and cluster.running_pid() == postmaster  # the orphans, as they were left
    port = stack.port
    stack.port = free_port()  # the old port is still held by the frozen orphan
    stack.start()
    log = (stack.base / "server.log").read_text()
    assert f"stopped the Prefect server (pid {api})" in log, log
    assert _gone(api) and cluster.running_pid() not in (None, postmaster)
    assert stack.cueflow("deploy", "--cron", NEVER).returncode == 0
    stack.stop()
    # And on the orphan's own port, which its stop set free.
    stack.port = port
    stack.start()
    assert _answers(stack)


def test_a_second_server_on_the_same_home_is_refused_not_moved_to_sqlite(stack):
    stack.start()
    done = stack.cueflow("server", "--port", str(free_port()), api=False, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "already uses this database" in lines[0], done.stderr
    assert _answers(stack)  # the first one is untouched


def test_postgresql_that_will_not_start_is_an_error_not_sqlite(stack):
    """Before: "PostgreSQL could not start", then the server quietly ran on SQLite and the history was gone."""
    stack.start()
    assert stack.cueflow("deploy", "--cron", NEVER).returncode == 0
    stack.stop()
    config = stack.private_cluster().data / "postgresql.conf"
    original = config.read_text()
    config.write_text(original + "\nshared_buffers = 'a lot'\n")  # the cluster now refuses to start
    done = stack.cueflow("server", "--port", str(stack.port), api=False, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and lines[-1].startswith("cueflow: error: PostgreSQL could not start"), done.stderr
    assert "--sqlite" in lines[-1] and "Traceback" not in done.stderr
    assert not list((stack.base / "home").rglob("*.db"))  # no SQLite database was made
    stack.server_args = ["--sqlite"]  # the operator's word
    stack.start()
    assert stack.deployment("lighting-pipeline/on-demand") is None  # a different database, as asked
    stack.stop()
    config.write_text(original)
    stack.server_args = []
    stack.start()
    assert stack.deployment("lighting-pipeline/on-demand") is not None  # the history is still there


def test_a_nul_character_in_a_parameter_is_refused_at_once(stack):
    """Before: on PostgreSQL `create_flow_run` answered 503 again and again and `prefect deployment run` retried
    for more than 120 s."""
    stack.start()
    assert stack.cueflow("deploy", "--cron", NEVER).returncode == 0
    deployment = stack.deployment("lighting-pipeline/on-demand")
    started = time.monotonic()
    response = stack.post(f"/deployments/{deployment['id']}/create_flow_run", {"parameters": {"script_path": "a\0b.txt"}})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("parameters.script_path: a NUL character")
    nested = {"parameters": {"script_path": "a.txt", "config": {"genre": "trag\0edy"}}}
    response = stack.post(f"/deployments/{deployment['id']}/create_flow_run", nested)
    assert response.status_code == 422 and "parameters.config.genre" in response.json()["detail"]
    done = stack.prefect("deployment", "run", "lighting-pipeline/on-demand", "-p", 'script_path="a\\u0000b.txt"', timeout=120)
    assert done.returncode != 0 and "NUL character" in done.stdout + done.stderr, done.stdout + done.stderr
    assert time.monotonic() - started < 60
    # A backslash and a u in a path are no NUL: the run is created.
    response = stack.post(f"/deployments/{deployment['id']}/create_flow_run", {"parameters": {"script_path": "a\\u0000b.txt"}})
    assert response.status_code == 201, response.text
    assert stack.get(f"/flow_runs/{response.json()['id']}").json()["parameters"]["script_path"] == "a\\u0000b.txt"


def test_the_api_server_ends_when_its_parent_is_gone_before_it_starts(tmp_path):
    """The server process started after its `cueflow server` died (the race a SIGKILL can hit) exits at once."""
    env = {**os.environ, "CUEFLOW_SERVER_PARENT": "1", "CUEFLOW_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "deployments.api_server", "127.0.0.1", str(free_port())],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1


def test_the_flows_refuse_a_nul_that_another_prefect_server_let_through(tmp_path):
    """A plain `prefect server start` on SQLite stores a NUL: the run then ends Failed naming the parameter."""
    from flows.entrypoints import ParameterError, _config, _string

    with pytest.raises(ParameterError, match=r"^config\.genre: a NUL character is not allowed"):
        _config({"genre": "trag\0edy"}, tmp_path, False, None)
    with pytest.raises(ParameterError, match=r"^dmx\.olad_host: a NUL character is not allowed"):
        _config(None, tmp_path, False, {"olad_host": "127.0.0.1\0"})
    with pytest.raises(ParameterError, match=r"^script_path: a NUL character is not allowed"):
        _string("script_path", "a\0b.txt")
