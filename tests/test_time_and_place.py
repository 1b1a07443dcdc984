"""Phase 1: time of day, interior/exterior and acts, read on the shared plays and on bad input."""

from functools import cache
from pathlib import Path

import pytest

from phases.contracts import ParsedScript, Scene
from phases.parsing import parse_file, parse_text
from phases.parsing.time_place import read_setting, read_time

PLAYS = Path(__file__).resolve().parents[2] / "shared" / "data" / "scripts" / "plays"
DATA = Path(__file__).parent / "data" / "scripts"
ROOT = Path(__file__).resolve().parent.parent


@cache
def _play(name: str) -> ParsedScript:
    return parse_file(PLAYS / f"{name}.txt")


def _scene(play: str, act: int, number: int) -> Scene:
    in_act = [s for s in _play(play).scenes if s.act == act]
    return in_act[number - 1]


def test_macbeth_opens_on_an_exterior_in_thunder():
    scene = _scene("macbeth", 1, 1)
    assert scene.setting == "exterior"
    assert any("Thunder" in cue for cue in scene.explicit_lighting)


@pytest.mark.parametrize(
    ("act", "number", "setting"),
    [(1, 2, "exterior"), (1, 3, "exterior"), (1, 6, "exterior"), (1, 7, "interior"), (2, 1, "interior"),
     (2, 2, "exterior"), (3, 3, "exterior"), (4, 1, "interior"), (5, 1, "interior"), (5, 6, "exterior")],
)  # fmt: skip
def test_macbeth_interiors_and_exteriors_follow_the_place(act, number, setting):
    """ "Before the Castle" and "Without the Castle" are outside; a lobby, a cave, "within the castle" inside."""
    assert _scene("macbeth", act, number).setting == setting


def test_macbeth_night_scenes_are_read_from_their_own_text():
    dagger = _scene("macbeth", 2, 1)
    assert dagger.time_of_day == "night" and dagger.time_of_day_evidence
    sleepwalking = _scene("macbeth", 5, 1)
    assert sleepwalking.time_of_day == "night"
    assert "taper" in (sleepwalking.time_of_day_evidence or "")
    park = _scene("macbeth", 3, 3)  # "The west yet glimmers with some streaks of day", then a torch: last light
    assert park.time_of_day == "dusk" and "glimmers" in (park.time_of_day_evidence or "")


def test_day_by_the_clock_and_yet_dark_night_is_a_murky_dawn():
    scene = _scene("macbeth", 2, 2)
    assert scene.time_of_day == "dawn"
    assert "by the clock" in (scene.time_of_day_evidence or "")


def test_a_passing_to_night_does_not_make_a_scene_night():
    # III.1: "To-night we hold a solemn supper" is said by day; the line speaks of the evening to come.
    assert _scene("macbeth", 3, 1).time_of_day in ("morning", "day", "afternoon")


def test_the_banquet_carries_the_night_of_banquos_murder_but_a_night_is_not_carried_through_an_act():
    banquet = _scene("macbeth", 3, 4)
    assert banquet.time_of_day == "night"
    assert banquet.time_of_day_evidence == 'dialogue: "What is the night?"'  # its own words, late in the feast
    assert banquet.time_of_day_source == "own"
    # The sleepwalking night does not run on into the battles of Act V: armies march by day.
    assert [_scene("macbeth", 5, n).time_of_day for n in range(6, 9)] == ["day", "day", "day"]


def test_the_tempest_opens_in_a_storm_at_sea_outside():
    scene = _scene("tempest", 1, 1)
    assert scene.location == "On a ship at sea"  # the heading has no place; the first direction gives it
    assert scene.setting == "exterior"
    assert _scene("tempest", 1, 2).location == "The Island. Before the cell of PROSPERO"
    assert all(s.setting == "exterior" for s in _play("tempest").scenes)


