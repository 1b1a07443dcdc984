"""Moments read by their grammar and states that end when the text says so (issue 20, round 3: the review's
causes 1, 2, 5 and 8), on short scenes written for the case in several traditions: a verb read in every form,
a direction whose bracket closes mid-sentence, a masque, a spirit unseen, light and weather named in the
dialogue, a special that goes with its own subject, a moment that yields to the day, and moments kept visible."""


import re

import pytest

from phases.contracts import LightingInstruction, Scene
from phases.decision import LightingDecisionEngine
from phases.decision.actions import read_direction
from phases.decision.design_data import direction_rules
from phases.decision.scene_reading import read_scene
from phases.decision.stage_text import find_directions
from phases.decision.word_forms import verb_forms
from phases.export.levels import fixture_looks
from phases.knowledge import KnowledgeBase, ScenePosition, retrieve
from phases.parsing import parse_text

INSIDE = ("direction", "line")


def _plan(engine: LightingDecisionEngine, kb: KnowledgeBase, text: str) -> tuple[list[Scene], list[LightingInstruction]]:
    scenes = parse_text(text, name="crafted.txt").scenes
    knowledge = [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    return scenes, engine.plan(scenes, knowledge)


def _inside(plan: list[LightingInstruction], scene: Scene) -> list[LightingInstruction]:
    return [c for c in plan if c.scene_id == scene.scene_id and c.called_on.kind in INSIDE]


def _of(plan: list[LightingInstruction], scene: Scene) -> list[LightingInstruction]:
    return [c for c in plan if c.scene_id == scene.scene_id and c.called_on.kind != "structure"]


def _on(cues: list[LightingInstruction], words: str) -> LightingInstruction:
    found = [c for c in cues if words in (c.called_on.text or "")]
    assert found, (words, [c.label for c in cues])
    return found[0]


def _group(cue: LightingInstruction, group_id: str):
    return next(g for g in cue.groups if g.group_id == group_id)


def _key(cue: LightingInstruction) -> float:
    return _group(cue, "front_wash").parameters.intensity


def _special(cue: LightingInstruction, fixture_id: str, kb: KnowledgeBase) -> float:
    return fixture_looks(cue, kb.rig)[fixture_id].level


def _specials(cue: LightingInstruction, kb: KnowledgeBase) -> list[float]:
    return [look.level for fid, look in fixture_looks(cue, kb.rig).items() if fid.startswith("sp_") and look.level > 0]


# 1. Directions read by their action, in every form a text prints the verb


def test_a_verb_is_read_in_every_form_and_a_phrase_with_its_slots():
    assert {"falls", "falling", "fell", "fallen", "falleth"} <= set(verb_forms("fall", {"fall": ["fell", "fallen"]}))
    assert {"stabs", "stabbing", "stabbed", "stabb'd"} - set(verb_forms("stab", {})) == {"stabb'd"}  # (stab'd)
    assert {"dies", "dying", "died", "dieth"} <= set(verb_forms("die", {}))
    assert {"charmed", "charm'd", "charms"} <= set(verb_forms("charm", {}))
    cases = {
        "Falling on his sword.": "death",  # Shakespeare, a participle
        "She falls upon her sword and dies.": "death",
        "They wake.": "wake",
        "MARTA wak'd by the bell.": "wake",
        "He draws, and is charmed from moving.": "charm",
        "Discovering himself.": "reveal",
        "Lies down upon the bank.": "sleep",
        "The KING reposes himself in a chair.": "sleep",
        "HEDDA swoons.": "swoon",
        "NORA, fainting, sinks into the chair.": "swoon",
    }
    for direction, action in cases.items():
        assert action in [a.action for a in read_direction(direction)], direction
    assert [a.action for a in read_direction("Servants lie down.")] == ["sleep"]  # read; the walk keeps no state for extras


def test_who_a_direction_is_about_goes_out_and_a_thing_that_vanishes_is_no_ghost():
    (gone,) = read_direction("CATESBY goes to the MAYOR, and then exit.")
    assert gone.action == "exit" and gone.names == ("CATESBY",)
    (above,) = read_direction("Exit above.")
    assert above.aloft and not above.names and not above.everyone
    shapes = read_direction("Enter several strange Shapes, bringing in a banquet; they dance about it; they depart.")
    assert [a.action for a in shapes] == ["enter", "apparition", "dance", "exit"] and shapes[-1].names == ("SHAPES",)
    (banquet,) = [a for a in read_direction("With a quaint device, the banquet vanishes.") if a.action == "vanish"]
    assert banquet.thing
    (shown,) = read_direction("PAULA draws a curtain, and discovers HELEN, standing like a statue.")
    assert shown.action == "reveal" and shown.names == ("HELEN",)  # the one discovered, not the one who draws
    acts = [a.action for a in read_direction("He vanishes in thunder: then, to soft music, enter the Nymphs, and dance.")]
    assert acts.index("vanish") < acts.index("enter") < acts.index("dance")  # in the order the sentence tells it


def test_a_bracket_closed_in_mid_sentence_runs_on_to_its_own_end():
    text = """ROSE.
Come, join the round.

[Enter certain Shepherds, in their best: they join]
with the Nymphs in a country dance; towards the end
whereof the bell tolls, and they heavily vanish.]

ROSE.
Gone, all gone.
"""
    (direction,) = find_directions(text)
    assert direction.text.endswith("they heavily vanish.") and text[direction.end - 1] == "]"
    assert [a.action for a in read_direction(direction.text)][-2:] == ["dance", "vanish"]
    (closed,) = find_directions("[Exit.]\nAnd so it ends.\n")
    assert closed.text == "Exit."


MASQUE = """SCENE I. A hall in the palace.

[Enter DUKE and LADY.]

DUKE.
Now, madam, sit, and see what I have made for you.

[A Masque. Enter HOPE.]

HOPE.
From the bright hill I come, to bless this pair,
With corn and wine, and all the year is fair;
With sun and shower, and fruit upon the bough,
And all the blessings that the gods allow.
Come, sister, come, and bring thy golden store.

[Enter PLENTY.]

PLENTY.
And I with sheaves, and all the harvest's store,
With barns and garners never empty, never poor;
Scarcity and want shall shun you,
Plenty's blessing so is on you.
Come, reapers, come, and join the nymphs in play.

[Enter certain Reapers: they dance; after which,
to a hollow noise, they heavily vanish.]

LADY.
Where are they gone? What hollow noise was that?
It was a vision, and it fled like smoke.

DUKE.
Our revels now are ended. These our actors,
As I foretold you, were all spirits, and
Are melted into air, into thin air.
Sit, madam, rest; the night is young, and we
Have many hours yet before the dawn.
Come, let us in, and leave the hall to them
That clear the board. Come, lady, come away.
"""


def test_a_masque_lights_its_figures_and_its_heavy_vanish_fades(engine, kb):
    scenes, plan = _plan(engine, kb, MASQUE)
    cues = _of(plan, scenes[0])
    masque = _on(cues, "A Masque")
    assert masque.label.startswith("Masque") and len(_specials(masque, kb)) == 1  # Hope, on her own special
    assert _group(masque, "side_fill").parameters.color == "congo_blue"  # the masque's saturated side light
    plenty = _on(cues, "Enter PLENTY")
    assert len(_specials(plenty, kb)) == 2  # each figure its special
    dance = _on(cues, "they dance")
    after = cues[cues.index(dance) + 1]
    assert after.called_on.kind == "follow" and not _specials(after, kb)  # they vanish: the show's specials go
    assert _group(after, "front_wash").transition.duration >= 6  # heavily: a slow fade, not a snap
    assert _key(after) == pytest.approx(_key(cues[0]))  # back to the hall


# 2. States that end when the text says so, and specials that go with their own subject


SPIRIT = """SCENE II. Before the cell. Day.

[Enter MAGUS and WREN.]

MAGUS.
Sit down, child, and hear what I must tell thee.

[Enter SYLPH, invisible, playing and singing.]

SYLPH.
Come unto these yellow sands, and then take hands.

WREN.
What music is this? It waits upon some god.

MAGUS.
Speak not; attend. The spirit serves me well.

[Music as of pipes under the stage.]

WREN.
Hark! it is under the earth, and in the air.

[Enter JASPER.]

JASPER.
My lord, the boat is in.

[JASPER draws, and is charmed from moving.]

MAGUS.
Stand still, thou traitor; thou art charm'd.
Thy sword is held; thy arm is weak as water.
Come from thy ward, for I can here disarm thee
With this stick, and make thy weapon drop.
Sylph, go: thou hast done well; I'll free thee soon.

[Exit SYLPH.]

MAGUS.
Go, spirit, go; and I will call thee soon.
Now, Jasper, hear me. Thou hast served me ill;
And yet I will be merciful. Look up.
Thou shalt be free within these two days, if
Thou wilt be true. Speak not; I know thy mind.
Wren, look upon him: he is but a man.
And now the charm dissolves, and he can move.
"""


def test_an_invisible_spirit_has_a_special_and_not_the_worlds_colour(engine, kb):
    scenes, plan = _plan(engine, kb, SPIRIT)
    cues = _of(plan, scenes[0])
    spirit = _on(cues, "invisible")
    assert spirit.label.startswith("Spirit") and _specials(spirit, kb)
    assert _group(spirit, "ambient").parameters.color == _group(cues[0], "ambient").parameters.color  # the day stays
    assert _key(spirit) == pytest.approx(_key(cues[0]))
    heard = _on(cues, "under the stage")
    assert heard.label.startswith("Presence") and _group(heard, "back_light").parameters.color == "congo_blue"
    charmed = _on(cues, "is charmed from moving")
    assert charmed.label.startswith("Charm") and _special(charmed, "sp_mover", kb) > 0
    gone = _on(cues, "Exit SYLPH")  # the spirit's own special goes with it; the charm on Jasper does not
    assert _special(gone, "sp_usc_profile", kb) == 0 and _special(gone, "sp_mover", kb) > 0


def test_an_exit_above_takes_whoever_is_above_and_another_exit_leaves_them_lit(engine, kb):
    text = """SCENE III. A court before the castle.

[Enter the MAYOR and Citizens.]

MAYOR.
We come to beg the duke to take the crown.

[Enter GLOSTER above, between two Bishops.]

GLOSTER.
Alas, why would you heap this care on me?
I am unfit for state and majesty.

[CATESBY goes to the MAYOR, and then exit.]

MAYOR.
Then take it, for the people's love, my lord.

GLOSTER.
Since you will buckle fortune on my back,
I must have patience to endure the load.

[Exit above.]

MAYOR.
Long live the king!
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    aloft = _on(cues, "GLOSTER above")
    lit = [f for f, look in fixture_looks(aloft, kb.rig).items() if f.startswith("sp_") and look.level > 0]
    assert lit
    assert not any("CATESBY" in (c.called_on.text or "") for c in cues)  # Catesby's exit leaves Gloster lit
    down = _on(cues, "Exit above")
    assert all(fixture_looks(down, kb.rig)[f].level == 0 for f in lit)


def test_a_storm_a_spirit_brings_goes_with_it_and_a_stormy_scene_keeps_its_own(engine, kb):
    text = """SCENE III. A glade in the wood. Day.

[Enter ALONSO, SEBASTIAN, and ANTONIO.]

ALONSO.
I am weary, and will here sit down and rest.
Let us have food, and then go on again.

[Thunder and lightning. Enter ARIEL, like a harpy; and the banquet vanishes.]

ARIEL.
You are three men of sin, whom destiny
Hath caused the never-surfeited sea to belch up.

[He vanishes in thunder.]

ALONSO.
O, it is monstrous, monstrous!
Methought the billows spoke and told me of it.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    harpy = _on(cues, "like a harpy")
    assert _group(harpy, "back_light").parameters.effect is not None  # the lightning comes with the harpy
    after = [c for c in cues if c.time_window.start > harpy.time_window.start and c.called_on.kind != "scene_start"]
    gone = [c for c in after if "vanishes" in (c.called_on.text or "") or c.called_on.kind == "follow"]
    assert gone and all(g.parameters.effect is None for g in gone[-1].groups), gone[-1].label  # and goes with her

    stormy = text.replace("A glade in the wood. Day.", "A heath. A storm, with thunder and lightning.")
    scenes, plan = _plan(engine, kb, stormy)
    last = _of(plan, scenes[0])[-1]
    assert any(g.parameters.effect is not None for g in last.groups), last.label  # a stormy scene keeps its storm


def test_a_dance_ends_when_the_dialogue_resumes_and_a_comic_death_with_its_play(engine, kb):
    text = """SCENE IV. A green. Day.

[Enter SHEPHERD, MOPSA, DORCAS, and Shepherds.]

SHEPHERD.
Come, strike up, and let us have a round.

[Here a dance of Shepherds and Shepherdesses.]

MOPSA.
Well danced, all! And now, the pedlar.

SHEPHERD.
He is at the door, with ballads of every kind,
Songs for man or woman, of all sizes.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[0])
    dance = _on(cues, "Here a dance")
    after = cues[cues.index(dance) + 1]
    assert after.label.startswith("Restore") and "Well danced" in (after.called_on.text or "")


def test_a_body_stays_lit_until_it_is_carried_off(engine, kb):
    text = """SCENE V. A room in the castle. Day.

[Enter LORD and two Guards.]

LORD.
It is the end. I will not live to see it.

[Falling on his sword.]

FIRST GUARD.
The lord is wounded! Help!

[Exeunt Guards.]

[Enter ENVOY.]

ENVOY.
My lord, my lord! Who hath done this?

LORD.
Myself. Now bear me to the queen, and let me die there.

[Exeunt, bearing the LORD.]
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[0])
    death = _on(cues, "Falling on his sword")
    assert death.label.startswith("Death")
    assert not any("Exeunt Guards" in (c.called_on.text or "") for c in cues)  # no restore while he lies there


