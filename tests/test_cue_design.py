"""Phase 4 designs a cue list a lighting designer would take into tech: on the real plays in ../shared/data."""

import dataclasses
import re
from pathlib import Path

import pytest

from phases.contracts import Emotion, LightingInstruction, Rig, Scene, SceneKnowledge
from phases.decision import LightingDecisionEngine, engine_settings
from phases.decision.design_data import direction_rules, palettes
from phases.decision.look_data import look_data
from phases.decision.scene_reading import read_scene
from phases.emotion import detect_emotion
from phases.knowledge import KnowledgeBase, ScenePosition, retrieve
from phases.parsing import parse_file, parse_text

SATURATED = {"primary_red", "primary_green", "dark_magenta", "lime_green", "flame_red", "congo_blue"}
SEVERAL_ACTS_PLAY = """THE TWO HOUSES

ACT I.

SCENE I. A street. Day.

[Enter ANNA and BEN.]

ANNA.
The sun is high and the market loud.
Come, Ben, we are late for the fair.

BEN.
Late again, and the whole town waiting.

[Exeunt.]

ACT II.

SCENE I. A garden. Night.

[Enter ANNA, with a torch.]

ANNA.
The night is cold and the house asleep.

[Exit.]
"""


def _knowledge(scenes: list[Scene], kb: KnowledgeBase, genre: str | None = None) -> list[SceneKnowledge]:
    return [retrieve(s, kb, ScenePosition(i, len(scenes)), genre=genre) for i, s in enumerate(scenes)]


def _scenes(path: Path) -> list[Scene]:
    return [s.model_copy(update={"emotion": detect_emotion(s)}) for s in parse_file(path).scenes]


@pytest.fixture(scope="module")
def plays(shared_data: Path, engine: LightingDecisionEngine, kb: KnowledgeBase) -> dict[str, tuple[list[Scene], list]]:
    found = sorted((shared_data / "scripts" / "plays").glob("*.txt"))
    assert len(found) >= 8, "the eight dev plays are missing"
    result = {}
    for path in found:
        scenes = _scenes(path)
        result[path.stem] = (scenes, engine.plan(scenes, _knowledge(scenes, kb)))
    return result


def _level(cue: LightingInstruction, group_id: str) -> float:
    return next(g.parameters.intensity for g in cue.groups if g.group_id == group_id)


def _group(cue: LightingInstruction, group_id: str):
    return next(g for g in cue.groups if g.group_id == group_id)


def _moments(plan: list[LightingInstruction]) -> list[str]:
    return [c.called_on.moment for c in plan if c.called_on.kind == "structure"]  # type: ignore[misc]


def _dark(cue: LightingInstruction) -> bool:
    return max(g.parameters.intensity for g in cue.groups) <= 0.02


def _light(scene: Scene) -> str:
    """Night or day: Phase 1's reading (the one reader of time); "?" when it read none."""
    time = scene.time_of_day
    return "night" if time in ("night", "midnight", "evening") else "day" if time in ("morning", "day", "afternoon") else "?"


# A cue list, with the show's structure


def test_full_length_plays_get_a_real_cue_list(plays):
    for name, (scenes, plan) in plays.items():
        assert len(scenes) + 6 <= len(plan) <= 150, (name, len(plan))  # every scene, the show's structure, its moments
        inside = [c for c in plan if c.called_on.kind in ("direction", "line")]
        assert 1 <= len(inside) <= 4 * len(scenes), (name, len(inside))  # cues where the text calls for them, no more
        numbers = [c.cue_number for c in plan]
        assert numbers == sorted(set(numbers)) and all(n == int(n) for n in numbers), name  # whole, in show order
        starts = [c.time_window.start for c in plan]
        assert starts == sorted(starts), name
        for before, after in zip(plan, plan[1:], strict=False):
            assert before.time_window.end == pytest.approx(after.time_window.start), (name, before.cue_number)


