"""Phase 1's one reader of time: tense, person and voice, greetings, clocks and meals, the carry, changes of time
inside a scene, on the shared plays and on crafted scripts (the plays measure nothing here: the words do)."""

from functools import cache
from pathlib import Path

import pytest

from phases.contracts import ParsedScript, Scene
from phases.parsing import parse_file, parse_text
from phases.parsing.time_words import time_vocabulary

PLAYS = Path(__file__).resolve().parents[2] / "shared" / "data" / "scripts" / "plays"
FOUNTAIN = PLAYS.parent / "fountain" / "ascent_to_guru_peak.fountain"
LIGHT = {"dawn", "morning", "day", "afternoon"}
DARK = {"dusk", "evening", "night", "midnight"}


@cache
def _play(name: str) -> ParsedScript:
    return parse_file(PLAYS / f"{name}.txt")


def _scene(play: str, act: int, number: int) -> Scene:
    return [s for s in _play(play).scenes if s.act == act][number - 1]


def _one(lines: str, heading: str = "SCENE I. A room.") -> Scene:
    return parse_text(f"{heading}\n\n{lines}\n", name="crafted.txt").scenes[-1]


# The shared plays, scene by scene


def test_midsummer_lovers_night_in_the_wood_is_night():
    wood = _scene("midsummer_nights_dream", 3, 2)
    assert wood.time_of_day == "night" and wood.time_of_day_source in ("own", "carried")
    assert not wood.time_changes  # "till the break of day" is a day to come: it neither ends the night nor blocks it


def test_much_ado_garden_with_the_song_is_evening():
    garden = _scene("much_ado_about_nothing", 2, 3)
    assert garden.time_of_day == "evening" and garden.time_of_day_source == "own"
    assert "How still the evening is" in (garden.time_of_day_evidence or "")


def test_julius_caesar_orchard_night_breaks_into_dawn_at_the_grey_lines():
    orchard = _scene("julius_caesar", 2, 1)
    assert orchard.time_of_day == "night"
    dawn = orchard.time_changes[0]
    assert dawn.to == "dawn" and "doth not the day break here" in dawn.evidence
    here = orchard.text[dawn.start_char : dawn.start_char + 200]
    assert here.startswith("doth not the day break here?") and "messengers of day" in here
    assert [c.to for c in orchard.time_changes] == ["dawn", "morning"]  # "The morning comes upon 's"


def test_julius_caesar_lupercal_is_not_night():
    # "Will you sup with me tonight, Casca?" and "I will this night ... throw": nights to come, said by day
    race = _scene("julius_caesar", 1, 2)
    assert race.time_of_day in LIGHT and race.time_of_day_source in ("own", "carried")
    assert _one("CASSIUS.\nWill you sup with me to-night, Casca?").time_of_day in LIGHT


def test_the_morning_after_a_night_scene_is_read_from_its_greetings_and_clock():
    house = _scene("julius_caesar", 2, 2)  # "Good morrow, worthy Caesar", "Caesar, 'tis strucken eight"
    assert house.time_of_day == "morning" and "strucken eight" in (house.time_of_day_evidence or "")
    assert _scene("much_ado_about_nothing", 3, 4).time_of_day == "dawn"  # "'Tis almost five o'clock" after the Watch


def test_a_past_night_means_it_is_day():
    street = _scene("julius_caesar", 3, 3)  # "I dreamt to-night that I did feast with Caesar"
    assert street.time_of_day in LIGHT


def test_the_watch_and_alarums_are_not_times():
    # Much Ado V.1: "the Watch" brings its prisoners in by day ("Good den, good den", "Good day to both of you")
    assert _scene("much_ado_about_nothing", 5, 1).time_of_day in LIGHT
    # Macbeth V.7: "Alarums" say nothing of the hour; the day is carried on from "The same." headings
    assert "alarum" not in (_scene("macbeth", 5, 7).time_of_day_evidence or "").lower()