def test_a_scene_long_supernatural_moment_yields_to_the_day_and_to_a_spoken_end(engine, kb):
    text = """SCENE I. A wood. Night.

[Enter OBERA and the Fairies.]

OBERA.
The moon is up, and all the wood is ours.
Fairies, away; and leave the lovers sleeping.

[Exeunt Fairies.]

OBERA.
But hark, I hear the morning lark; the sun is up.
The night is gone, and all our sport is past.

[Exit.]

[Enter the DUKE and his train.]

DUKE.
Good morrow, friends. What do these lovers here?
"""
    scenes, plan = _plan(engine, kb, text)
    scene = scenes[0]
    seen = read_scene(scene, direction_rules())
    assert seen.moment == "supernatural" and scene.time_changes, scene.time_changes
    cues = _of(plan, scene)
    day = next(c for c in cues if c.label.startswith("Time"))
    assert _group(day, "ambient").parameters.color != "congo_blue"  # the fairies' night is over with the day
    assert _key(day) > _key(cues[0])


def test_the_heading_tableau_opens_the_scene_and_a_waking_takes_it_back(engine, kb):
    asleep = """SCENE II. The wood. The Queen lying asleep.

[Enter QUINCE and SNUG.]

QUINCE.
Here is a marvellous convenient place for our rehearsal.

SNUG.
And here the hawthorn brake our tiring-house.

[The QUEEN waking.]

QUEEN.
What angel wakes me from my flowery bed?
"""
    scenes, plan = _plan(engine, kb, asleep)
    cues = _of(plan, scenes[0])
    wake = _on(cues, "waking")
    awake_scenes, awake_plan = _plan(engine, kb, asleep.replace(" The Queen lying asleep.", ""))
    base = _of(awake_plan, awake_scenes[0])[0]
    assert _key(cues[0]) < _key(base)  # she sleeps as the scene opens
    assert wake.label.startswith("Restore") and _key(wake) == pytest.approx(_key(base))  # not a dawn: the scene's own light


