"""Cues inside scenes (issue 20, items 1, 2, 4 and 6, and the cue for a time change), on the plays in
../shared/data and on scenes written for the case: a cue only where the stage changes for a reason in the text,
each cue a state and not an increment, light the dialogue names, directions read by what they do, fades by moment."""

import re
from pathlib import Path

import pytest

from phases.contracts import LightingInstruction, Scene, TimeChange
from phases.decision import LightingDecisionEngine
from phases.decision.actions import read_direction
from phases.decision.cue_design import cue_design
from phases.decision.design_data import design_settings, palettes
from phases.decision.settings import DecisionDataError
from phases.decision.stage_data import stage_vocabulary
from phases.decision.stage_text import find_speeches
from phases.emotion import detect_emotion
from phases.export.levels import fixture_looks
from phases.knowledge import KnowledgeBase, ScenePosition, retrieve
from phases.parsing import parse_file, parse_text

INSIDE = ("direction", "line")


def _knowledge(scenes: list[Scene], kb: KnowledgeBase) -> list:
    return [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]


@pytest.fixture(scope="module")
def plays(shared_data: Path, engine: LightingDecisionEngine, kb: KnowledgeBase) -> dict[str, tuple[list[Scene], list]]:
    found = sorted((shared_data / "scripts" / "plays").glob("*.txt"))
    assert len(found) >= 9, "the nine dev plays are missing"
    result = {}
    for path in found:
        scenes = [s.model_copy(update={"emotion": detect_emotion(s)}) for s in parse_file(path).scenes]
        result[path.stem] = (scenes, engine.plan(scenes, _knowledge(scenes, kb)))
    return result


def _scene(scenes: list[Scene], act: int, heading: str) -> Scene:
    found = [s for s in scenes if s.act == act and re.search(heading, s.heading or "", re.IGNORECASE)]
    assert found, (act, heading)
    return found[0]


def _of(plan: list[LightingInstruction], scene: Scene) -> list[LightingInstruction]:
    return [c for c in plan if c.scene_id == scene.scene_id and c.called_on.kind != "structure"]


def _group(cue: LightingInstruction, group_id: str):
    return next(g for g in cue.groups if g.group_id == group_id)


def _key(cue: LightingInstruction) -> float:
    front = _group(cue, "front_wash")
    return max([front.parameters.intensity, *(o.intensity for o in front.overrides if o.area)])


def _fixture(cue: LightingInstruction, fixture_id: str, kb: KnowledgeBase) -> float:
    return fixture_looks(cue, kb.rig)[fixture_id].level


def _specials(cue: LightingInstruction, kb: KnowledgeBase) -> float:
    return sum(look.level for fid, look in fixture_looks(cue, kb.rig).items() if fid.startswith("sp_"))


def _seen_change(before: LightingInstruction, after: LightingInstruction, kb: KnowledgeBase) -> bool:
    """What the audience sees: a fixture moving by the visible threshold, a lit fixture changing colour, an effect."""
    threshold = cue_design().visible_change
    old, new = fixture_looks(before, kb.rig), fixture_looks(after, kb.rig)
    for fixture_id, look in new.items():
        was = old[fixture_id]
        if abs(look.level - was.level) >= threshold - 1e-9:
            return True
        if min(look.level, was.level) > 0.02 and look.colour != was.colour:
            return True
    effects = {g.group_id: g.parameters.effect and g.parameters.effect.type for g in before.groups}
    return any((g.parameters.effect and g.parameters.effect.type) != effects.get(g.group_id) for g in after.groups)


def _plan(engine: LightingDecisionEngine, kb: KnowledgeBase, text: str, name: str = "crafted.txt") -> tuple[list, list]:
    scenes = parse_text(text, name=name).scenes
    return scenes, engine.plan(scenes, _knowledge(scenes, kb))


# 1. A cue only where the stage changes for a reason in the text