def test_an_emptied_stage_then_morning_words_change_the_time_on_the_entrance():
    court = _scene("macbeth", 2, 1)  # II.1-II.3 under one heading: the Porter's scene is the morning after
    assert court.time_of_day == "night"
    morning = court.time_changes[0]
    assert morning.to == "morning" and court.text[morning.start_char :].startswith("[Enter a Porter.")


def test_the_last_lines_are_a_transition_not_the_opening_time():
    revels = _scene("midsummer_nights_dream", 5, 1)  # "Between our after-supper and bed-time"
    assert revels.time_of_day in DARK and revels.time_of_day != "midnight"
    assert [c.to for c in revels.time_changes] == ["midnight"]
    assert revels.time_changes[0].start_char > 0.9 * len(revels.text)


def test_the_front_matter_and_the_list_of_persons_are_skipped():
    court = _scene("midsummer_nights_dream", 1, 1)  # "MOONSHINE" in the persons; every night in the scene is to come
    assert "MOONSHINE" in court.text
    assert court.time_of_day not in DARK
    text = "THE NIGHT WATCH\n\nPersons: NIGHT, a watchman. MIDNIGHT, his dog.\n\nACT I.\n\nSCENE I. A street.\n\n"
    text += "ANNA.\nGood morrow, Ben. 'Tis a fair morning.\n"
    scene = parse_text(text, name="front.txt").scenes[0]
    assert scene.time_of_day == "morning"


def test_a_heading_with_no_place_inherits_the_place_and_the_time():
    last = _scene("midsummer_nights_dream", 5, 2)  # "SCENE II" alone
    before = _scene("midsummer_nights_dream", 5, 1)
    assert last.location == before.location and last.setting == before.setting
    text = (
        "SCENE I. A garden. Night.\n\nANNA.\nCome, Ben.\n\n[Exeunt.]\n\n"
        "SCENE II.\n\nBEN.\nWhere are you?\n\n"
        "SCENE III. Another part of the garden.\n\nANNA.\nHere.\n"
    )
    scenes = parse_text(text, name="inherit.txt").scenes
    assert [s.time_of_day for s in scenes] == ["night", "night", "night"]
    assert [s.time_of_day_source for s in scenes] == ["heading", "carried", "carried"]
    assert scenes[1].location == "A garden" and scenes[1].setting == "exterior"


def test_the_evidence_says_where_the_time_came_from():
    for play in ("macbeth", "julius_caesar", "much_ado_about_nothing", "midsummer_nights_dream"):
        for scene in _play(play).scenes:
            if scene.time_of_day is None:
                assert scene.time_of_day_evidence is None and scene.time_of_day_source is None
                continue
            assert scene.time_of_day_source in ("heading", "own", "carried"), scene.scene_id
            evidence = scene.time_of_day_evidence or ""
            if scene.time_of_day_source == "carried":
                assert evidence.startswith("carried on from scene_"), (play, scene.scene_id, evidence)
            else:
                assert evidence.split(":")[0].split(" (")[0].split(",")[0] in ("heading", "dialogue", "direction", "before the dawn it comes to", "before the night it comes to", "before the dusk it comes to"), evidence  # noqa: E501
            for change in scene.time_changes:
                assert 0 <= change.start_char < len(scene.text) and change.evidence


def test_every_play_reads_without_a_time_from_the_cast_list_or_a_song():
    for path in sorted(PLAYS.glob("*.txt")):
        for scene in parse_file(path).scenes:
            evidence = (scene.time_of_day_evidence or "") + " ".join(c.evidence for c in scene.time_changes)
            assert "Persons" not in evidence and "DRAMATIS" not in evidence, (path.name, scene.scene_id)
    tale = [s for s in _play("winters_tale").scenes if "pale moon shines" in s.text][0]
    assert "pale moon" not in (tale.time_of_day_evidence or "")  # Autolycus sings it


