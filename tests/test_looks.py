"""Phase 4's base looks: Phase 1's one reading of time lights the scene, and place, time, function and genre
choose the look together (a feast at night, a candle-lit chamber, a cold dawn, a court by day)."""

from functools import cache
from pathlib import Path

import pytest

from phases.contracts import LightingInstruction, Scene
from phases.decision import LightingDecisionEngine
from phases.decision.design_data import direction_rules, palettes
from phases.decision.look_data import look_data
from phases.decision.scene_reading import read_scene
from phases.knowledge import KnowledgeBase, ScenePosition, retrieve
from phases.parsing import parse_file, parse_text

PLAYS = Path(__file__).resolve().parents[2] / "shared" / "data" / "scripts" / "plays"


@cache
def _scenes(play: str) -> tuple[Scene, ...]:
    return tuple(parse_file(PLAYS / f"{play}.txt").scenes)


def _scene(play: str, act: int, number: int) -> Scene:
    return [s for s in _scenes(play) if s.act == act][number - 1]


def _opening(engine: LightingDecisionEngine, scene: Scene, genre: str | None = None) -> LightingInstruction:
    return engine.cues(scene, retrieve(scene, engine.kb, ScenePosition(3, 20), genre=genre))[0]


def _group(cue: LightingInstruction, group_id: str):
    return next(g for g in cue.groups if g.group_id == group_id)


def _level(cue: LightingInstruction, group_id: str) -> float:
    return _group(cue, group_id).parameters.intensity


def _kelvin(kb: KnowledgeBase, cue: LightingInstruction, group_id: str) -> int:
    return kb.colour(_group(cue, group_id).parameters.color).kelvin or 6500


def _look(scene: Scene) -> str:
    return read_scene(scene, direction_rules()).look


# One reader of time


def test_the_base_cue_records_phase_ones_time_and_evidence(engine):
    for play in ("macbeth", "much_ado_about_nothing", "midsummer_nights_dream"):
        for scene in _scenes(play):
            cue = _opening(engine, scene)
            assert cue.called_on.kind == "scene_start" and cue.metadata is not None
            if scene.time_of_day is not None:
                assert (cue.metadata.time_of_day, cue.metadata.time_of_day_evidence) == (
                    scene.time_of_day,
                    scene.time_of_day_evidence,
                ), scene.scene_id
            else:  # undecided stays undecided: the look is lit as day or night, and says so
                assert cue.metadata.time_of_day in ("day", "night")
                assert (cue.metadata.time_of_day_evidence or "").startswith("no time of day read")


def test_phase_four_never_reads_time_of_its_own(engine):
    # Words Phase 1 weighs and leaves undecided ("to-night" to come, a moonlight long gone) light no night.
    scene = parse_text(
        "SCENE I. A room.\n\nANNA.\nWill you sup with me to-night? We meet to-night by moonlight, if you will.\n\n"
        "BEN.\nThou hast by moonlight at her window sung. To-night, to-night!\n",
        name="undecided.txt",
    ).scenes[0]
    assert scene.time_of_day in (None, "day")
    cue = _opening(engine, scene.model_copy(update={"time_of_day": None, "time_of_day_evidence": None}))
    assert cue.metadata is not None and cue.metadata.time_of_day == "day"


def test_midsummer_lovers_wood_is_lit_as_night(engine, kb):
    wood = _scene("midsummer_nights_dream", 3, 2)
    cue = _opening(engine, wood)
    assert cue.metadata is not None and cue.metadata.time_of_day == "night"
    court = _opening(engine, _scene("midsummer_nights_dream", 1, 1))  # Theseus's court by day
    assert _level(cue, "front_wash") < _level(court, "front_wash") - 0.2
    moon = palettes().choose(wood.genre, wood.script_type).moon  # the comedy's moonlight
    assert _group(cue, "back_light").parameters.color == moon and _group(cue, "ambient").parameters.color == moon


def test_much_ado_garden_song_is_lit_as_evening(engine, kb):
    garden = _scene("much_ado_about_nothing", 2, 3)
    cue = _opening(engine, garden)
    assert cue.metadata is not None and cue.metadata.time_of_day == "evening"
    assert "How still the evening is" in (cue.metadata.time_of_day_evidence or "")
    day = _opening(engine, _scene("much_ado_about_nothing", 1, 1))
    assert _level(cue, "front_wash") < _level(day, "front_wash")


# Place, time and function choose the look together