def test_cues_inside_scenes_are_called_on_the_text_at_their_place(plays):
    for name, (scenes, plan) in plays.items():
        text = {s.scene_id: s for s in scenes}
        for cue in plan:
            trigger = cue.called_on
            if trigger.kind not in ("direction", "line") or (cue.metadata and cue.metadata.notes):
                continue  # (a scene change goes a little before its Exeunt, so that its fade plays)
            scene = text[cue.scene_id]
            assert trigger.char_offset is not None and trigger.script_line is not None
            window = scene.time_window
            share = trigger.char_offset / len(scene.text)
            assert window.start <= cue.time_window.start <= window.end, (name, cue.label)
            assert cue.time_window.start >= window.start + share * window.duration - 1e-6 or trigger.kind == "line"
            first_word = re.findall(r"[\w']+", trigger.text or "")[0]
            assert first_word in scene.text[trigger.char_offset : trigger.char_offset + 200], (name, cue.label)


def test_show_structure_cues_come_in_order_and_every_play_ends_dark(plays):
    for name, (scenes, plan) in plays.items():
        moments = _moments(plan)
        assert moments[:3] == ["preset", "house_half", "house_out"], name
        assert moments[-3:] == ["final_blackout", "curtain_call", "house_up"], name
        assert plan[0].called_on.moment == "preset" and plan[-1].called_on.moment == "house_up"
        acts = {s.act for s in scenes if s.act}
        assert moments.count("act_end") == len(acts) - 1, (name, acts)
        assert moments.count("interval") == (1 if len(acts) > 1 else 0), name
        final = next(i for i, c in enumerate(plan) if c.called_on.moment == "final_blackout")
        assert _dark(plan[final]) and plan[final + 1].called_on.moment == "curtain_call"
        assert _group(plan[final], "front_wash").transition.duration >= 15  # endings fade long
        for cue in plan:
            if cue.called_on.moment == "act_end":
                assert _dark(cue)


def test_the_interval_sits_at_the_act_break_nearest_the_middle(plays):
    scenes, plan = plays["macbeth"]
    ends = [c for c in plan if c.called_on.moment == "act_end"]
    interval = next(c for c in plan if c.called_on.moment == "interval")
    middle = plan[0].time_window.start + (scenes[-1].time_window.end - scenes[0].time_window.start) / 2
    nearest = min(ends, key=lambda c: abs(c.time_window.end - middle))
    assert interval.time_window.start == pytest.approx(nearest.time_window.end)


def test_a_short_play_gets_far_fewer_cues(engine, kb, shared_data):
    scenes = _scenes(Path(__file__).resolve().parent.parent / "examples" / "the_keepers_light.txt")
    plan = engine.plan(scenes, _knowledge(scenes, kb))
    assert len(plan) < 40 and _moments(plan)[-3:] == ["final_blackout", "curtain_call", "house_up"]


# Levels a designer would keep


def test_night_scenes_are_darker_than_day_scenes(plays):
    compared = 0
    for name, (scenes, plan) in plays.items():
        light = {s.scene_id: _light(s) for s in scenes}
        keys: dict[str, list[float]] = {"night": [], "day": []}
        for cue in plan:
            if cue.called_on.kind == "scene_start" and light[cue.scene_id] in keys:
                keys[light[cue.scene_id]].append(_level(cue, "front_wash"))
        if keys["night"] and keys["day"]:
            compared += 1
            night, day = (sum(v) / len(v) for v in (keys["night"], keys["day"]))
            assert night < day - 0.15, (name, night, day)
            assert all(k >= 0.1 for k in keys["night"]), name  # faces still readable
    assert compared >= 3


def test_night_reads_as_night_cool_with_motivated_sources(plays, kb):
    scenes, plan = plays["macbeth"]
    # A feast at night is warm with its practicals, not moonlight (Macbeth III.4's banquet): the rest of the night
    # scenes have moonlight from behind.
    by_id = {s.scene_id: s for s in scenes}
    night = [
        c
        for c in plan
        if c.called_on.kind == "scene_start"
        and _light(by_id[c.scene_id]) == "night"
        and read_scene(by_id[c.scene_id], direction_rules()).moment != "feast"
    ]
    assert night
    for cue in night:
        back = kb.colour(_group(cue, "back_light").parameters.color)
        assert back.kelvin is not None and back.kelvin >= 7500, cue.label  # moonlight from behind
    torch = next(c for c in plan if c.metadata and any("torches" in h.lower() for h in c.metadata.honoured_cues))
    assert _level(torch, "specials") > 0 and _group(torch, "specials").parameters.color in {"medium_amber", "deep_golden_amber"}