def test_midsummer_wood_is_night_until_the_lark_and_the_play_ends_at_midnight():
    wood = _scene("midsummer_nights_dream", 2, 1)
    assert (wood.setting, wood.time_of_day) == ("exterior", "night")
    assert "moonlight" in (wood.time_of_day_evidence or "")
    carried = _scene("midsummer_nights_dream", 2, 2)
    assert carried.time_of_day == "night" and (carried.time_of_day_evidence or "").startswith("carried on from")
    assert _scene("midsummer_nights_dream", 3, 1).time_of_day == "night"  # "The Queen of Fairies lying asleep."
    lark = _scene("midsummer_nights_dream", 4, 1)  # night until "I do hear the morning lark", then the dawn
    assert lark.time_of_day == "night" and [c.to for c in lark.time_changes][:1] == ["dawn"]
    assert "morning lark" in lark.time_changes[0].evidence
    revels = _scene("midsummer_nights_dream", 5, 1)  # the midnight is told in its last lines: a change, not its time
    assert revels.time_of_day in ("evening", "night") and [c.to for c in revels.time_changes] == ["midnight"]
    assert "iron tongue of midnight" in revels.time_changes[0].evidence


def test_julius_caesar_night_of_the_conspiracy_and_the_tent():
    assert _scene("julius_caesar", 2, 1).time_of_day == "night"  # "The clock hath stricken three."
    assert _scene("julius_caesar", 4, 3).time_of_day == "night"  # "with wine and a taper"
    assert _scene("julius_caesar", 4, 3).setting == "interior"  # "within the tent of Brutus"
    assert _scene("julius_caesar", 4, 2).setting == "exterior"  # "Before Brutus' tent"


def test_hamlet_platform_at_midnight():
    scene = parse_file(DATA / "hamlet_excerpt.txt").scenes[0]
    assert (scene.setting, scene.time_of_day) == ("exterior", "midnight")


def test_the_keepers_light_headings_state_the_time_and_blackouts_keep_it():
    scenes = parse_file(ROOT / "examples" / "the_keepers_light.txt").scenes
    assert [s.time_of_day for s in scenes] == ["dusk", "night", "night", "night", "dawn", "morning", "morning"]
    assert all(s.setting for s in scenes)


def test_screenplay_slugs_say_interior_or_exterior():
    scenes = parse_file(PLAYS.parent / "fountain" / "ascent_to_guru_peak.fountain").scenes
    assert {s.setting for s in scenes} == {"exterior"}
    assert [s.time_of_day for s in scenes] == ["day"] * 4 + ["evening", "dusk", "dusk"]  # NIGHT, "It is early evening."
    ferry = parse_file(DATA / "night_ferry.txt").scenes
    assert [s.setting for s in ferry[:3]] == ["exterior", "interior", "exterior"]  # INT./EXT. FERRY DECK: a deck


def test_every_play_has_five_acts_in_order():
    for path in sorted(PLAYS.glob("*.txt")):
        scenes = parse_file(path).scenes
        acts = [s.act for s in scenes]
        assert acts == sorted(acts), path.name
        assert set(acts) == {1, 2, 3, 4, 5}, path.name
        # each act starts where its heading is: five scenes whose heading names the act they open
        openers = [s for s in scenes if (s.heading or "").upper().startswith("ACT")]
        assert [s.act for s in openers] == [1, 2, 3, 4, 5], path.name


def test_folio_latin_acts_and_a_prologue_before_act_one():
    assert [s.act for s in parse_file(DATA / "macbeth_folio_excerpt.txt").scenes] == [1, 1]
    assert [s.act for s in parse_file(DATA / "henry_v_excerpt.txt").scenes] == [None, 1, 2, 2]


def test_a_play_with_no_act_headings_has_no_acts_and_still_reads_time_and_place():
    text = "SCENE 1. A garden.\n\nANNA. Good night, good night.\n\nSCENE 2. A room. Night.\n\nBEN. Who is there?\n"
    scenes = parse_text(text).scenes
    assert [s.act for s in scenes] == [None, None]
    assert [s.setting for s in scenes] == ["exterior", "interior"]
    assert [s.time_of_day for s in scenes] == [None, "night"]  # one weak "good night" decides nothing


def test_a_direction_with_no_words_around_it_and_a_scene_with_no_text():
    scenes = parse_text("SCENE I.\n\n[Thunder.]\n\nSCENE II.\n").scenes
    assert len(scenes) == 2 and all(isinstance(s, Scene) for s in scenes)
    assert scenes[1].time_of_day is None and scenes[1].setting is None
    assert read_time(None, [], []).value is None
    assert read_time("", [""], [""]).value is None
    assert read_setting(None, None) is None and read_setting("", "") is None
