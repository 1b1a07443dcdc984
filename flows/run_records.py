"""Served runs must not stay Running, Pending or Cancelling forever once their process is gone, nor their subflows.

Prefect 3.9's runner (`cueflow serve`) marks a run Crashed when it sees the run's process exit, but not when the
runner itself stops (Ctrl-C, SIGTERM on serve), and nobody does when the process dies while serve is down, even
before the flow's first line. And a parent run that ends Crashed or Cancelled leaves its scene subflows as they
were: Running or Pending for ever. So `cueflow serve`, when it starts, when it stops and every half minute between:

- finds the processes of served runs by their environment (the runner sets PREFECT__FLOW_RUN_ID in each run's
  process, and serve's pid is inherited as CUEFLOW_SERVE_PID): this user's processes only;
- when stopping, stops its own runs' processes (they black out a playing show and exit, flows/signals.py);
- marks Crashed every run of its deployments left Pending, Running or Cancelling without a live process;
- ends every cueflow subflow whose parent run is over, as the parent ended (Cancelled, else Crashed).
"""

import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.objects import FlowRun

SERVE_PID_VAR = "CUEFLOW_SERVE_PID"  # set by `cueflow serve`; its runs inherit it
RUN_ID_VAR = "PREFECT__FLOW_RUN_ID"  # set by Prefect's runner in each run's process
UNFINISHED = ("PENDING", "RUNNING", "CANCELLING")
PAGE = 200


def _environment(pid: str) -> dict[bytes, bytes]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or another user's
        return {}
    pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def run_processes() -> dict[str, list[tuple[int, int | None]]]:
    """Live processes of served runs: flow run id -> [(pid, the serve that started it)]."""
    found: dict[str, list[tuple[int, int | None]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        env = _environment(entry.name)
        run_id = env.get(RUN_ID_VAR.encode())
        serve = env.get(SERVE_PID_VAR.encode())
        if run_id and serve is not None and _alive(int(entry.name)):
            found.setdefault(run_id.decode(), []).append((int(entry.name), int(serve) if serve.isdigit() else None))
    return found


def _stop(pids: Iterable[int], wait: float = 10.0) -> None:
    """SIGTERM (a served run blacks out and exits), then SIGKILL what is still there after `wait` seconds."""
    pids = list(pids)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + wait
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def settle_runs(deployment_ids: list[UUID], reason: str, stopping_serve_pid: int | None = None) -> tuple[list[str], list[str]]:
    """Crash the deployments' unfinished runs whose process is gone (when serve stops, after stopping its own), and
    end the subflows of finished runs. Needs PREFECT_API_URL (the serving process has it). Returns the runs marked
    Crashed and the subflows ended."""
    from prefect.client.orchestration import get_client

    live = run_processes()
    if stopping_serve_pid is not None:  # serve is going: its runs go with it rather than run on unsupervised
        _stop(pid for processes in live.values() for pid, serve in processes if serve == stopping_serve_pid)
        live = run_processes()
    with get_client(sync_client=True) as client:
        return _crash_unfinished(client, deployment_ids, set(live), reason), end_stranded_subflows(client)


def _crash_unfinished(client: "SyncPrefectClient", deployment_ids: list[UUID], live: set[str], reason: str) -> list[str]:
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    if not deployment_ids:
        return []
    unfinished = FlowRunFilter(
        deployment_id=FlowRunFilterDeploymentId(any_=deployment_ids),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType(t) for t in UNFINISHED])),
    )
    marked = []
    for run in client.read_flow_runs(flow_run_filter=unfinished, limit=PAGE):
        if str(run.id) not in live:
            client.set_flow_run_state(run.id, Crashed(message=reason), force=True)
            marked.append(str(run.id))
    return marked


def end_stranded_subflows(client: "SyncPrefectClient") -> list[str]:
    """End cueflow's unfinished subflows whose parent run is over (or gone), as the parent ended; nested ones too."""
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterParentTaskRunId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Cancelled, Crashed

    from .clean_command import FLOW_NAMES

    stranded = FlowRunFilter(
        parent_task_run_id=FlowRunFilterParentTaskRunId(is_null_=False),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType(t) for t in UNFINISHED])),
    )
    ours = FlowFilter(name=FlowFilterName(any_=list(FLOW_NAMES)))
    ended: list[str] = []
    for _ in range(4):  # a batch's pipeline runs, then their scenes: one level per pass
        settled = 0
        for child in client.read_flow_runs(flow_filter=ours, flow_run_filter=stranded, limit=PAGE):
            parent = _parent(client, child)
            if parent is not None and (parent.state is None or not parent.state.is_final()):
                continue
            if parent is None:
                state = Crashed(message="its parent run is gone")
            else:
                assert parent.state is not None
                how = parent.state.type.value.capitalize()
                message = f"its parent run {parent.name!r} ended {how}"
                state = Cancelled(message=message) if parent.state.type == StateType.CANCELLED else Crashed(message=message)
            try:
                client.set_flow_run_state(child.id, state, force=True)
            except ObjectNotFound:
                continue
            ended.append(str(child.id))
            settled += 1
        if not settled:
            break
    return ended


def _parent(client: "SyncPrefectClient", child: "FlowRun") -> "FlowRun | None":
    from prefect.exceptions import ObjectNotFound

    try:
        link = client.read_task_run(child.parent_task_run_id)  # type: ignore[arg-type]
        return client.read_flow_run(link.flow_run_id) if link.flow_run_id else None
    except ObjectNotFound:
        return None