# The words, on crafted scenes


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("ANNA.\nWill you sup with me to-night, Ben?\n\nBEN.\nI shall, to-night.", LIGHT),  # a night to come
        ("ANNA.\nI dreamt to-night that the sea rose. I dreamt to-night of fire.", LIGHT),  # last night
        ("ANNA.\nGood even, Ben.\n\nBEN.\nGood even. How still the evening is.", DARK),  # greeting, statement
        ("ANNA.\nGood morrow, Ben.\n\nBEN.\nGood morrow. What is't o'clock?\n\nANNA.\n'Tis strucken nine.", LIGHT),
        ("ANNA.\nWas not the duke here at supper?\n\nBEN.\nHe was, and went early.", DARK),  # after supper
        ("ANNA.\nIf it were night I would sleep. Would it were night!", None),  # supposed: says nothing of now
        ("ANNA.\nThou hast by moonlight at her window sung.", None),  # reported, past
        ("ANNA.\nHis faults seem as the spots of heaven, more fiery by night's blackness.", None),  # possessive
        ("[Enter the Watch.]\n\nANNA.\nStand!", None),
        ("[Alarum. Excursions.]\n\nANNA.\nOn, on!", None),
        ("[Enter ANNA, with a torch.]\n\nANNA.\nWho's there?", DARK),
        ("[Enter BEN, singing.]\n\nBEN.\nThe pale moon shines by night, hey ho.", None),  # a song is another voice
        ("ANNA.\nIt's three a.m. and the house is asleep.", DARK),  # modern speech: it's, a.m.
        ("ANNA.\nGood afternoon, Ben.\n\nBEN.\nGood afternoon. It's seven o'clock in the morning there.", LIGHT),
        ("ANNA.\nO conspiracy, shamest thou to show thy brow by night, when evils are most free?", DARK),
        ("ANNA.\nWhen the sun sets, who doth not look for night?", None),  # general, not now
    ],
)
def test_time_words_are_read_by_tense_person_and_voice(lines, expected):
    scene = _one(lines)
    if expected is None:
        assert scene.time_of_day is None, scene.time_of_day_evidence
    else:
        assert scene.time_of_day in expected, scene.time_of_day_evidence


def test_a_future_time_never_blocks_the_carry():
    text = (
        "SCENE I. A wood. Night.\n\nANNA.\nThe moon is up.\n\n"
        "SCENE II. Another part of the wood.\n\nBEN.\nI will not rest till the break of day.\n"
    )
    night, still = parse_text(text, name="carry.txt").scenes
    assert still.time_of_day == "night" and still.time_of_day_source == "carried"


def test_a_change_of_time_goes_forward_and_is_placed_on_its_words():
    text = (
        "SCENE I. A hill. Night.\n\nANNA.\n" + "We wait and watch the road below the town.\n" * 20
        + "Look, the day breaks in the east.\n\nBEN.\n" + "The carts come up the hill to market.\n" * 5
        + "The sun is set on our hopes, they say.\n"
    )  # fmt: skip
    scene = parse_text(text, name="dawn.txt").scenes[0]
    assert scene.time_of_day == "night"
    assert [c.to for c in scene.time_changes] == ["dawn"]  # a sunset after the dawn would go backwards: not a change
    assert scene.text[scene.time_changes[0].start_char :].startswith("Look, the day breaks")  # its clause, on its line


def test_screenplay_slugs_rule_and_an_action_line_refines_them_within_their_light():
    scenes = parse_file(FOUNTAIN).scenes
    assert [s.time_of_day for s in scenes][:6] == ["day"] * 4 + ["evening", "dusk"]  # NIGHT: "It is early evening."
    assert all(s.time_of_day_source == "heading" for s in scenes[:4])
    assert "It is early evening" in (scenes[4].time_of_day_evidence or "")
    slug = "EXT. HARBOUR WALL - NIGHT\n\nThe boats ride at anchor. {action}\n\nMARA\nWhere is he?\n"
    refined = parse_text(slug.format(action="It is nearly midnight."), name="s.fountain").scenes[0]
    ruled = parse_text(slug.format(action="It is broad day."), name="s.fountain").scenes[0]
    assert refined.time_of_day == "midnight" and ruled.time_of_day == "night"  # never across the heading's light


