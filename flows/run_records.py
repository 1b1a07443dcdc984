"""Served runs must not stay Running forever once their process is gone.

Prefect 3.9's runner (`cueflow serve`) marks a run Crashed when it sees the run's process exit, but not when the
runner itself stops (Ctrl-C on serve), and nobody does when the run's process is killed while serve is down.
So each served run records its pid in $CUEFLOW_HOME/served-runs/<flow-run-id>.json while it runs; `cueflow
serve` marks the runs Crashed whose process is gone, when it stops and when it starts.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .environment import cueflow_home

SERVE_PID_VAR = "CUEFLOW_SERVE_PID"  # set by `cueflow serve`; its runs inherit it


def records_dir() -> Path:
    return cueflow_home() / "served-runs"


@contextmanager
def recorded_run(flow_run_id: object) -> Iterator[None]:
    """While a served run runs, a record of its process (nothing outside `cueflow serve`)."""
    serve_pid = os.environ.get(SERVE_PID_VAR)
    if not serve_pid or flow_run_id is None:
        yield
        return
    folder = records_dir()
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / f"{flow_run_id}.json"
    record.write_text(json.dumps({"flow_run_id": str(flow_run_id), "pid": os.getpid(), "serve_pid": int(serve_pid)}))
    try:
        yield
    finally:
        record.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is gone
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]
    except OSError:
        return False


def _stop(pid: int, wait: float = 10.0) -> None:
    import signal
    import time

    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def crash_orphaned_runs(reason: str, stopping_serve_pid: int | None = None) -> list[str]:
    """Mark Crashed the recorded runs whose process is gone (or, when serve stops, every run it started).

    Returns the flow run ids marked. Needs PREFECT_API_URL (the serving process has it)."""
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed, StateType

    folder = records_dir()
    if not folder.is_dir():
        return []
    marked = []
    with get_client(sync_client=True) as client:
        for path in sorted(folder.glob("*.json")):
            try:
                record = json.loads(path.read_text())
                pid, run_id = int(record["pid"]), str(record["flow_run_id"])
            except (OSError, ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)
                continue
            ours = stopping_serve_pid is not None and record.get("serve_pid") == stopping_serve_pid
            if _alive(pid):
                if not ours:
                    continue
                _stop(pid)  # serve is going: its runs go with it rather than run on unsupervised
            try:
                run = client.read_flow_run(run_id)
                if run.state is not None and run.state.type in (StateType.RUNNING, StateType.PENDING):
                    client.set_flow_run_state(run_id, Crashed(message=reason), force=True)
                    marked.append(run_id)
            except Exception:  # the run is gone from the server, or the server is: drop the record either way
                pass
            path.unlink(missing_ok=True)
    return marked
