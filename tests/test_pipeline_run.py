"""Acceptance for the foundation: Macbeth end to end through the real Prefect pipeline.

The run is a real `cueflow run` in its own process, in this session's Prefect home. Its ephemeral server writes
task-run states in batches (every 10 s) and the last batch as the process ends, so the snapshot, read here
after that process has gone, also proves that the last batch is not lost.
"""

import json
import os
import subprocess
import sys

import jsonschema
import pytest

from flows import run_snapshot
from phases.contracts import PipelineResult
from phases.contracts.schema_export import SCHEMA_DIR

from .conftest import ROOT

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def macbeth_run(macbeth, tmp_path_factory):
    out = tmp_path_factory.mktemp("macbeth")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", str(macbeth), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return PipelineResult.model_validate_json((out / "result.json").read_text()), out


def _validate(path, schema_name):
    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    jsonschema.validate(json.loads(path.read_text()), schema)


def test_macbeth_gives_a_cue_list_over_every_scene(macbeth_run):
    result, out = macbeth_run
    assert result.success, result.error
    scenes = json.loads((out / "scenes.json").read_text())
    plan = json.loads((out / "lighting_instructions.json").read_text())
    assert len(scenes) == 26
    in_order = list(dict.fromkeys(c["scene_id"] for c in plan))
    assert in_order == [s["scene_id"] for s in scenes]  # every scene's cues, in show order
    assert 60 <= len(plan) <= 150 and [c["cue_number"] for c in plan] == list(range(1, len(plan) + 1))
    assert plan[0]["called_on"]["moment"] == "preset" and plan[-1]["called_on"]["moment"] == "house_up"


def test_every_output_validates_against_the_exported_schemas(macbeth_run):
    _, out = macbeth_run
    _validate(out / "scenes.json", "scenes.json")
    _validate(out / "lighting_instructions.json", "lighting_instructions.json")
    _validate(out / "result.json", "pipeline_result.json")
    _validate(out / "report.json", "evaluation_report.json")
    page = (out / "preview.html").read_text()
    assert page.startswith("<!doctype html>") and "scene_026" in page


def test_phase_8_did_not_run(macbeth_run):
    _, out = macbeth_run
    result = json.loads((out / "result.json").read_text())
    phase_8 = [p for p in result["phases"] if p["phase"] == 8]
    assert phase_8 == [{**phase_8[0], "status": "skipped", "success": True}]
    assert phase_8[0]["data"]["reason"] == "enable_phase_8 is off"


def test_result_accounts_for_every_phase_in_order(macbeth_run):
    result, _ = macbeth_run
    order = []
    for p in result.phases:
        if not order or order[-1] != p.phase:
            order.append(p.phase)
    # 1, then 2-3-4 per scene, 4 (sequence), 5 (preview), 7, 5 (preview with verdicts), 8 (skipped)
    assert order[0] == 1 and order[-5:] == [4, 5, 7, 5, 8]
    per_scene = {p.phase for p in result.phases if p.scene_id}
    assert per_scene == {2, 3, 4}
    assert 0 < result.phase_work_duration < result.total_duration


def test_run_snapshot_answers_from_the_prefect_api(macbeth_run):
    result, _ = macbeth_run
    snapshot = run_snapshot(result.flow_run_id)  # no waiting: the run's process has ended
    counts = {p.phase: p.states.get("Completed", 0) + p.states.get("Cached", 0) for p in snapshot.phases}
    expected = {1: 1, 2: 26, 3: 26, 4: 28, 5: 3, 7: 1}  # 4: scenes + sequence + replan; 5: preview, plot, preview
    assert snapshot.status == "Completed"
    assert sorted(snapshot.scenes) == [f"scene_{i:03d}" for i in range(1, 27)]
    assert set(snapshot.scenes.values()) == {"Completed"}
    assert snapshot.failed_scenes == []
    assert counts == expected
    assert snapshot.current_scene == "scene_026"
    assert snapshot.current_phase in (5, 7)


def test_scene_subflows_are_named_after_the_script_and_heading(macbeth_run):
    from uuid import UUID

    from prefect import get_client

    from flows.snapshot import child_flow_runs

    result, out = macbeth_run
    scenes = json.loads((out / "scenes.json").read_text())
    with get_client(sync_client=True) as client:
        children = child_flow_runs(client, UUID(result.flow_run_id))
    by_scene = {next(t for t in c.tags if t.startswith("scene:")).removeprefix("scene:"): c for c in children}
    assert sorted(by_scene) == [f"scene_{i:03d}" for i in range(1, 27)]
    for scene in scenes:
        child = by_scene[scene["scene_id"]]
        assert child.name == f"macbeth.txt · {' '.join(scene['heading'].split())[:80]}", child.name
        assert "script:macbeth.txt" in child.tags