# Bad input stays clean


def test_bad_input_reads_no_time_and_raises_nothing():
    assert parse_text("SCENE I.\n\n", name="empty.txt").scenes[0].time_of_day is None  # a scene with no text
    no_acts = parse_text("ANNA.\nGood morrow, Ben.\n\nBEN.\nGood morrow to you. 'Tis a fair morning.\n", name="a.txt")
    assert no_acts.scenes[0].act is None and no_acts.scenes[0].time_of_day == "morning"
    only_directions = parse_text("[Thunder.]\n\n[Enter three Witches.]\n\n[Exeunt.]\n\n[Night.]\n", name="d.txt")
    assert all(s.time_of_day in (None, "night") for s in only_directions.scenes)
    brackets = parse_text("SCENE I.\n\n[\n\n[]\n\n(\nANNA.\n[ night\n", name="b.txt")
    assert all(s.time_changes == [] for s in brackets.scenes)


def test_the_vocabulary_is_data_and_checked():
    vocab = time_vocabulary()
    assert vocab.words and vocab.clock.by_hour[0] == "midnight" and vocab.decide_at > vocab.derived_decide_at
    assert vocab.clock.time_at(3, "night") == "night" and vocab.clock.time_at(3, "morning") == "afternoon"
    assert vocab.clock.time_at(5, "night") == "dawn" and vocab.clock.time_at(12, "evening") == "midnight"
    assert vocab.clock.time_at(6, None) is None  # six is a dawn or an evening: nothing to go by


# Round 3: negation, verse, clocks in context, the sky, and changes said in the present


@pytest.mark.parametrize(
    "lines",
    [
        "KING.\nWho saw the sun to-day?\n\nLORD.\nNot I, my lord.\n\nKING.\nNot shine to-day! Then let the drums beat.",
        "OLD MAN.\nMark it: the sun will not be seen to-day.",
        "NURSE.\nGo in, child; 'tis not yet day.",
        "TITANIA.\nThe frost is in the fields; no night is now with hymn or carol blest.",
        "GAEV.\nIt is not night yet, whatever the clocks say in this house.",
        "MARY.\nNor night nor day can I find rest in this house.",
        "HEDDA.\nThe sun shines not on this house; I keep the curtains drawn.",
    ],
)
def test_a_negated_time_is_not_the_time_now(lines):
    scene = _one(lines)
    # nothing, or a sunless day ("the sun will not be seen to-day" says it is day, and grey): never a sunny one
    assert scene.time_of_day is None or (scene.time_of_day == "day" and scene.overcast), scene.time_of_day_evidence


def test_a_negation_of_something_else_leaves_the_time_alone():
    assert _one("MIRANDA.\nNever till this day saw I him touched with anger.").time_of_day in LIGHT  # "never till"
    assert _one("ANNA.\nI know not why, but it is a fine night, Ben.").time_of_day in DARK  # "not" in another clause


def test_a_statement_broken_over_a_verse_line_is_one_statement():
    scene = _one("FIRST SENTRY.\nWe must return to the court of guard: the night\nIs shiny; and they say we march at dawn.")
    assert scene.time_of_day == "night" and "night Is shiny" in (scene.time_of_day_evidence or "")
    tower = _one("WARDEN.\nCome in, come in; it is a\nstarry night, and cold.")
    assert tower.time_of_day == "night"