def test_a_feast_at_night_is_warm_with_its_practicals_not_moonlight(engine, kb):
    banquet = _scene("macbeth", 3, 4)  # "A Room of state in the Palace. A banquet prepared."
    assert _look(banquet) == "feast_night"
    cue = _opening(engine, banquet)
    night = _opening(engine, _scene("julius_caesar", 2, 1))  # Brutus's orchard at night
    assert _kelvin(kb, cue, "back_light") < 4000 and _kelvin(kb, night, "back_light") >= 7500
    assert _kelvin(kb, cue, "front_wash") < 3500
    assert _level(cue, "front_wash") > _level(night, "front_wash")


def test_a_candle_lit_chamber_is_not_a_night_exterior(engine, kb):
    chamber = _scene("much_ado_about_nothing", 5, 3)  # the church at night, "with music and tapers"
    street = _scene("much_ado_about_nothing", 3, 3)  # the Watch in the street
    assert (_look(chamber), _look(street)) == ("night_interior", "night_exterior")
    inside, outside = _opening(engine, chamber), _opening(engine, street)
    assert _kelvin(kb, inside, "front_wash") < _kelvin(kb, outside, "front_wash")  # candle-warm faces, not moonlit
    assert _level(inside, "ambient") < _level(outside, "ambient")  # no night sky in a chamber


def test_a_cold_dawn_differs_from_a_warm_morning(engine, kb):
    text = (
        "SCENE I. A hill above the town. Dawn.\n\nANNA.\nThe sky grows pale.\n\n"
        "SCENE II. The same hill. Morning.\n\nBEN.\nThe sun is warm on the road.\n"
    )
    dawn, morning = (_opening(engine, s) for s in parse_text(text, name="dawn.txt").scenes)
    assert _kelvin(kb, dawn, "front_wash") > _kelvin(kb, morning, "front_wash")  # cold faces at dawn
    assert _level(dawn, "front_wash") < _level(morning, "front_wash")


def test_a_court_by_day_is_bright(engine):
    court = _scene("macbeth", 3, 1)  # "Forres. A Room in the Palace", by day
    room = _scene("macbeth", 1, 5)  # "Inverness. A Room in Macbeth's Castle", by day
    assert (_look(court), _look(room)) == ("court_day", "day_interior")
    assert _level(_opening(engine, court), "front_wash") > _level(_opening(engine, room), "front_wash")


def test_more_than_two_looks_across_the_plays():
    looks = {_look(s) for play in ("macbeth", "julius_caesar", "much_ado_about_nothing", "midsummer_nights_dream")
             for s in _scenes(play)}  # fmt: skip
    assert len(looks) >= 10 and {"feast_night", "night_interior", "night_exterior", "dawn", "court_day"} <= looks


# The genre, read when none is given, shades the looks


def test_the_genre_is_read_from_the_play(kb):
    assert _scenes("much_ado_about_nothing")[0].genre == "comedy"
    assert _scenes("macbeth")[0].genre == "tragedy"
    assert _scenes("richard_iii")[0].genre == "history"  # "THE LIFE AND DEATH OF KING RICHARD III"
    assert all(s.genre_evidence for s in _scenes("julius_caesar"))
    short = parse_text("SCENE I. A room.\n\nANNA.\nWe dance at the wedding.\n", name="short.txt").scenes[0]
    assert short.genre is None  # too little text to tell


def test_the_read_genre_shades_the_looks_and_the_production_genre_overrides_it(engine, kb):
    scene = _scene("much_ado_about_nothing", 1, 2)
    read = _opening(engine, scene)  # comedy, read from the play
    tragedy = _opening(engine, scene, genre="tragedy")
    assert _level(read, "front_wash") > _level(tragedy, "front_wash")
    assert read.metadata is not None and "palette comedy" in read.metadata.reasoning
    assert tragedy.metadata is not None and "palette classical" in tragedy.metadata.reasoning


def test_looks_are_data():
    data = look_data()
    assert data.choose[-1].look in data.looks and all(c.look in data.looks for c in data.choose)
    assert data.looks["dawn"].colours["key"] == "cool" and data.looks["morning_exterior"].colours["key"] == "warm"


# Bad input stays clean


@pytest.mark.parametrize(
    "text",
    [
        "SCENE I.\n\n",  # a scene with no text
        "ANNA.\nGood morrow.\n\nBEN.\nGood morrow to you.\n",  # a play with no act headings
        "[Thunder.]\n\n[Enter three Witches.]\n\n[Night. A torch.]\n\n[Exeunt.]\n",  # nothing but stage directions
    ],
)
def test_bad_input_gets_a_base_look_with_its_time(engine, text):
    for scene in parse_text(text, name="odd.txt").scenes:
        cue = _opening(engine, scene)
        assert cue.metadata is not None and cue.metadata.time_of_day in ("day", "night", "morning", None)
        assert LightingInstruction.model_validate_json(cue.model_dump_json()) == cue