def test_no_cue_inside_a_scene_changes_nothing_the_audience_sees(plays, kb):
    """Follows too: a thunder in a storm whose lightning is already running is no flash, so no "back from" it."""
    checked = follows = 0
    for name, (_, plan) in plays.items():
        for before, cue in zip(plan, plan[1:], strict=False):
            if cue.called_on.kind in (*INSIDE, "follow") and cue.scene_id == before.scene_id:
                checked += 1
                follows += cue.called_on.kind == "follow"
                assert _seen_change(before, cue, kb), (name, cue.cue_number, cue.label)
    assert checked >= 100 and follows >= 10


def test_no_cue_from_an_emotion_beat_a_speech_lean_or_an_offstage_sound(plays, shared_data):
    for name, (_, plan) in plays.items():
        for cue in plan:
            assert not re.match(r"(Beat|Speech|Entrance|Music):", cue.label), (name, cue.label)
            trigger = cue.called_on
            if trigger.kind == "direction" and re.fullmatch(r"[^.]*\bwithin\b[^.]*\.?", trigger.text or "", re.I):
                pytest.fail(f"{name}: a cue on a sound offstage: {cue.label}")
    scenes, plan = plays["macbeth"]
    lines = {c.called_on.script_line for c in plan if c.called_on.kind in INSIDE}
    text = (shared_data / "scripts" / "plays" / "macbeth.txt").read_text(encoding="utf-8").split("\n")
    for words in ("[A cry of women within.]", "Whence is that knocking?", "Out, out, brief candle!", "Their candles are all out"):
        line = next(i for i, row in enumerate(text, 1) if words in row)
        assert not any(abs(line - other) <= 1 for other in lines), words


def test_two_moments_on_one_line_are_one_cue_and_a_restore_is_labelled(plays):
    for name, (_, plan) in plays.items():
        inside = [c for c in plan if c.called_on.kind in INSIDE]
        lines = [(c.scene_id, c.called_on.script_line) for c in inside]
        assert len(lines) == len(set(lines)), name
    restores = [(c, plan) for _, (_, plan) in plays.items() for c in plan if c.label.startswith("Restore:")]
    assert restores
    for cue, plan in restores:  # someone comes or goes, a ghost goes, one aloft comes down: called on what happens
        if cue.called_on.kind == "line":  # or the dialogue resumes after a dance
            before = [c for c in plan if c.scene_id == cue.scene_id and c.called_on.kind in INSIDE]
            danced = before[before.index(cue) - 1]
            assert re.search(r"\bdanc", f"{danced.label} {danced.called_on.text}", re.I), cue.label
            continue
        assert cue.called_on.kind == "direction", cue.label


# 2. Cue states, not increments