def test_an_hour_before_dawn_beats_a_morning_greeting():
    lines = (
        "MESSENGER.\nMy lord, my lord!\n\nLORD.\n[Within.] What is't o'clock?\n\nMESSENGER.\nUpon the stroke of four.\n\n"
        "LORD.\nCannot my cousin sleep these tedious nights?\n\n" + "MESSENGER.\nHe sends to know your pleasure.\n\n" * 6
        + "[Enter a GENTLEMAN.]\n\nGENTLEMAN.\nGood morrow, my lord.\n\nLORD.\nGood morrow; you are early stirring."
    )  # fmt: skip
    scene = _one(lines)
    assert scene.time_of_day == "dawn" and "stroke of four" in (scene.time_of_day_evidence or "")


def test_an_hour_is_read_with_the_part_of_the_day_its_words_name():
    vocab = time_vocabulary()
    assert vocab.clock.time_at(4, "morning", same_moment=True) == "dawn"  # a greeting is the same moment
    assert vocab.clock.time_at(3, "morning") == "afternoon"  # a morning carried from before: time has passed
    assert vocab.clock.time_at(6, "day", same_moment=True) == "evening"  # as near either way: the later hour
    assert _one("SOLDIER.\nIt is the second hour i' the morn, and the watch is set.").time_of_day == "night"
    assert _one("NORA.\nIt is ten o'clock at night, Torvald, and the children asleep.").time_of_day == "night"
    assert _one("NORA.\nIt is two o'clock at night; the street is silent.").time_of_day == "night"  # not two p.m.


def test_a_sunless_day_is_read_from_the_opening_and_carried_within_the_act():
    text = (
        "ACT I.\n\nSCENE I. A field.\n\nKING.\nThe sun will not be seen to-day;\nThe sky doth frown and lower upon our army.\n"
        + "Let every soldier look to his arms.\n" * 12
        + "\n[Exeunt.]\n\nSCENE II. Another part of the field.\n\nLORD.\nOn, on!\n\n"
        "ACT II.\n\nSCENE I. Another part of the field.\n\nLORD.\nStill here.\n"
    )  # fmt: skip
    first, carried, next_act = parse_text(text, name="sky.txt").scenes
    assert first.time_of_day in LIGHT and first.overcast and not first.time_changes
    coast = _one("MARINER.\nWe have landed in ill time: the skies look grimly\nAnd threaten present blusters.")
    assert coast.time_of_day == "day" and coast.overcast and not coast.time_changes  # the words that tell the time
    assert carried.time_of_day_source == "carried" and carried.overcast
    assert not next_act.overcast  # the weather does not outlast an act break


def test_the_sky_clouding_over_inside_a_scene_is_a_change_and_the_dark_ends_it():
    text = (
        "SCENE I. A coast. Day.\n\nSAILOR.\n" + "We lay the child down here upon the shore.\n" * 20
        + "The day frowns more and more; the storm begins.\n\nSHEPHERD.\n" + "Here is a fine thing, a bundle.\n" * 20
        + "The sun breaks through at last; the clouds part.\n\nSAILOR.\n" + "Home, then, with it.\n" * 20
        + "The sun is set, and night is falling.\n" + "Home.\n" * 4
    )  # fmt: skip
    scene = parse_text(text, name="frown.txt").scenes[0]
    assert scene.time_of_day == "day" and not scene.overcast
    assert [(c.to, c.overcast) for c in scene.time_changes] == [("day", True), ("day", False), ("night", False)]
    assert scene.text[scene.time_changes[0].start_char :].startswith("The day frowns")
    night = _one("ANNA.\nGood even. It is a cloudy sky; and dark, and cold.")  # an overcast sky says nothing at night
    assert not night.overcast