def test_a_monument_or_a_tomb_is_a_building_and_a_cave_is_dark(engine, kb):
    for heading, moment in (("A room in the monument.", None), ("Before the tomb.", None), ("A cave in the hill.", "cave")):
        scene = parse_text(f"SCENE I. {heading}\n\n[Enter ANNA.]\n\nANNA.\nHere I stay.\n", name="c.txt").scenes[0]
        assert read_scene(scene, direction_rules()).moment == moment, heading


# 5. Light, weather and the moment named in the dialogue, in the present


def test_weather_and_light_named_in_the_present_are_cued_and_the_past_or_a_fortune_is_not(engine, kb):
    text = """SCENE III. A desert shore.

[Enter PILOT, with a child.]

PILOT.
Lie there, poor babe; the gods protect thee.
The storm begins; the day frowns more and more.

[Exit, pursued by a wolf.]

[Enter OLD MAN.]

OLD MAN.
The storm came on at noon, and now it's past telling.
Our day is gone, my masters; our sun is set.
I would the sky would frown upon our foes.
When the sun sets, who doth not look for night?
The sun will not shine to-day, nor the day frown.
But what's here? A child! A pretty one.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[0])
    storm = _on(cues, "The storm begins")
    assert storm.label.startswith("Storm") and _key(storm) < _key(_of(plan, scenes[0])[0])
    after = cues[cues.index(storm) + 1]  # the storm the pilot saw goes with him: the old man alone, in the day
    assert after.label.startswith("Alone") and _key(after) == pytest.approx(_key(_of(plan, scenes[0])[0]))
    said = " ".join(c.called_on.text or "" for c in cues if re.match(r"(Storm|Light thickens|Clears)", c.label))
    for words in ("storm came", "Our day is gone", "sky would frown", "sun sets", "not shine"):  # a past, a fortune,
        # a wish, a clause of time, a negation
        assert words not in said, words


def test_the_lights_burn_blue_and_music_that_wakes_a_statue(engine, kb):
    dream = """SCENE III. A tent on the field. Night.