def test_entrances_do_not_ratchet_and_the_stage_returns_with_its_population(engine, kb):
    text = """SCENE I. A hall in the palace. Day.

[Enter ANNA, BEN, CARL, DORA, and Attendants.]

ANNA.
The court is full, and the day is bright.

BEN.
Full, and loud with it.

[Exeunt all but ANNA and BEN.]

ANNA.
Now we are two, and may speak plainly.
I have a thing to tell you, Ben, that no one
In all this court must hear. Come closer, then.

BEN.
I am close enough. Say it.

[Re-enter CARL, DORA, and Attendants.]

CARL.
The king is coming.

[Enter ELLA.]

ELLA.
And I with him.

[Enter FRED.]

FRED.
And I.

DORA.
Then we are all here again.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    opening = cues[0]
    narrow = next(c for c in cues if c.label.startswith("Narrows"))
    areas = [o.intensity for o in _group(narrow, "front_wash").overrides if o.area]
    assert areas and min(areas) < _key(opening)  # the stage narrows to the two
    restore = next(c for c in cues if c.label.startswith("Restore"))
    assert "Re-enter CARL" in (restore.called_on.text or "")
    for a, b in zip(opening.groups, restore.groups, strict=True):  # the same state as the opening, not a lift
        assert a.parameters.intensity == pytest.approx(b.parameters.intensity) and a.parameters.color == b.parameters.color
    assert not any("ELLA" in (c.called_on.text or "") or "FRED" in (c.called_on.text or "") for c in cues)
    assert max(_key(c) for c in cues) <= _key(opening)


def test_a_second_death_does_not_multiply_the_first(plays):
    scenes, plan = plays["julius_caesar"]
    field = _scene(scenes, 5, r"SCENE III\b")
    deaths = [c for c in _of(plan, field) if c.label.startswith("Death")]
    assert len(deaths) == 2  # Cassius, then Titinius
    first, second = deaths
    for a, b in zip(first.groups, second.groups, strict=True):
        assert a.parameters.intensity == pytest.approx(b.parameters.intensity), a.group_id
    assert _key(second) >= 0.5 * _key(_of(plan, field)[0])  # a contraction, not darkness
    for _, (_, plan) in plays.items():  # and no stacking anywhere: a death is the same target however many
        for index, cue in enumerate(plan):
            if cue.label.startswith("Death"):  # against the scene's base at that time (a dusk may have come on)
                bases = [
                    c
                    for c in plan[:index]
                    if c.scene_id == cue.scene_id and (c.called_on.kind == "scene_start" or c.label.startswith("Time"))
                ]
                assert _key(cue) >= 0.6 * _key(bases[-1]) - 1e-6, cue.label


def test_no_special_stays_on_after_its_vanish_or_exit(plays, kb):
    scenes, plan = plays["julius_caesar"]
    tent = _scene(scenes, 4, r"SCENE III\b")
    cues = _of(plan, tent)
    taper = next(c for c in cues if "taper" in (c.called_on.text or ""))
    ghost = next(c for c in cues if c.label.startswith("Apparition"))
    gone = next(c for c in cues if "Ghost vanishes" in (c.called_on.text or ""))
    assert _fixture(ghost, "sp_usc_profile", kb) > 0 and _fixture(ghost, "sp_mover", kb) > 0  # a taper and a ghost at once
    assert _fixture(ghost, "sp_mover", kb) < _fixture(taper, "sp_mover", kb)  # the taper gutters as the ghost comes
    for cue in cues[cues.index(gone) :]:
        assert _fixture(cue, "sp_usc_profile", kb) == 0, cue.label  # the ghost's special goes with the ghost
    before = cues[cues.index(ghost) - 1]  # the taper as it was when the ghost came (Lucius asleep, the stage low)
    assert _fixture(gone, "sp_mover", kb) >= _fixture(before, "sp_mover", kb) - 1e-9  # and it comes back (they wake)
    scenes, plan = plays["macbeth"]
    cave = _scene(scenes, 4, r"SCENE I\b")
    cues = _of(plan, cave)
    rises = [c for c in cues if c.label.startswith("Apparition")]
    descends = [c for c in cues if (c.called_on.text or "").startswith("Descends")]
    assert len(rises) >= 3 and len(descends) == 3
    for up, down in zip(rises, descends, strict=False):
        assert _specials(down, kb) < _specials(up, kb)  # each apparition's special goes as it descends


def test_the_key_ceiling_holds_after_every_cue(plays):
    ceiling = design_settings().key_ceiling
    for name, (_, plan) in plays.items():
        for cue in plan:
            if cue.called_on.moment != "curtain_call":
                assert _key(cue) <= ceiling + 1e-9, (name, cue.label)


# 4. Light the dialogue names, and directions read by their action


def test_light_named_in_the_dialogue_is_cued_where_it_is_spoken(engine, kb):
    text = """SCENE I. A room. Night.

[Enter ANNA and BEN.]

ANNA.
I dreamt to-night the house was all on fire,
And would that it had burned. Like twenty torches
Were the windows then.

BEN.
Bear you the lanthorn, Anna; it is dark.

ANNA.
So, we have light. Now to the window, quick.
Speak low, and tell me what you saw.

BEN.
Nothing, and nothing more. Put out the light,
The watch is coming.