@pytest.mark.parametrize(
    ("lines", "to"),
    [
        ("RATCLIFF.\nMy lord, 'tis I. The early village-cock\nHath twice done salutation to the morn.", "dawn"),
        ("CHARMIAN.\nFinish, good lady; the bright day is done,\nAnd we are for the dark.", "dusk"),
        ("ANTON.\nUnbuckle me; the long day's task is done, and we must sleep.", "dusk"),
        ("BRUTUS.\nThe deep of night is crept upon our talk,\nAnd nature must obey necessity.", "night"),
        ("DUKE.\nThe iron tongue of midnight hath told twelve: lovers, to bed.", "midnight"),
    ],
)
def test_a_change_said_in_the_present_or_the_perfect_moves_the_time(lines, to):
    opening = {"dawn": "night", "dusk": "day", "night": "evening", "midnight": "evening"}[to]
    filler = {"night": "The watch goes round the walls.\n", "day": "The market fills with carts.\n"}
    heading = {"night": "Night.", "day": "Day.", "evening": "Evening."}[opening]
    before = filler.get(opening, "The guests sit long over the wine.\n")
    text = f"SCENE I. A place. {heading}\n\nSPEAKER.\n" + before * 30 + "\n" + lines + "\n\nSPEAKER.\n" + before * 10
    scene = parse_text(text, name="move.txt").scenes[0]
    assert [c.to for c in scene.time_changes] == [to], scene.time_changes
    spoken = scene.text.index(lines.split("\n", 1)[1])
    assert spoken <= scene.time_changes[0].start_char < spoken + len(lines)  # placed on its words


def test_when_the_day_is_done_is_no_change_now():
    text = "SCENE I. A farm. Day.\n\nANNA.\n" + "We bring the hay in from the field.\n" * 30 + "When the day is done we dance.\n"
    text += "\nBEN.\n" + "The cart is full.\n" * 10
    assert parse_text(text, name="when.txt").scenes[0].time_changes == []


def test_going_in_to_supper_and_lights_burning_say_the_evening_and_the_night():
    assert _one("ANTONY.\nLet's to supper, come, and drown consideration.").time_of_day == "evening"
    assert _one("BRUTUS.\nHow ill this taper burns! Ha! who comes here?").time_of_day in DARK


def test_a_dawn_carried_to_another_place_has_become_the_morning():
    text = (
        "SCENE I. A wood. Night.\n\nPUCK.\n" + "The lovers sleep upon the bank below.\n" * 20 + "I do hear the morning lark.\n\n"
        + "OBERON.\n" + "Then let us go.\n" * 6 + "\n[Exeunt.]\n\n"
        + "SCENE II. A room in the weaver's house.\n\nQUINCE.\nIs he come home?\n\n"
        + "SCENE III. The same.\n\nSNUG.\nNot yet.\n"
    )  # fmt: skip
    wood, house, same = parse_text(text, name="dawn.txt").scenes
    assert [c.to for c in wood.time_changes] == ["dawn"]
    assert house.time_of_day == "morning" and house.time_of_day_source == "carried"
    assert same.time_of_day == "morning"
    continuous = parse_text(text.replace("SCENE II. A room in the weaver's house.", "SCENE II. The same."), name="c.txt")
    assert continuous.scenes[1].time_of_day == "dawn"  # the same place, the action carried on: still the dawn


@pytest.mark.parametrize(
    ("heading", "line", "changes"),
    [
        ("Night.", "Look, it's getting light. Put out the lamp.", ["dawn"]),
        ("Night.", "The sun's coming up over the lake.", ["morning"]),
        ("Night.", "Listen, the clock is striking twelve.", ["midnight"]),
        ("Night.", "It's not light yet; go back to sleep.", []),
        ("Day.", "It's getting dark, and still no letter from town.", ["night"]),
        ("Day.", "The sun's setting behind the birches.", ["dusk"]),
        ("Day.", "The sun is not setting yet.", []),
    ],
)
def test_changes_in_modern_speech(heading, line, changes):
    filler = "We sat and talked of Moscow and the old days there.\n" * 25
    text = f"ACT I\n\nA room in the country house. {heading}\n\nIRINA.\n{filler}\n{line}\n\nMASHA.\n" + "Yes, yes.\n" * 8
    scene = parse_text(text, name="modern.txt").scenes[0]
    assert [c.to for c in scene.time_changes] == changes