def test_the_front_wash_is_the_brightest_group_in_most_lit_cues(plays):
    for name, (_, plan) in plays.items():
        lit = [c for c in plan if not _dark(c)]
        keyed = [c for c in lit if _level(c, "front_wash") >= max(g.parameters.intensity for g in c.groups)]
        assert len(keyed) >= 0.6 * len(lit), (name, len(keyed), len(lit))


def test_levels_use_the_range(plays):
    for name, (scenes, plan) in plays.items():
        keys = [_level(c, "front_wash") for c in plan if c.called_on.kind == "scene_start" and not _dark(c)]
        assert max(keys) >= 0.75, (name, max(keys))  # a full stage somewhere in the play
        if {"night", "day"} <= {_light(s) for s in scenes}:  # night and day both read: purposeful contrast
            assert max(keys) - min(keys) >= 0.3, (name, min(keys), max(keys))


def test_the_tempest_storm_is_a_state_for_the_whole_scene(plays):
    scenes, plan = plays["tempest"]
    storm = [c for c in plan if c.scene_id == scenes[0].scene_id and not _dark(c) and c.called_on.kind != "structure"]
    playing = [c for c in storm if c.metadata is None or not any("scene change" in n for n in c.metadata.notes)]
    assert playing
    for cue in playing:
        effect = _group(cue, "back_light").parameters.effect
        assert effect is not None and effect.type == "lightning" and effect.duration is None, cue.label
    assert _group(playing[0], "front_wash").transition.type == "cut"  # the storm bumps in


def test_macbeth_sleepwalking_is_near_dark_with_a_taper_special(plays):
    scenes, plan = plays["macbeth"]
    scene = next(s for s in scenes if s.act == 5 and "taper" in s.text.lower())
    opening = next(c for c in plan if c.scene_id == scene.scene_id and c.called_on.kind == "scene_start")
    assert _level(opening, "specials") == 0  # the taper is not there until she brings it
    taper = next(c for c in plan if c.scene_id == scene.scene_id and "taper" in (c.called_on.text or ""))
    assert taper.called_on.kind == "direction" and _level(taper, "front_wash") <= 0.2
    special = _group(taper, "specials")
    assert special.parameters.intensity >= 0.5 and special.parameters.color in {"medium_amber", "deep_golden_amber"}


def test_soliloquy_isolation_only_when_a_character_is_left_alone(plays):
    total_scenes = sum(len(s) for s, _ in plays.values())
    alone = [(name, c) for name, (_, plan) in plays.items() for c in plan if c.label.startswith("Alone")]
    # short soliloquies count too, and the Folio's and the corpse's and the train's: a play has a few, never one a scene
    assert alone and len(alone) < 0.25 * total_scenes
    scenes, plan = plays["macbeth"]
    dagger = next(c for c in plan if c.label.startswith("Alone") and c.scene_id == "scene_008")
    assert "MACBETH" in (dagger.called_on.text or "")
    over = {a.area: a.intensity for a in _group(dagger, "front_wash").overrides if a.area}
    assert over and max(over.values()) < _level(dagger, "front_wash")  # the other areas fall away
    assert _level(dagger, "specials") > _level(dagger, "back_light")


def test_mccandless_pairs_use_per_fixture_levels(plays, kb):
    _, plan = plays["much_ado_about_nothing"]
    lit = next(c for c in plan if c.called_on.kind == "scene_start" and not _dark(c))
    front = _group(lit, "front_wash")
    pair = [a for a in front.overrides if a.fixture_id]
    assert pair and all(a.color and a.color != front.parameters.color for a in pair)
    assert {f.fixture_id for f in kb.rig.fixtures_in("front_wash")} >= {a.fixture_id for a in pair}


# A production palette