[Enter KING, starting out of his dream.]

KING.
Have mercy, Jesu! Soft! I did but dream.
O coward conscience, how dost thou afflict me!
The lights burn blue. It is now dead midnight.
Cold fearful drops stand on my trembling flesh.
"""
    scenes, plan = _plan(engine, kb, dream)
    blue = _on(_inside(plan, scenes[0]), "burn blue")
    night = _of(plan, scenes[0])[0]
    assert _group(blue, "back_light").parameters.color == "congo_blue" != _group(night, "back_light").parameters.color
    text = """SCENE II. A chapel in the house of PAULA.

[Enter PAULA, KING, and Lords.]

PAULA.
Behold, and say 'tis well.

[PAULA draws a curtain, and discovers HELEN, standing like a statue.]

KING.
Her natural posture! Chide me, dear stone, that I may say indeed
Thou art Helen; or rather, thou art she
In thy not chiding, for she was as tender
As infancy and grace. But yet, Paula,
Helen was not so much wrinkled, nothing
So aged as this seems. What, is she breathing?
I am afraid; this is some magic.
Her lips, her eyes, the very life of her!
Still, methinks, there is an air comes from her.
O, thus she stood, even with such life of majesty,
As now it coldly stands, when first I woo'd her!
What fine chisel could ever yet cut breath?
Let no man mock me, for I will kiss her.

