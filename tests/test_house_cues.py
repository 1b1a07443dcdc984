"""House cues drive house lights only where the rig has them (a fixture or group named as such); on a rig
without, they say "house (not in rig)" and send nothing. Checked through the DMX reading every export uses."""

from phases.decision.design_data import design_settings
from phases.decision.show import add_structure, house_fixtures
from phases.hardware.cue_looks import cue_looks
from phases.knowledge import load_knowledge
from tests.export_plans import show


def _structured(rig):  # noqa: ANN001, ANN202
    scenes, cues = show(12)
    scene_cues = [c for c in cues if c.called_on.kind != "structure"]
    return add_structure(scene_cues, scenes, rig, design_settings())


def _moment(plan, moment):  # noqa: ANN001, ANN202
    return next(c for c in plan if c.called_on.moment == moment)


def test_a_rig_with_house_lights_gets_them_in_the_house_cues_and_dark_in_the_show() -> None:
    rig = load_knowledge().rig  # the studio's two house floods, amb_house_l and amb_house_r
    assert [f.fixture_id for f in house_fixtures(rig, design_settings())] == ["amb_house_l", "amb_house_r"]
    plan = _structured(rig)
    levels = design_settings().house.levels
    for moment in ("preset", "house_half", "house_out", "house_up"):
        looks = cue_looks(_moment(plan, moment), rig)
        assert looks["amb_house_l"].intent == levels[moment], moment
    for cue in plan:
        if cue.called_on.kind != "structure":
            looks = cue_looks(cue, rig)
            assert looks["amb_house_l"].level == looks["amb_house_r"].level == 0, cue.cue_number  # never lit in a scene


def test_a_rig_without_house_lights_says_so_and_sends_nothing() -> None:
    kb = load_knowledge()
    renamed = [
        f.model_copy(update={"fixture_id": f.fixture_id.replace("house", "flood")}) for f in kb.rig.fixtures
    ]  # the same floods, named for what they are here
    rig = kb.rig.model_copy(update={"fixtures": renamed})
    assert house_fixtures(rig, design_settings()) == []
    plan = _structured(rig)
    preset, half, out = (_moment(plan, m) for m in ("preset", "house_half", "house_out"))
    assert half.label == "House to half: house (not in rig)" and out.label == "House out: house (not in rig)"
    assert "house (not in rig)" in preset.label and "house (not in rig)" in _moment(plan, "house_up").label
    assert cue_looks(half, rig) == cue_looks(preset, rig) == cue_looks(out, rig)  # nothing new is sent