ANNA.
Then we are in the dark, and there we stay.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = [c for c in _of(plan, scenes[0]) if c.called_on.kind == "line"]
    said = [c.called_on.text or "" for c in cues]
    assert any("lanthorn" in s for s in said) and any("Put out the light" in s for s in said), said
    assert not any("dreamt" in s or "torches" in s for s in said)  # a past dream and a simile are not on stage
    lantern = next(c for c in cues if "lanthorn" in (c.called_on.text or ""))
    out = next(c for c in cues if "Put out" in (c.called_on.text or ""))
    assert _group(lantern, "specials").parameters.intensity > 0 and _group(out, "specials").parameters.intensity == 0


def test_a_swoon_is_not_a_death_and_a_waking_is_not_a_dawn(plays, kb):
    scenes, plan = plays["much_ado_about_nothing"]
    church = _scene(scenes, 4, r"scene (?:1|I)\b")
    cues = _of(plan, church)
    swoon = next(c for c in cues if "swoons" in (c.called_on.text or ""))
    assert swoon.label.startswith("Swoon") and not any(c.label.startswith("Death") for c in plan)
    special = _group(swoon, "specials")
    assert special.parameters.intensity > 0 and kb.colour(special.parameters.color).kelvin < 5000  # warm on her, not cold
    after = cues[cues.index(swoon) + 1 :]
    gone = next(c for c in after if "HERO" in (c.called_on.text or "") and c.called_on.kind == "direction")
    assert _group(gone, "specials").parameters.intensity == 0 or _fixture(gone, "sp_dc_profile", kb) == 0
    for _, (scenes, plan) in plays.items():  # a waking takes back the sleepers' darker state, never more: not a dawn
        asleep = {s.scene_id for s in scenes if re.search(r"\basleep\b", s.heading or "", re.I)}  # (opens asleep)
        for cue in plan:
            if cue.scene_id in asleep:
                continue
            if cue.called_on.kind == "direction" and re.search(r"\b(wak|awak)", cue.called_on.text or "", re.I):
                opening = next(c for c in plan if c.scene_id == cue.scene_id and c.called_on.kind == "scene_start")
                assert cue.label.startswith("Restore") and _key(cue) <= _key(opening) + 1e-9, cue.label
    assert [a.action for a in read_direction("HERO swoons.")] == ["swoon"]
    assert [a.action for a in read_direction("Lies down and sleeps.")] == ["sleep"]


def test_descends_is_not_an_apparition(plays, kb):
    assert "apparition" not in [a.action for a in read_direction("Pindarus descends.")]
    scenes, plan = plays["julius_caesar"]
    hill = _scene(scenes, 5, r"SCENE III\b")
    for cue in _of(plan, hill):
        assert not cue.label.startswith("Apparition"), cue.label
        if "descends" in (cue.called_on.text or ""):
            assert cue.label.startswith("Restore") and _fixture(cue, "sp_usc_profile", kb) == 0  # he comes down off the hill
            assert all(g.parameters.color != palettes().accents["supernatural"] for g in cue.groups)


def test_exeunt_with_a_train_or_a_flourish_is_an_exit(plays):
    trains = ("Exeunt THESEUS, HIPPOLYTA, EGEUS, DEMETRIUS, and Train.", "Flourish. Exeunt.", "Exeunt Caesar and his Train.")
    for direction in trains:
        actions = [a.action for a in read_direction(direction)]
        assert "exit" in actions and "enter" not in actions, direction
    scenes, plan = plays["midsummer_nights_dream"]
    court = _scene(scenes, 1, r"SCENE I\b")
    cues = _of(plan, court)
    leave = next(c for c in cues if "and Train" in (c.called_on.text or ""))
    assert leave.label.startswith("Narrows") and _key(leave) <= _key(cues[0])  # the stage narrows as the court goes


def test_a_death_inside_the_play_within_the_play_is_comic(plays):
    scenes, plan = plays["midsummer_nights_dream"]
    palace = _scene(scenes, 5, r"SCENE I\b")
    cues = _of(plan, palace)
    assert any(c.label.startswith("The play") for c in cues)
    deaths = [c for c in cues if (c.called_on.text or "").startswith("Dies")]
    assert deaths and all(c.label.startswith("Comic death") for c in deaths)
    opening = cues[0]
    assert all(_key(c) >= 0.8 * _key(opening) for c in deaths)  # a comic death does not darken the court