PAULA.
Music, awake her: strike!

[Music.]

PAULA.
'Tis time; descend; be stone no more; approach;
Strike all that look upon with marvel. Come;
I'll fill your grave up: stir; nay, come away;
Bequeath to death your numbness, for from him
Dear life redeems you. You perceive she stirs.

[HELEN comes down from the pedestal.]

KING.
O, she's warm!
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[0])
    statue = _on(cues, "like a statue")
    assert statue.label.startswith("Reveal") and _specials(statue, kb)
    awake = _on(cues, "Music, awake her")
    assert awake.label.startswith("Awakens") and _key(awake) > _key(statue)
    assert _group(awake, "front_wash").transition.duration >= 8  # a slow warm build
    down = _on(cues, "comes down from the pedestal")
    assert down.label.startswith("Wakes") and not _specials(down, kb) and _key(down) > _key(statue)  # the room opens


# 8. A moment the text calls for is never lost to the threshold or a merge


def test_a_time_change_near_another_moment_is_its_own_cue_and_a_death_in_the_dark_is_not_darker(engine, kb):
    text = """SCENE II. A hall in the palace. Night.

[Enter DUKE, DUCHESS, and Courtiers, with torches.]

DUKE.
Come, the dance. Strike up.

[Here a dance of Courtiers.]

DUKE.
The iron tongue of midnight hath told twelve:
Lovers, to bed; 'tis almost fairy time.
Away, away! and leave me here alone.

[Exeunt all but DUKE.]

DUKE.
The bright day is done, and I am for the dark.
Now all is still; the house is gone to bed,
And I alone keep watch upon the night.
Here is the cup; I drink to all of you,
To all that loved me, and to all that did not.
It burns; it is the end. O, I am slain
By mine own hand! I die.

[Dies.]
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[0])
    labels = [c.label for c in cues]
    assert any(label.startswith("Dance") for label in labels) and any(label.startswith("Time") for label in labels), labels
    midnight = next(c for c in cues if c.label.startswith("Time"))
    assert "midnight" in midnight.label and _group(midnight, "front_wash").transition.duration >= 20
    dark = next(c for c in cues if "bright day is done" in (c.called_on.text or ""))
    death = next(c for c in cues if c.label.startswith("Death"))
    assert _key(death) == pytest.approx(_key(dark))  # a death in the dark is not darker than the dark
    assert _specials(death, kb)  # (the body's own pool shows it)


def test_a_moment_dropped_as_invisible_is_noted_and_a_storm_is_one_state(engine, kb):
    text = """SCENE I. A wood. Night.