def test_a_small_palette_per_production_with_saturation_only_where_the_text_calls(plays, kb):
    for name, (_, plan) in plays.items():
        fixed = {f.group_id for f in kb.rig.fixtures if f.fixed_color}
        colours = {
            g.parameters.color for c in plan for g in c.groups if g.parameters.intensity > 0.02 and g.group_id not in fixed
        }
        assert len(colours - SATURATED - {"cool_white", "deep_golden_amber"}) <= 6, (name, colours)
        for cue in plan:
            if any(g.parameters.color in SATURATED and g.parameters.intensity > 0.02 for g in cue.groups):
                why = f"{cue.label} {cue.metadata.reasoning if cue.metadata else ''}".lower()
                assert re.search(
                    r"apparition|supernatural|death|alarum|blood|ghost|light|storm|beat|speech|alone|entrance|music|darker|brighter|narrows|change",
                    why,
                ), (name, cue.label)


def test_a_weak_emotion_reading_does_not_colour_a_quiet_scene(engine, kb, plays):
    scenes, _ = plays["macbeth"]
    quiet = next(s for s in scenes if (s.heading or "").startswith("SCENE VI. Forres"))
    looks = []
    for label in ("anger", "confusion", None):
        emotion = Emotion(primary=label, primary_confidence=0.2, valence=-0.6, arousal=0.8, method="test") if label else None
        scene = quiet.model_copy(update={"emotion": emotion})
        looks.append(engine.decide(scene, retrieve(scene, kb, ScenePosition(14, 26))))
    for look in looks:
        colours = {g.parameters.color for g in look.groups}
        assert not colours & {"flame_red", "primary_red", "lime_green", "lavender"}, colours
    assert [g.model_dump() for g in looks[0].groups] == [g.model_dump() for g in looks[2].groups]


def test_comedy_moves_a_comedy_brighter_and_warmer(engine, kb, plays):
    scenes, _ = plays["much_ado_about_nothing"]
    assert scenes[0].genre == "comedy"  # read from the play: the production's genre is set here to compare
    plain = engine.plan(scenes, _knowledge(scenes, kb, genre="tragedy"))
    comedy = engine.plan(scenes, _knowledge(scenes, kb, genre="comedy"))

    def mean_key(plan: list[LightingInstruction]) -> float:
        keys = [_level(c, "front_wash") for c in plan if c.called_on.kind == "scene_start"]
        return sum(keys) / len(keys)

    def mean_kelvin(plan: list[LightingInstruction]) -> float:
        values = [
            (g.parameters.intensity, kb.colour(g.parameters.color).kelvin or 6500)
            for c in plan
            for g in c.groups
            if g.parameters.intensity > 0.02
        ]
        return sum(i * k for i, k in values) / sum(i for i, _ in values)

    assert mean_key(comedy) >= mean_key(plain) + 0.07
    assert mean_kelvin(comedy) < mean_kelvin(plain)
    assert palettes().choose("comedy", "raw_drama").name == "comedy"


# Fade times follow the moment


def test_fades_bump_for_lightning_and_fade_long_for_endings_and_dawns(plays, engine, kb, shared_data):
    for name, (_, plan) in plays.items():
        for cue in plan:
            transition = cue.groups[0].transition
            assert transition is not None
            if cue.label.startswith("Lightning"):
                assert (transition.type, transition.duration) == ("cut", 0.0), (name, cue.label)
            elif cue.called_on.kind == "scene_start" and transition.type != "cut":
                assert 3 <= transition.duration <= 30, (name, cue.label)
    dawn = parse_text("SCENE I. A hill above the town. Dawn.\n\n[Enter ANNA.]\n\nANNA.\nThe sky grows pale.\n", name="dawn.txt")
    cues = engine.plan(dawn.scenes, _knowledge(dawn.scenes, kb))
    opening = next(c for c in cues if c.called_on.kind == "scene_start")
    assert opening.groups[0].transition.duration >= 15  # a dawn comes up slowly
    sheet = parse_file(shared_data / "cues" / "show-cues.csv").scenes
    slow_blackout = next(s for s in sheet if s.explicit_lighting[:2] == ["FADE IN SLOW", "BLACKOUT"])
    cue = engine.cues(slow_blackout, _knowledge([slow_blackout], kb)[0])[0]
    assert _dark(cue) and cue.groups[0].transition.duration >= engine_settings().speed_seconds["slow"] >= 6


