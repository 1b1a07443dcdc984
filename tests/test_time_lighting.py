"""Phase 4 lights the time Phase 1 reads: a change of time inside a scene is its own GO, never merged away or
dropped as invisible; a time can end the scene's moment (daybreak the supernatural, midnight the revels); a
sunless day is grey, not amber sun. Scenes written for the case, in several traditions."""

import pytest

from phases.contracts import LightingInstruction, Scene, TimeChange
from phases.decision import LightingDecisionEngine
from phases.decision.design_data import direction_rules, palettes
from phases.decision.scene_reading import read_scene
from phases.knowledge import ScenePosition, retrieve
from phases.parsing import parse_text
from phases.parsing.time_words import time_vocabulary


def _cues(engine: LightingDecisionEngine, scene: Scene) -> list[LightingInstruction]:
    return engine.cues(scene, retrieve(scene, engine.kb, ScenePosition(3, 20)))


def _one(text: str) -> Scene:
    return parse_text(text, name="crafted.txt").scenes[-1]


def _group(cue: LightingInstruction, group_id: str):
    return next(g for g in cue.groups if g.group_id == group_id)


def _key(cue: LightingInstruction) -> float:
    return _group(cue, "front_wash").parameters.intensity


def _line_of(scene: Scene, words: str) -> int:
    assert scene.source is not None
    return scene.source.start_line + scene.text[: scene.text.index(words)].count("\n")


def _talk(lines: int) -> str:
    return "".join(f"{'ANNA' if i % 2 else 'BEN'}.\nAnd so the hours go by us, one by one.\n\n" for i in range(lines))


def test_a_time_change_just_after_another_moment_keeps_its_own_go(engine):
    text = (
        "SCENE I. A hall in the duke's palace. The wedding feast. Night.\n\n[Enter the DUKE, the BRIDE, and the COURT.]\n\n"
        + _talk(30) + "[Here a dance of the villagers.]\n\nDUKE.\nThe clock hath struck twelve: lovers, to bed.\n"
        "'Tis almost fairy time. Sweet friends, to bed.\n\n" + _talk(6) + "[Exeunt.]\n"
    )  # fmt: skip
    scene = _one(text)
    assert [c.to for c in scene.time_changes] == ["midnight"]
    cues = _cues(engine, scene)
    dance = next(c for c in cues if c.label.startswith("Dance"))
    midnight = next(c for c in cues if c.label.startswith("Time"))
    assert midnight.called_on.script_line == _line_of(scene, "The clock hath struck twelve")
    assert dance.called_on.script_line < midnight.called_on.script_line  # two GOs, not one
    assert _group(midnight, "ambient").transition.duration >= 30  # the time's own long fade
    assert _key(midnight) < _key(cues[0]) - 0.1  # midnight ends the revels: the feast's warm state goes


def test_daybreak_ends_a_supernatural_night(engine, kb):
    text = (
        "SCENE I. A churchyard. Night.\n\n[Enter the GHOST.]\n\nGHOST.\nRemember me, and all the wrong they did.\n\n"
        "[Exit GHOST.]\n\n" + _talk(24) + "BEN.\nHark, the cock crows; the day breaks in the east.\n\n" + _talk(8)
    )  # fmt: skip
    scene = _one(text)
    assert read_scene(scene, direction_rules()).moment == "supernatural"
    cues = _cues(engine, scene)
    dawn = next(c for c in cues if c.label.startswith("Time"))
    accent = palettes().accents["supernatural"]
    assert _group(cues[0], "ambient").parameters.color == accent
    assert _group(dawn, "ambient").parameters.color != accent and _group(dawn, "back_light").parameters.color != accent