[Enter PUCK and the Fairies.]

PUCK.
How now, spirits! whither wander you?

[Music as of pipes under the stage.]

FIRST FAIRY.
Hark, the music is under the earth.
Over hill, over dale, thorough bush, thorough brier,
I do wander every where, swifter than the moon's sphere;
And I serve the fairy queen, to dew her orbs upon the green.
The cowslips tall her pensioners be: in their gold coats spots you see.
I must go seek some dew-drops here and hang a pearl in every cowslip's ear.
The storm begins; the storm is come again! The storm begins anew!
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    assert [c.label.split(":")[0] for c in cues if c.called_on.kind in INSIDE] == ["Storm"]  # one storm, not three
    reasoning = cues[0].metadata.reasoning if cues[0].metadata else ""
    assert "not cued, its state looks like the one before: Presence" in reasoning  # blue on blue: noted, not lost


def test_a_transformation_is_a_hit_and_the_play_within_the_play_has_its_own_stage(engine, kb):
    text = """SCENE I. A hall in the duke's house. Night.

[Enter DUKE, DUCHESS, and Lords.]

DUKE.
Let the players come. We'll see their tragedy.

[Flourish of trumpets. Enter PROLOGUE.]

PROLOGUE.
If we offend, it is with our good will.
That you should think, we come not to offend,
But with good will. To show our simple skill,
That is the true beginning of our end.

[Re-enter the PROLOGUE, with an ass's head.]

DUKE.
Bless thee, Prologue! thou art translated.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _of(plan, scenes[0])
    play = _on(cues, "Enter PROLOGUE")
    front = {o.area: o.intensity for o in _group(play, "front_wash").overrides if o.area}
    assert front and max(front.values()) < _key(play)  # the court falls away round the players' stage
    head = _on(cues, "ass's head")
    after = cues[cues.index(head) + 1]
    assert head.label.startswith("Transformation") and _group(head, "front_wash").transition.duration == 0
    assert after.called_on.kind == "follow"
    assert _group(after, "back_light").parameters.color == _group(play, "back_light").parameters.color  # back to the play


def test_a_light_called_for_in_any_words_and_not_one_called_offstage(engine, kb):
    text = """ACT III

