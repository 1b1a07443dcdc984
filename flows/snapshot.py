"""run_snapshot: which phase, which scene, what status, answered from the Prefect API alone."""

import re
from collections import Counter
from uuid import UUID

from prefect import get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterParentFlowRunId,
)
from prefect.client.schemas.objects import FlowRun, TaskRun
from prefect.client.schemas.sorting import FlowRunSort, TaskRunSort
from pydantic import BaseModel, ConfigDict, Field

PAGE = 200


class PhaseOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phase: int
    states: dict[str, int] = Field(description="Task-run state name to count, e.g. {'Completed': 26}.")


class RunSnapshot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flow_run_id: str
    name: str
    status: str
    current_phase: int | None
    current_scene: str | None
    phases: list[PhaseOutcome]
    scenes: dict[str, str] = Field(description="Scene id to its subflow's state name.")
    failed_scenes: list[str]


PHASE_TASK = re.compile(r"^phase-(\d)-")  # tasks are named by phase (flows/tasks.py); they carry no tags


def _scene_order(scene_id: str | None) -> tuple[int, str]:
    """scene_012 before scene_101, whatever the padding; None first."""
    if scene_id is None:
        return (-1, "")
    digits = re.findall(r"\d+", scene_id)
    return (int(digits[-1]) if digits else -1, scene_id)


def _tag(tags: list[str], prefix: str) -> str | None:
    return next((t.split(":", 1)[1] for t in tags if t.startswith(prefix)), None)


def child_flow_runs(client: SyncPrefectClient, run_id: UUID) -> list[FlowRun]:
    children: list[FlowRun] = []
    while True:
        page = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=PAGE,
            offset=len(children),
        )
        children.extend(page)
        if len(page) < PAGE:
            return children


def run_snapshot(flow_run_id: str | UUID) -> RunSnapshot:
    run_id = UUID(str(flow_run_id))
    with get_client(sync_client=True) as client:
        run: FlowRun = client.read_flow_run(run_id)
        children = child_flow_runs(client, run_id)
        ids = [run_id] + [c.id for c in children]
        task_runs: list[TaskRun] = []
        offset = 0
        while True:
            page = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)),
                sort=TaskRunSort.EXPECTED_START_TIME_DESC,
                limit=PAGE,
                offset=offset,
            )
            task_runs.extend(page)
            if len(page) < PAGE:
                break
            offset += PAGE
    per_phase: dict[int, Counter[str]] = {}
    running_phase: int | None = None
    latest_phase: tuple[str, int] | None = None
    for task_run in task_runs:
        named = PHASE_TASK.match(task_run.name)
        if named is None:
            continue
        phase = int(named.group(1))
        state = task_run.state.name if task_run.state else "Unknown"
        per_phase.setdefault(phase, Counter())[state] += 1
        if task_run.state and task_run.state.is_running():
            running_phase = phase
        started = task_run.start_time or task_run.expected_start_time
        if started is not None and (latest_phase is None or started.isoformat() > latest_phase[0]):
            latest_phase = (started.isoformat(), phase)
    scenes: dict[str, str] = {}
    running: list[str] = []
    begun: list[str] = []
    for child in children:
        scene_id = _tag(child.tags, "scene:")
        if scene_id is None:
            continue
        scenes[scene_id] = child.state.name if child.state else "Unknown"
        if child.state and child.state.is_running():
            running.append(scene_id)
        if child.start_time is not None:
            begun.append(scene_id)
    # The furthest scene in the play that is running, else the furthest that started: with several scenes in
    # flight, start times do not follow the play's order (a scene's run may reach Running after a later one's).
    current_scene = max(running or begun or [None], key=_scene_order)
    return RunSnapshot(
        flow_run_id=str(run_id),
        name=run.name,
        status=run.state.name if run.state else "Unknown",
        current_phase=running_phase if running_phase is not None else (latest_phase[1] if latest_phase else None),
        current_scene=current_scene,
        phases=[PhaseOutcome(phase=p, states=dict(c)) for p, c in sorted(per_phase.items())],
        scenes=dict(sorted(scenes.items())),
        failed_scenes=sorted(s for s, st in scenes.items() if st in ("Failed", "Crashed")),
    )