def test_follows_bring_a_bump_back(plays):
    follows = [(c, plan[i - 1]) for _, (_, plan) in plays.items() for i, c in enumerate(plan) if c.called_on.kind == "follow"]
    assert follows
    for follow, cue in follows:
        assert follow.called_on.follow_wait == pytest.approx(follow.time_window.start - cue.time_window.start)
        if follow.label.startswith("Follow: back from"):
            assert cue.groups[0].transition.duration == 0  # the bump snaps in; the follow takes it back
        else:  # a death or swoon settles, a dance gives way to the stage it leaves, a scene comes up on a flash
            assert re.match(r"Follow: (the moment settles|the stage it leaves|the scene settles)", follow.label), follow.label


def test_cue_sheet_numbers_are_kept(engine, kb, shared_data):
    sheet = parse_file(shared_data / "cues" / "show-cues.csv").scenes
    plan = engine.plan(sheet, _knowledge(sheet, kb, genre="pantomime"))
    numbers = [c.cue_number for c in plan]
    assert len(plan) == len(sheet) and numbers == sorted(set(numbers))  # no house cues added to a sheet
    previous = 0.0
    for scene, number in zip(sheet, numbers, strict=True):
        match = re.match(r"LFX(\d+)", scene.heading or "")
        given = float(match.group(1)) if match else previous
        assert number == given if given > previous else previous < number < previous + 1  # LFX24-OFF: 24.1
        previous = number


# Rules speak of roles


def test_a_rig_with_other_group_names_works_by_role(kb, plays):
    rig = kb.rig.model_dump()
    names = {"front_wash": "fos", "back_light": "tops", "side_fill": "booms", "specials": "profiles", "ambient": "sky"}
    for group in rig["groups"]:
        group["group_id"] = names[group["group_id"]]
    for fixture in rig["fixtures"]:
        fixture["group_id"] = names[fixture["group_id"]]
    renamed = dataclasses.replace(kb, rig=Rig.model_validate(rig))
    engine = LightingDecisionEngine(kb=renamed)
    scenes, plan = plays["macbeth"]
    other = engine.plan(scenes, [SceneKnowledge(scene_id=s.scene_id, rules=[], fixture_ids=[], kb_version="x") for s in scenes])
    assert {g.group_id for g in other[5].groups} == set(names.values())
    lit = [c for c in other if not _dark(c)]
    assert sum(_level(c, "fos") >= max(g.parameters.intensity for g in c.groups) for c in lit) >= 0.6 * len(lit)


# Bad input still gets a valid plan


@pytest.mark.parametrize(
    "text",
    [
        "",  # a scene with no text
        "[Thunder.]",  # a direction with no words around it
        "[]\n\n[ ]\n\nANNA.\n[\n",  # empty and unclosed directions
        SEVERAL_ACTS_PLAY.replace("ACT I.\n", "").replace("ACT II.\n", ""),  # no act headings
    ],
)
def test_bad_input_still_gets_a_valid_plan(engine, kb, text):
    scene = Scene(scene_id="scene_001", script_type="raw_drama", time_window={"start": 0, "end": 120}, text=text)
    scenes = parse_text(text, name="odd.txt").scenes if text.strip() and "ANNA" in text and "SCENE" in text else [scene]
    plan = engine.plan(scenes, _knowledge(scenes, kb))
    for cue in plan:
        assert LightingInstruction.model_validate_json(cue.model_dump_json()) == cue
    assert _moments(plan)[0] == "preset" and _moments(plan)[-1] == "house_up" and "act_end" not in _moments(plan)
    assert _dark(next(c for c in plan if c.called_on.moment == "final_blackout"))


def test_a_play_with_acts_gets_an_act_end(engine, kb):
    scenes = parse_text(SEVERAL_ACTS_PLAY, name="two_houses.txt").scenes
    assert [s.act for s in scenes] == [1, 2]
    plan = engine.plan(scenes, _knowledge(scenes, kb))
    assert _moments(plan).count("act_end") == 1
    night = next(c for c in plan if c.scene_id == scenes[1].scene_id and c.called_on.kind == "scene_start")
    day = next(c for c in plan if c.scene_id == scenes[0].scene_id and c.called_on.kind == "scene_start")
    assert _level(night, "front_wash") < _level(day, "front_wash")
    assert look_data().looks["night_exterior"].key < look_data().looks["day_exterior"].key