SCENE: A drawing-room. Evening.

(MRS. HALL and RITA come in.)

MRS. HALL.
It is so dark in here. Light the other lamp, Rita. Bring me the lamp.
I cannot see to read, and the fire is nearly out.

RITA.
Yes, ma'am. Here it is.

MRS. HALL.
[Within.] And give us a light there in the hall!

RITA.
At once, ma'am.
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[-1])
    called = [c for c in cues if c.label.startswith("Light")]
    assert len(called) == 1 and "Bring me the lamp" in (called[0].called_on.text or "")


def test_a_charm_spoken_over_a_sleeper_and_not_over_the_waking(engine, kb):
    text = """SCENE II. A wood. Night.

[Enter HERMIA and LYSANDER.]

LYSANDER.
Here is my bed; sleep give thee all his rest!

[They sleep.]

[Enter PUCK.]

PUCK.
Through the forest have I gone,
But Athenian found I none.
Churl, upon thy eyes I throw
All the power this charm doth owe.
So awake when I am gone;
For I must now to Oberon.

[Exit.]

[Enter HELENA, running.]

HELENA.
Stay, though thou kill me, sweet Demetrius.
Upon his eyes? No, upon mine the dew of tears is fallen.
But who is here? Lysander! on the ground!
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[0])
    charm = _on(cues, "upon thy eyes I throw")
    assert charm.label.startswith("Charm") and _specials(charm, kb)
    assert not any("Upon his eyes" in (c.called_on.text or "") for c in cues)  # (the sleepers' charm already done)
    awake = parse_text("SCENE I. A room.\n\n[Enter ANNA and BEN.]\n\nANNA.\nUpon thy eyes I lay my hand.\n", name="w.txt")
    (scene,) = awake.scenes
    knowledge = [retrieve(scene, kb, ScenePosition(0, 1))]
    assert not [c for c in engine.plan([scene], knowledge) if c.called_on.kind in INSIDE]  # nobody sleeps: no charm


def test_each_ghost_of_many_is_seen_and_each_sleeper_wakes_for_themself(engine, kb):
    names = ["EDWARD", "HENRY", "CLARENCE", "RIVERS", "HASTINGS", "ANNE"]
    ghosts = "\n".join(
        f"[The Ghost of {name} rises.]\n\nGHOST OF {name}.\nLet me sit heavy on thy soul to-morrow!\n"
        "Think how thou stabb'dst me in my prime of youth;\nDespair, and die!\n"
        for name in names
    )
    text = f"""SCENE III. A field between two tents. Night.

[Enter RICHMOND.]

RICHMOND.
O Thou, whose captain I account myself,
Look on my forces with a gracious eye.
To Thee I do commend my watchful soul.

[Sleeps.]

{ghosts}
[The Ghosts vanish. KING RICHARD starts out of his dream.]

KING RICHARD.
Give me another horse! Bind up my wounds!
Have mercy, Jesu! Soft! I did but dream.

[Exit.]

[RICHMOND wakes. Enter OXFORD and Lords.]

OXFORD.
Good morrow, Richmond!
"""
    scenes, plan = _plan(engine, kb, text)
    cues = _inside(plan, scenes[0])
    risen = [c for c in cues if c.label.startswith("Apparition")]
    assert len(risen) == len(names)  # six ghosts on a three-special rig: each one's rising is seen
    assert _on(cues, "RICHMOND wakes").label.startswith("Restore")  # his own sleep ends, not at the king's dream