def test_a_soliloquy_is_isolated_whatever_the_typography_of_speaker_names(plays, kb):
    scenes, plan = plays["as_you_like_it_folio"]
    speakers = {s.speaker for scene in scenes for s in find_speeches(scene.text)}
    assert {"Orl", "Ros", "Cel"} <= speakers  # the Folio's abbreviations are speakers
    forest = next(s for s in scenes if "Hang there my verse" in s.text)
    cues = _of(plan, forest)
    opening = cues[0]  # Orlando alone at the top of the scene, hanging his verses
    front = _group(opening, "front_wash")
    assert front.overrides and min(o.intensity for o in front.overrides if o.area) < front.parameters.intensity
    assert _group(opening, "specials").parameters.intensity > 0
    assert any(c.label.startswith("Restore") for c in cues[1:])  # and the stage opens out when he goes
    scenes, plan = plays["macbeth"]
    dagger = next(c for c in plan if c.label.startswith("Alone") and "dagger" in c.label)
    assert dagger.called_on.kind == "line"


def test_a_short_soliloquy_is_isolated_and_a_step_outside_is_not(engine, kb):
    ordinals = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")
    verse = "\n".join(f"This is the {n} line of a short soliloquy spoken alone." for n in ordinals)
    text = f"""SCENE I. A garden.

[Enter ANNA and BEN.]

ANNA.
Go, Ben, and fetch my cloak.

BEN.
I go.

[Exit BEN.]

ANNA.
{verse}

[Enter CARL.]

CARL.
Madam.

ANNA.
Stay here a moment.

[Exit CARL.]

ANNA.
Gone for a breath.

[Re-enter CARL.]

CARL.
I am back.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    alone = [c for c in cues if c.label.startswith("Alone")]
    assert len(alone) == 1 and "ANNA" in (alone[0].called_on.text or "")  # seven lines alone: a soliloquy
    assert any(c.label.startswith("Restore") and "CARL" in (c.called_on.text or "") for c in cues)


# 6. Fades by moment, and the cue for a time change


def test_fades_by_moment_a_bump_for_a_shot_and_a_snap_for_a_blackout(engine, kb):
    text = """SCENE I. A yard. Night.

[Enter ANNA and BEN.]

ANNA.
Who goes there? Stand, or I fire.

[A pistol shot.]

BEN.
Missed me. Now run, the house is waking.

ANNA.
I will not run from you.

BEN.
Then stay, and take the dark.

[Blackout.]

ANNA.
Where are you? I cannot see my hand.

BEN.
Here, and gone again.

[Lights up.]

ANNA.
Gone indeed.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    shot = next(c for c in cues if c.label.startswith("Shot"))
    assert {(g.transition.type, g.transition.duration) for g in shot.groups} == {("cut", 0.0)}
    assert cues[cues.index(shot) + 1].called_on.kind == "follow"
    black = next(c for c in cues if c.label.startswith("Blackout"))
    assert max(g.parameters.intensity for g in black.groups) == 0 and black.groups[0].transition.duration == 0
    back = cues[cues.index(black) + 1]
    assert back.label.startswith("Restore") and "Lights up" in (back.called_on.text or "")
    assert _key(back) == pytest.approx(_key(cues[0]))


def test_a_time_change_inside_a_scene_is_its_own_cue_led_by_the_cyc(plays, engine, kb):
    scenes, _ = plays["julius_caesar"]
    orchard = _scene(scenes, 2, r"SCENE I\b")
    east = orchard.text.index("Here lies the east")
    morning = orchard.text.index("The morning comes upon")
    changed = orchard.model_copy(
        update={
            "time_changes": [
                TimeChange(start_char=east, to="dawn", evidence="Here lies the east: doth not the day break here?"),
                TimeChange(start_char=morning, to="morning", evidence="The morning comes upon 's."),
            ]
        }
    )
    cues = engine.cues(changed, retrieve(changed, kb, ScenePosition(3, 18)))
    times = [c for c in cues if c.label.startswith("Time")]
    assert [c.called_on.char_offset for c in times] == [east, morning]
    dawn, day = times
    for cue in times:
        cyc = _group(cue, "ambient").transition
        front = _group(cue, "front_wash").transition
        assert cyc.duration >= 45 and cyc.delay == 0 and front.delay > 0  # a long fade, the cyc first
    assert _group(dawn, "ambient").transition.duration > _group(day, "ambient").transition.duration  # dawn builds slowest
    night = cues[0]
    assert _key(night) < _key(dawn) < _key(day)