def test_a_time_change_in_the_last_speech_is_cued(engine):
    text = (
        "SCENE II. Another room in the castle.\n\n[Enter the LADY and her LORD.]\n\n" + _talk(20)
        + "LORD.\nCome, seeling night, and scarf up the eye of pity;\nLight thickens; and the crow makes wing.\n\n[Exeunt.]\n"
    )  # fmt: skip
    scene = _one(text)
    assert [c.to for c in scene.time_changes] == ["night"]
    times = [c for c in _cues(engine, scene) if c.label.startswith("Time")]
    assert [c.called_on.script_line for c in times] == [_line_of(scene, "Light thickens")]


def test_a_sunless_day_is_grey_not_amber_sun(engine, kb):
    sunny = _one("SCENE I. A field near the camp. Day.\n\n[Enter the KING.]\n\nKING.\nThe sun is high; to arms.\n" + _talk(6))
    grey = _one(
        "SCENE I. A field near the camp. Day.\n\n[Enter the KING.]\n\nKING.\nThe sun will not be seen to-day;\n"
        "The sky doth frown and lower upon our army.\n" + _talk(6)
    )
    assert grey.overcast and not sunny.overcast
    bright, dull = _cues(engine, sunny)[0], _cues(engine, grey)[0]
    for group in ("front_wash", "back_light"):  # no amber sun on the faces nor from behind
        assert kb.colour(_group(dull, group).parameters.color).kelvin > kb.colour(_group(bright, group).parameters.color).kelvin
    for group in ("front_wash", "back_light", "ambient"):
        assert _group(dull, group).parameters.intensity < _group(bright, group).parameters.intensity
    assert "overcast" in (dull.metadata.reasoning or "")


def test_the_sky_clouding_over_inside_a_scene_is_a_time_cue(engine, kb):
    text = (
        "Scene 2. The shore below the house. Morning.\n\n[Enter ELLIDA and WANGEL.]\n\n" + _talk(20)
        + "ELLIDA.\nLook, the sky clouds over. The fjord has gone black.\n\n" + _talk(12)
    )  # fmt: skip
    scene = _one(text)
    assert [(c.to, c.overcast) for c in scene.time_changes] == [("morning", True)]
    cues = _cues(engine, scene)
    grey = next(c for c in cues if c.label.startswith("Time"))
    assert "(overcast)" in grey.label and grey.called_on.script_line == _line_of(scene, "Look, the sky clouds over")
    colour = kb.colour(_group(grey, "front_wash").parameters.color)
    assert colour.kelvin > kb.colour(_group(cues[0], "front_wash").parameters.color).kelvin


def test_a_cave_whose_own_words_keep_the_day_is_not_lit_as_a_dark_place():
    lines = "[Enter the old SHEPHERD and his two SONS, from the cave.]\n\nSHEPHERD.\n"
    heading = "SCENE III. Wales. A mountainous country with a cave.\n\n"
    daylit = _one(heading + lines + "'Tis broad day; stoop, boys, and bow to the sun.\n" + _talk(4))
    dark = _one(heading + lines + "We are alone here with the dead.\n" + _talk(4))
    assert read_scene(daylit, direction_rules()).look != "cave"
    assert read_scene(dark, direction_rules()).look == "cave"


@pytest.mark.parametrize("setting", ["A wood near the town", "A room in the house"])
def test_every_change_of_time_is_visible_on_the_rig(engine, setting):
    """A change is never dropped as invisible: every time a time may move to looks different from every time
    it may follow, indoors and out, in the bundled rig."""
    text = f"SCENE I. {setting}.\n\n[Enter ANNA and BEN.]\n\n" + _talk(40)
    plain = _one(text)
    middle = plain.text.index("ANNA.", len(plain.text) // 2)
    for to, froms in time_vocabulary().follows.items():
        for before in froms:
            scene = plain.model_copy(
                update={"time_of_day": before, "time_changes": [TimeChange(start_char=middle, to=to, evidence="a change")]}
            )
            times = [c for c in _cues(engine, scene) if c.label.startswith("Time")]
            assert len(times) == 1, (setting, before, to)
