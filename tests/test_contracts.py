import json

import pytest
from pydantic import ValidationError

from phases.contracts import (
    AreaLevel,
    CueTrigger,
    Emotion,
    Fixture,
    GroupInstruction,
    GroupParameters,
    LightingInstruction,
    Scene,
    TimeWindow,
    Transition,
)
from phases.contracts.schema_export import SCHEMA_DIR, render_schemas, stale_schemas
from phases.data_files import load_yaml_model
from phases.evaluation import Thresholds, ThresholdsError


def _scene(**extra):
    return {"scene_id": "scene_001", "script_type": "raw_drama", "time_window": {"start": 0, "end": 10}, "text": "x", **extra}


def test_every_model_forbids_unknown_fields():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Scene.model_validate(_scene(mood="sad"))
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        GroupParameters.model_validate({"intensity": 0.5, "color": "straw", "dmx": 255})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Emotion.model_validate({"primary": "joy", "primary_confidence": 1, "valence": 0, "arousal": 0, "method": "x", "x": 1})


@pytest.mark.parametrize("intensity", [-0.01, 1.0001, 1.7, 5])
def test_intensity_must_lie_in_unit_range(intensity):
    with pytest.raises(ValidationError):
        GroupParameters(intensity=intensity, color="straw")


@pytest.mark.parametrize("intensity", [0, 0.5, 1])
def test_intensity_bounds_are_inclusive(intensity):
    assert GroupParameters(intensity=intensity, color="straw").intensity == intensity


def test_transition_type_is_cut_fade_or_crossfade():
    for kind in ("cut", "fade", "crossfade"):
        Transition(type=kind, duration=1)
    with pytest.raises(ValidationError):
        Transition(type="dissolve", duration=1)


def test_time_window_cannot_run_backwards():
    with pytest.raises(ValidationError, match="ends"):
        TimeWindow(start=10, end=5)


CUE = {"cue_number": 12.5, "label": "Thunder", "called_on": CueTrigger(kind="direction", text="Thunder.", char_offset=0)}


def test_instruction_needs_a_group_and_a_valid_scene_id():
    group = GroupInstruction(group_id="front_wash", parameters=GroupParameters(intensity=0.5, color="straw"))
    LightingInstruction(scene_id="scene_001", time_window=TimeWindow(start=0, end=1), groups=[group], **CUE)
    with pytest.raises(ValidationError):
        LightingInstruction(scene_id="scene_001", time_window=TimeWindow(start=0, end=1), groups=[], **CUE)
    with pytest.raises(ValidationError):
        LightingInstruction(scene_id="act one", time_window=TimeWindow(start=0, end=1), groups=[group], **CUE)


@pytest.mark.parametrize("number", [0, -1, 1.2345, float("nan"), float("inf")])
def test_a_cue_number_is_a_console_number(number):
    group = GroupInstruction(group_id="front_wash", parameters=GroupParameters(intensity=0.5, color="straw"))
    with pytest.raises(ValidationError, match="cue_number"):
        LightingInstruction(
            scene_id="scene_001", time_window=TimeWindow(start=0, end=1), groups=[group], **{**CUE, "cue_number": number}
        )


def test_a_cue_says_what_it_is_called_on():
    with pytest.raises(ValidationError, match="follow_wait"):
        CueTrigger(kind="follow")
    with pytest.raises(ValidationError, match="moment"):
        CueTrigger(kind="structure")
    with pytest.raises(ValidationError, match="text"):
        CueTrigger(kind="direction")
    assert CueTrigger(kind="structure", moment="house_half").moment == "house_half"


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), 1e308])
def test_show_times_are_finite_and_sane(seconds):
    with pytest.raises(ValidationError):
        TimeWindow(start=0, end=seconds)


def test_an_area_level_names_one_target():
    with pytest.raises(ValidationError, match="exactly one"):
        AreaLevel(intensity=0.5)
    with pytest.raises(ValidationError, match="exactly one"):
        AreaLevel(area="DC", fixture_id="f1", intensity=0.5)
    assert AreaLevel(area="DC", intensity=0.4).color is None


def test_fixture_without_colour_mixing_needs_a_fixed_gel():
    base = {
        "fixture_id": "f1",
        "group_id": "specials",
        "fixture_type": "profile",
        "position": {"x": 0, "y": 0, "z": 6},
        "capabilities": ["intensity"],
        "patch": {"universe": 1, "address": 1, "profile": "generic_dimmer"},
    }
    with pytest.raises(ValidationError, match="fixed_color"):
        Fixture.model_validate(base)
    assert Fixture.model_validate({**base, "fixed_color": "warm_white"}).fixed_color == "warm_white"
    with pytest.raises(ValidationError):
        Fixture.model_validate({**base, "fixed_color": "warm_white", "patch": {"universe": 1, "address": 513, "profile": "x"}})


def test_checked_in_schemas_match_the_models():
    assert stale_schemas() == [], "run: python -m phases.contracts.schema_export"


def test_schema_check_notices_a_drift(tmp_path):
    for name, text in render_schemas().items():
        (tmp_path / name).write_text(text)
    assert stale_schemas(tmp_path) == []
    doc = json.loads((tmp_path / "scene.json").read_text())
    doc["properties"].pop("text")
    (tmp_path / "scene.json").write_text(json.dumps(doc))
    (tmp_path / "old_model.json").write_text("{}")
    assert stale_schemas(tmp_path) == ["scene.json", "old_model.json"]


def test_schema_dir_holds_the_output_file_schemas():
    names = {p.name for p in SCHEMA_DIR.glob("*.json")}
    assert {
        "scenes.json",
        "lighting_instructions.json",
        "pipeline_result.json",
        "evaluation_report.json",
        "fixture.json",
    } <= names


def test_a_bad_data_file_is_one_line_naming_the_file_and_the_field(tmp_path):
    path = tmp_path / "thresholds.yaml"
    path.write_text("min_transition_seconds: -1\n", encoding="utf-8")
    with pytest.raises(ThresholdsError, match=r"^thresholds\.yaml: field min_transition_seconds: ") as caught:
        load_yaml_model(path, Thresholds, ThresholdsError)
    assert "\n" not in str(caught.value)
    path.write_text("drift_warn: [unclosed\n", encoding="utf-8")
    with pytest.raises(ThresholdsError, match=r"^thresholds\.yaml: cannot read \(\w+"):
        load_yaml_model(path, Thresholds, ThresholdsError)
    with pytest.raises(ThresholdsError, match=r"^missing\.yaml: cannot read \(FileNotFoundError"):
        load_yaml_model(tmp_path / "missing.yaml", Thresholds, ThresholdsError)