# Bad input stays clean


@pytest.mark.parametrize(
    "text",
    [
        "",  # a scene with no text
        "[]",  # a direction with no words
        "[Enter ANNA.]\n\n[Thunder.]\n\n[Exit ANNA.]\n\n[Enter BEN, with a torch.]\n\n[Exeunt.]\n",  # nothing but directions
        "SCENE I.\n\n[Enter ANNA.]\n\nANNA.\nAlone.\n\n[Exit.\n",  # a bracket never closed at the end
    ],
)
def test_bad_input_stays_clean(engine, kb, text):
    scene = Scene(scene_id="scene_001", script_type="raw_drama", time_window={"start": 0, "end": 60}, text=text)
    plan = engine.plan([scene], _knowledge([scene], kb))
    for cue in plan:
        assert LightingInstruction.model_validate_json(cue.model_dump_json()) == cue
    assert plan[0].called_on.moment == "preset" and plan[-1].called_on.moment == "house_up"


def test_the_stage_vocabulary_is_data_and_a_broken_file_says_so(tmp_path, monkeypatch):
    vocabulary = stage_vocabulary()
    assert vocabulary.alone_min_lines >= 1 and vocabulary.actions
    from phases.decision import settings, stage_data

    bad = tmp_path / "stage.yaml"
    bad.write_text((settings.DATA / "stage.yaml").read_text().replace("alone_min_lines: ", "alone_min_lines: -"))
    monkeypatch.setattr(stage_data, "DATA", tmp_path)
    stage_data.stage_vocabulary.cache_clear()
    try:
        with pytest.raises(DecisionDataError, match=r"stage\.yaml: field alone_min_lines"):
            stage_data.stage_vocabulary()
    finally:
        stage_data.stage_vocabulary.cache_clear()


