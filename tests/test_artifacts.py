"""flows/artifacts.py on a real ephemeral Prefect run: the artifacts land on the flow run and read back through the API."""

import asyncio
import json
from collections import Counter

import pytest

import flows  # noqa: F401  (applies cueflow's Prefect settings before prefect loads)
from flows.artifacts import artifact_key, progress_tracker, publish_run_artifacts
from phases.contracts import PipelineOutput, PipelineResult, Transition
from phases.evaluation import evaluate
from tests.crafted_plans import good, instruction, knowledge, with_scene

pytestmark = pytest.mark.prefect

SCRIPT = "/plays/The Keeper's Light.txt"


def _inputs():
    crafted = with_scene(good(ending=False), 3, lambda s: instruction(s, transition=Transition(type="fade", duration=0.4)))
    scenes = [crafted.scenes[0].model_copy(update={"heading": "A | pipe\nand a line"}), *crafted.scenes[1:]]
    kb = knowledge()
    report = evaluate(scenes, crafted.plan, kb.rig, list(kb.colours.values()), list(kb.rules), second_plan=crafted.plan)
    result = PipelineResult(
        success=True,
        script=SCRIPT,
        phases=[],
        final_output=PipelineOutput(
            output_dir="/out/keeper",
            files={"preview": "/out/keeper/preview.html", "report": "/out/keeper/report.json"},
            scene_count=len(scenes),
            instruction_count=len(crafted.plan),
            evaluation_verdict=report.verdict,
        ),
        total_duration=3.2,
        phase_work_duration=0.41,
    )
    return result, scenes, crafted.plan, report


def _read(key: str) -> list:
    """Artifacts with this key, newest first, straight from the API.

    Not client.read_artifacts or Artifact.get: in Prefect 3.8.8 they send null for the filters left out, and the
    server (fastapi 0.154) answers 422; an empty TaskRunFilter instead joins on task runs and finds nothing.
    """
    from prefect import get_client
    from prefect.client.schemas.objects import Artifact

    async def read() -> list:
        async with get_client() as client:
            body = {"artifacts": {"key": {"any_": [key]}}, "limit": 10, "offset": 0, "sort": "CREATED_DESC"}
            response = await client.request("POST", "/artifacts/filter", json=body)
            return [Artifact.model_validate(a) for a in response.json()]

    return asyncio.run(read())


def test_run_artifacts_land_on_the_flow_run_and_read_back():
    from prefect import flow
    from prefect.context import get_run_context

    result, scenes, plan, report = _inputs()

    @flow(name="artifacts-test", persist_result=False)
    def tiny() -> tuple[str, dict]:
        ids = publish_run_artifacts(result, scenes, plan, report)
        with progress_tracker(total=3, script=SCRIPT) as tracker:
            for _ in range(3):
                tracker.advance()
        return str(get_run_context().flow_run.id), {**ids, "progress": tracker.artifact_id}

    run_id, ids = tiny()
    assert set(ids) == {"summary", "cues", "metrics", "progress"}

    summary = _read(artifact_key("summary", SCRIPT))
    assert artifact_key("summary", SCRIPT) == "cueflow-summary-the-keeper-s-light"
    assert [str(a.flow_run_id) for a in summary] == [run_id] and summary[0].type == "markdown"
    markdown = summary[0].data
    assert "# cueflow: The Keeper's Light.txt succeeded" in markdown
    assert "| scenes | 4 |" in markdown and "| evaluation | FAIL |" in markdown
    emotions = Counter(s.emotion.primary for s in scenes if s.emotion)
    assert all(f"{e} {n}" in markdown for e, n in emotions.items())  # none dropped
    assert "**FAIL** stability" in markdown and "`/out/keeper/preview.html`" in markdown

    cues = _read(artifact_key("cues", SCRIPT))[0]
    assert cues.type == "table" and str(cues.flow_run_id) == run_id
    rows = json.loads(cues.data) if isinstance(cues.data, str) else cues.data
    assert [r["scene"] for r in rows] == [cue.scene_id for cue in plan]
    assert [r["cue"] for r in rows] == [f"{cue.cue_number:g}" for cue in plan]
    assert rows[0]["heading"] == "A \\| pipe and a line"
    # The levels come right after the cue and scene, one column per group, before any long text.
    groups = list(dict.fromkeys(g.group_id for cue in plan for g in cue.groups))
    assert list(rows[0])[: 2 + len(groups)] == ["cue", "scene", *groups]
    assert rows[2]["transition"] == "fade 0.4 s" and rows[2]["front_wash"] == "60% neutral_white"

    metrics = _read(artifact_key("metrics", SCRIPT))[0]
    table = json.loads(metrics.data) if isinstance(metrics.data, str) else metrics.data
    by_name = {r["metric"]: r for r in table}
    assert set(by_name) == {m.name for m in report.metrics}
    assert by_name["stability"]["verdict"] == "FAIL" and by_name["stability"]["value"] == "0.25"
    assert by_name["stability"]["scenes not passing"] == "1"

    progress = _read(artifact_key("progress", SCRIPT))[0]
    assert progress.type == "progress" and float(progress.data) == 100.0 and str(progress.flow_run_id) == run_id


def test_artifacts_work_from_an_async_flow_too():
    from prefect import flow

    result, scenes, plan, report = _inputs()
    result = result.model_copy(update={"script": "async_play.txt"})

    @flow(name="artifacts-async-test", persist_result=False)
    async def tiny_async() -> None:
        publish_run_artifacts(result, scenes, plan, None)
        with progress_tracker(total=200, script="async_play.txt") as tracker:
            tracker.advance(50)

    asyncio.run(tiny_async())
    assert _read(artifact_key("metrics", "async_play.txt")) == []  # no report, no metrics table
    assert "| evaluation | not run |" in _read(artifact_key("summary", "async_play.txt"))[0].data
    assert float(_read(artifact_key("progress", "async_play.txt"))[0].data) == 25.0
