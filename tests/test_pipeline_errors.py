"""The original design's error semantics, shown by injecting failures into real Prefect runs."""

import json

import pytest

import phases.decision
import phases.emotion
import phases.parsing
from flows import PipelineConfig, run, run_snapshot
from phases.contracts import CueTrigger, GroupInstruction, GroupParameters, LightingInstruction

from .conftest import EXAMPLE

pytestmark = pytest.mark.prefect


def _config(tmp_path, **kw):
    # No cache: an earlier test's cached success must not hide the failure injected here.
    return PipelineConfig(output_dir=str(tmp_path / "out"), cache_scene_work=False, **kw)


def _phase(result, phase, scene_id=None):
    return [p for p in result.phases if p.phase == phase and (scene_id is None or p.scene_id == scene_id)]


def test_phase_2_failure_leaves_emotion_null_and_the_run_goes_on(tmp_path, monkeypatch):
    def broken(scene):
        raise RuntimeError("emotion model unavailable")

    monkeypatch.setattr(phases.emotion, "read_scene_emotion", broken)  # the entry point the flow calls
    result = run(EXAMPLE, _config(tmp_path))
    assert result.success, result.error
    failures = _phase(result, 2)
    assert len(failures) == 7 and all(p.status == "failed" and "going on without it" in p.error for p in failures)
    scenes = json.loads((tmp_path / "out" / "scenes.json").read_text())
    assert [s["emotion"] for s in scenes] == [None] * 7
    plan = json.loads((tmp_path / "out" / "lighting_instructions.json").read_text())
    assert len({i["scene_id"] for i in plan}) == 7  # every scene still gets its cues
    openings = [i for i in plan if i["called_on"]["kind"] == "scene_start"]
    assert len(openings) == 7 and all("no emotion read" in i["metadata"]["reasoning"] for i in openings)


def _break_decide_on(monkeypatch, scene_id, make):
    """Phase 4 answers for scene_id with `make` (its cue, or an exception); the other scenes get their real cues."""
    real = phases.decision.LightingDecisionEngine.cues

    def cues(self, scene, knowledge):
        return [make(self, scene, knowledge)] if scene.scene_id == scene_id else real(self, scene, knowledge)

    monkeypatch.setattr(phases.decision.LightingDecisionEngine, "cues", cues)


def test_phase_4_failure_fails_that_scene_and_the_run_continues(tmp_path, monkeypatch):
    def boom(self, scene, knowledge):
        raise ValueError("no look for this scene")

    _break_decide_on(monkeypatch, "scene_002", boom)
    result = run(EXAMPLE, _config(tmp_path))
    assert not result.success
    assert result.final_output.failed_scenes == ["scene_002"]
    failed = _phase(result, 4, "scene_002")
    assert failed and failed[0].status == "failed" and "no look for this scene" in failed[0].error
    assert all(_phase(result, 4, f"scene_00{i}")[0].status == "completed" for i in (1, 3, 4, 5, 6, 7))
    plan = json.loads((tmp_path / "out" / "lighting_instructions.json").read_text())
    assert result.final_output.instruction_count == len(plan)
    assert sorted({i["scene_id"] for i in plan}) == ["scene_001"] + [f"scene_00{i}" for i in range(3, 8)]
    snapshot = run_snapshot(result.flow_run_id)
    assert snapshot.failed_scenes == ["scene_002"]
    assert snapshot.scenes["scene_003"] == "Completed"


def test_phase_4_failure_stops_the_run_when_configured(tmp_path, monkeypatch):
    def boom(self, scene, knowledge):
        raise ValueError("no look for this scene")

    _break_decide_on(monkeypatch, "scene_002", boom)
    result = run(EXAMPLE, _config(tmp_path, continue_on_scene_failure=False))
    assert not result.success and "continue_on_scene_failure" in result.error
    for later in ("scene_003", "scene_004", "scene_005", "scene_006", "scene_007"):
        assert [p.status for p in _phase(result, 4, later)] == ["skipped"]
        assert _phase(result, 2, later) == []  # never started
    assert not _phase(result, 5) and not _phase(result, 7)


def test_phase_4_output_outside_the_contract_fails_the_scene(tmp_path, monkeypatch):
    def too_bright(self, scene, knowledge):
        group = GroupInstruction.model_construct(
            group_id="front_wash", parameters=GroupParameters.model_construct(intensity=1.7, color="straw")
        )
        return LightingInstruction.model_construct(
            scene_id=scene.scene_id,
            cue_number=3.0,
            label="too bright",
            called_on=CueTrigger(kind="scene_start"),
            time_window=scene.time_window,
            groups=[group],
            metadata=None,
        )

    _break_decide_on(monkeypatch, "scene_003", too_bright)
    result = run(EXAMPLE, _config(tmp_path))
    assert result.final_output.failed_scenes == ["scene_003"]
    error = _phase(result, 4, "scene_003")[0].error
    assert "breaks the contract" in error and "intensity" in error
    plan = json.loads((tmp_path / "out" / "lighting_instructions.json").read_text())
    assert all(g["parameters"]["intensity"] <= 1 for i in plan for g in i["groups"])
    assert "scene_003" not in [i["scene_id"] for i in plan]


def test_phase_1_failure_stops_the_run_before_any_later_phase(tmp_path, monkeypatch):
    def broken(path, options=None):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(phases.parsing, "parse_file", broken)
    result = run(EXAMPLE, _config(tmp_path))
    assert not result.success
    assert [(p.phase, p.status) for p in result.phases] == [(1, "failed")]
    assert "parser crashed" in result.error
    out = tmp_path / "out"
    assert (out / "result.json").exists()
    assert not (out / "scenes.json").exists() and not (out / "lighting_instructions.json").exists()
    assert json.loads((out / "result.json").read_text())["success"] is False


def test_parse_error_is_a_hard_failure(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n")
    result = run(empty, _config(tmp_path))
    assert not result.success and "empty" in result.error
    assert [(p.phase, p.status) for p in result.phases] == [(1, "failed")]


def test_a_phase_that_is_not_ready_raises_phase_not_implemented(tmp_path, monkeypatch):
    def not_ready(scene):
        raise NotImplementedError("emotion v2")

    monkeypatch.setattr(phases.emotion, "read_scene_emotion", not_ready)
    result = run(EXAMPLE, _config(tmp_path))
    assert not result.success
    assert "phase 2 is not implemented: emotion v2" in result.error