WORDS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth")
SOLILOQUY = "\n".join(f"{w} words of a soliloquy spoken alone, the stage his own." for w in WORDS)
LAYOUTS = {
    "capitals alone": ("HAMLET.\n{line}", "HORATIO.\n{line}", "OSRIC.\n{line}"),
    "capitals, no stop": ("HAMLET\n{line}", "HORATIO\n{line}", "OSRIC\n{line}"),
    "abbreviated alone": ("Ham.\n{line}", "Hor.\n{line}", "Osr.\n{line}"),
    "Folio, indented": ("  Ham. {line}", "  Hor. {line}", "  Osr. {line}"),
    "abbreviated at the margin": ("Ham. {line}", "Hor. {line}", "Osr. {line}"),
    "capitals before the words": ("HAMLET  {line}", "HORATIO  {line}", "OSRIC  {line}"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_soliloquy_is_found_in_every_typography_of_speaker_names(engine, kb, layout):
    ham, hor, osr = LAYOUTS[layout]
    speech = [ham.format(line="Horatio, what news?"), hor.format(line="None, my lord."), ham.format(line="Then go.")]
    speech += [hor.format(line="I go, my lord."), ham.format(line="Farewell.")]
    text = "SCENE II. A room in the castle.\n\n[Enter HAMLET and HORATIO.]\n\n" + "\n\n".join(speech)
    text += "\n\n[Exit HORATIO.]\n\n" + ham.format(line=SOLILOQUY) + "\n\n[Enter OSRIC.]\n\n"
    text += "\n\n".join([osr.format(line="My lord!"), ham.format(line="Osric?"), osr.format(line="The king, my lord.")]) + "\n"
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    alone = [c for c in cues if c.label.startswith("Alone")]
    assert len(alone) == 1 and "First words" in alone[0].label, [c.label for c in cues]
    assert _group(alone[0], "specials").parameters.intensity > 0
    assert any(c.label.startswith("Restore") and "OSRIC" in (c.called_on.text or "") for c in cues)


def test_deaths_one_after_another_are_each_seen_and_a_stab_then_dies_is_one(engine, kb):
    text = """SCENE II. A hall in the castle.

[Enter KING, QUEEN, HAMLET, LAERTES, and Lords.]

QUEEN.
The drink, the drink! I am poison'd.

[Dies.]

HAMLET.
O villainy! Treachery! Seek it out.

LAERTES.
It is here, Hamlet: Hamlet, thou art slain.
The king, the king's to blame.

HAMLET.
Then, venom, to thy work.

[Stabs the KING.]

KING.
O, yet defend me, friends; I am but hurt.

[Dies.]

LAERTES.
He is justly served. Exchange forgiveness with me, noble Hamlet.
Mine and my father's death come not upon thee.

[Dies.]

HAMLET.
Heaven make thee free of it! I follow thee.
I am dead, Horatio. Wretched queen, adieu!
You that look pale and tremble at this chance,
That are but mutes or audience to this act,
Had I but time, as this fell sergeant, death,
Is strict in his arrest, O, I could tell you.
The rest is silence.

[Dies.]

HORATIO.
Now cracks a noble heart.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    deaths = [c for c in cues if c.label.startswith("Death")]
    assert [d.called_on.text for d in deaths] == ["Dies.", "Stabs the KING.", "Dies.", "Dies."]  # the King's "Dies" is his stab
    for death in deaths[1:]:  # each death the same contraction, none darker than the first
        assert [g.parameters.intensity for g in death.groups] == [g.parameters.intensity for g in deaths[0].groups]
    for death in deaths:  # and each is seen: it follows the settled state of the death before
        assert _seen_change(cues[cues.index(death) - 1], death, kb)


def test_directions_bracketed_for_some_and_a_paragraph_of_their_own_for_others(engine, kb):
    text = """SCENE I. Elsinore. A platform before the Castle.

 Enter Francisco and Barnardo, two sentinels.

BARNARDO.
Who's there?

FRANCISCO.
Nay, answer me. Stand and unfold yourself.

BARNARDO.
Long live the King!

 Enter Ghost.

MARCELLUS.
Peace, break thee off; look where it comes again!

BARNARDO.
In the same figure, like the King that's dead.

MARCELLUS.
Speak to it, Horatio. It is offended.

 [_Exit Ghost._]

BARNARDO.
See, it stalks away.

MARCELLUS.
'Tis gone, and will not answer.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    ghost = next(c for c in cues if c.label.startswith("Apparition"))
    gone = next(c for c in cues if "Exit Ghost" in (c.called_on.text or ""))
    assert "Enter Ghost" in (ghost.called_on.text or "") and _fixture(ghost, "sp_usc_profile", kb) > 0
    assert gone.label.startswith("Restore") and _fixture(gone, "sp_usc_profile", kb) == 0


def test_the_cue_design_is_data_and_a_state_without_its_values_says_so(tmp_path, monkeypatch):
    from phases.decision import cue_design as module
    from phases.decision import settings

    design = cue_design()
    assert design.visible_change > 0 and design.kinds["death"].fade >= 0 and design.states["death"].pool
    death = "  death: {key: 0.75, surround: 0.55, pool: 0.85}"
    broken = (settings.DATA / "cues.yaml").read_text().replace(death, "  death: {key: 0.75}")
    (tmp_path / "cues.yaml").write_text(broken)
    monkeypatch.setattr(module, "DATA", tmp_path)
    module.cue_design.cache_clear()
    try:
        with pytest.raises(DecisionDataError, match=r"cues\.yaml: field states\.death: surround, pool required"):
            module.cue_design()
    finally:
        module.cue_design.cache_clear()
