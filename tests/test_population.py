"""Who is on stage (issue 20, round 3, cause 4 and the Folio's layout, cause 6), on small texts written for the
case in several traditions: a body or a babe carried is not company, a role after "as" is not another person, a
train goes with its leader and "the rest" with whoever does not speak next, a mute who came on with the speaker
keeps them company, an army is no soliloquy, a Chorus alone is a chorus, and a text that marks few exits (the
Folio's bare "Enter." for an exit) still shows who is left alone."""


from phases.decision import LightingDecisionEngine
from phases.decision.actions import read_direction
from phases.decision.population import Population, names_in
from phases.decision.stage_data import stage_vocabulary
from phases.decision.stage_text import direction_sentences, find_directions, find_speeches
from phases.knowledge import KnowledgeBase, ScenePosition, retrieve
from phases.parsing import parse_text

INSIDE = ("direction", "line")
LINES = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth")


def _verse(speaker: str, count: int = 9) -> str:
    return "\n".join(f"{w} line that {speaker.lower()} speaks, alone upon the stage." for w in LINES[:count])


def _cues(engine: LightingDecisionEngine, kb: KnowledgeBase, text: str) -> list:
    scenes = parse_text(text, name="crafted.txt").scenes
    plan = engine.plan(scenes, [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)])
    return [c for c in plan if c.called_on.kind in INSIDE or c.called_on.kind == "scene_start"]


def _labels(cues: list, prefix: str) -> list[str]:
    return [c.label for c in cues if c.label.startswith(prefix)]


# Names in a list of people


def test_a_body_a_babe_and_a_role_are_not_people_in_a_list():
    stage = stage_vocabulary()
    corpse = "the corpse of King Henry the Sixth, borne in an open coffin, Gentlemen with halberds; and Lady Anne as mourner"
    assert names_in(corpse, stage) == ("LADY ANNE",)
    assert names_in("ANTIGONUS with the Child, and a Mariner", stage) == ("ANTIGONUS", "MARINER")
    assert names_in("Time, as Chorus", stage) == ("TIME",)
    assert names_in("MARK ANTONY and others, with CAESAR's body", stage) == ("MARK ANTONY",)
    assert names_in("Rosaline for Ganimed, Celia for Aliena", stage) == ("ROSALINE", "CELIA")


def test_an_entrance_list_goes_on_past_a_semicolon_and_a_folio_abbreviation_ends_no_sentence():
    assert direction_sentences("Alarum. Enter ANTONY, marching; SCARUS and Forces.") == [
        "Alarum",
        "Enter ANTONY, marching; SCARUS and Forces",
    ]
    assert direction_sentences("Ex. Orl. Ad.") == ["Ex. Orl. Ad"]
    assert direction_sentences("Exit Duke. Enter Orlando.") == ["Exit Duke", "Enter Orlando"]
    army = read_direction("Alarum. Enter ANTONY, marching; SCARUS and Forces.")
    assert [(a.action, a.names, a.crowd) for a in army] == [("enter", ("ANTONY", "SCARUS"), True)]
    (folio,) = read_direction("Ex. Orl. Ad.")
    assert folio.action == "exit" and folio.names == ("ORL", "AD")
    (misprint,) = read_direction("Enter.")
    assert misprint.action == "exit"  # a bare "Enter." brings no one on: the Folio's exit
    retires = read_direction("KING RICHARD retires into his tent. Exeunt RATCLIFF and CATESBY.")
    assert [(a.action, a.names) for a in retires] == [("exit", ("KING RICHARD",)), ("exit", ("RATCLIFF", "CATESBY"))]


def test_one_person_spelt_three_ways_is_one_person_and_lady_macbeth_is_not_macbeth():
    pop = Population(["Orlando", "Orlan", "Orl", "Adam", "Macbeth", "Lady Macbeth", "Du.Se", "Duke Senior"])
    assert pop.speak("Orl") == pop.speak("Orlan") == pop.speak("Orlando") == "ORLANDO"
    assert pop.resolve("AD") == ("ADAM",)  # "Ex. Orl. Ad."
    assert pop.speak("Macbeth") != pop.speak("Lady Macbeth")
    assert pop.speak("Du.Se") == "DUKE SENIOR"
    assert list(pop.present) == ["ORLANDO", "MACBETH", "LADY MACBETH", "DUKE SENIOR"]


# Who is left alone


def test_a_corpse_and_the_rest_carried_off_leave_a_soliloquy(engine, kb):
    text = f"""SCENE II. A street.

[Enter the corpse of KING HENRY, borne in a coffin, Gentlemen with halberds to guard it; and LADY ANNE as mourner.]

ANNE.
Set down your honourable load.

[Enter GLOSTER.]

GLOSTER.
Stay, you that bear the corse, and set it down.

ANNE.
What black magician conjures up this fiend?

[Exit ANNE.]

GLOSTER.
Sirs, take up the corse.

FIRST GENTLEMAN.
Towards Chertsey, noble lord?

GLOSTER.
No, to White Friars.

[Exeunt the rest, with the Corpse.]

{_verse("GLOSTER")}

[Exit.]
"""
    cues = _cues(engine, kb, text)
    alone = _labels(cues, "Alone")
    assert len(alone) == 1 and "First line that gloster" in alone[0], [c.label for c in cues]


def test_a_babe_in_arms_is_no_company_but_a_mute_who_came_on_with_you_is(engine, kb):
    babe = f"""SCENE III. A desert country near the sea.

[Enter ANTIGONUS with the Child, and a Mariner.]

MARINER.
The skies look grimly. I'll go aboard.

[Exit.]

ANTIGONUS.
{_verse("ANTIGONUS")}

[Exit, pursued by a bear.]
"""
    assert len(_labels(_cues(engine, kb, babe), "Alone")) == 1
    companion = f"""SCENE II. The field of battle.

[Alarum. Enter BRUTUS and MESSALA.]

BRUTUS.
{_verse("BRUTUS")}

[Exeunt.]
"""
    assert not _labels(_cues(engine, kb, companion), "Alone")  # Messala never speaks, but he is there


def test_a_servant_sent_off_is_there_until_he_goes(engine, kb):
    text = f"""SCENE I. A court within the castle. Night.

[Enter MACBETH, and a Servant with a torch.]

MACBETH.
Go bid thy mistress, when my drink is ready,
She strike upon the bell. Get thee to bed.

[Exit Servant.]

{_verse("MACBETH")}

[Exit.]
"""
    alone = _labels(_cues(engine, kb, text), "Alone")
    assert len(alone) == 1 and "First line" in alone[0]  # the soliloquy, not the order to the servant


def test_a_train_goes_with_its_leader_and_leaves_the_one_who_speaks_next(engine, kb):
    text = f"""SCENE VI. Caesar's camp.

[Flourish. Enter AGRIPPA, CAESAR, with DOLABELLA and ENOBARBUS.]

CAESAR.
Go forth, Agrippa, and begin the fight.

[Exit AGRIPPA.]

[Enter a MESSENGER.]

MESSENGER.
Antony is come into the field.

CAESAR.
Go charge Agrippa. Plant those that have revolted in the van.

[Exeunt CAESAR and his Train.]

ENOBARBUS.
{_verse("ENOBARBUS")}

[Exit.]
"""
    alone = _labels(_cues(engine, kb, text), "Alone")
    assert len(alone) == 1 and "ENOBARBUS" in alone[0]


def test_attendants_go_with_the_one_they_attend(engine, kb):
    text = f"""SCENE III. A room in the palace.

[Enter the KING, the PRINCE, the QUEEN between them, and Attendants.]

KING.
The world and my great office will sometimes divide me from your bosom.

QUEEN.
All which time before the gods my knee shall bow my prayers to them for you.

[Exeunt KING and QUEEN.]

PRINCE.
{_verse("PRINCE")}

[Exit.]
"""
    assert len(_labels(_cues(engine, kb, text), "Alone")) == 1


def test_a_leader_marching_in_with_an_army_is_no_soliloquy(engine, kb):
    text = f"""SCENE VIII. Under the walls.

[Alarum. Enter ANTONY, marching; SCARUS and Forces.]

ANTONY.
{_verse("ANTONY")}

[Enter CLEOPATRA, attended.]

CLEOPATRA.
Lord of lords!

[Exeunt.]
"""
    cues = _cues(engine, kb, text)
    assert not _labels(cues, "Alone") and not _labels(cues, "Restore"), [c.label for c in cues]


def test_a_chorus_alone_is_a_chorus_not_a_soliloquy(engine, kb):
    text = f"""ACT IV.

SCENE I. The same.

[Enter TIME, as Chorus.]

TIME.
{_verse("TIME")}

[Exit.]

SCENE II. A room in the palace.

[Enter KING and COUNSELLOR.]

KING.
What news?

COUNSELLOR.
None, my liege.

[Exit COUNSELLOR.]

KING.
{_verse("KING")}

[Exit.]
"""
    scenes = parse_text(text, name="crafted.txt").scenes
    assert "CHORUS" not in {s.speaker.upper() for s in find_speeches(scenes[0].text)}
    cues = _cues(engine, kb, text)
    assert _labels(cues, "Alone") and "KING" in _labels(cues, "Alone")[0]  # the king alone is a soliloquy
    chorus = next(c for c in cues if c.scene_id == scenes[0].scene_id)  # Time alone from the top: its own pool
    specials = next(g for g in chorus.groups if g.group_id == "specials")
    assert specials.parameters.intensity > 0


def test_retiring_into_a_tent_leaves_the_other_alone_for_his_prayer(engine, kb):
    text = f"""SCENE III. Bosworth field.

[Enter RICHMOND, OXFORD, BLUNT, and others.]

RICHMOND.
Give me some ink and paper in my tent.

OXFORD.
I will, my lord.

[Enter, to his tent, KING RICHARD and CATESBY.]

KING RICHARD.
Good night, Catesby.

[KING RICHARD retires into his tent. Exit CATESBY.]

RICHMOND.
Good night, good lords.

[Exeunt Lords, &c.]

{_verse("RICHMOND")}

[Sleeps.]
"""
    alone = _labels(_cues(engine, kb, text), "Alone")
    assert len(alone) == 1 and "richmond" in alone[0].lower()


def test_stepping_out_is_no_soliloquy_but_a_long_speech_alone_is_one_whoever_comes_back(engine, kb):
    def scene(lines: int) -> str:
        return f"""SCENE XIV. Another room.

[Enter ANTONY and EROS.]

ANTONY.
Unarm, Eros; the long day's task is done. From me awhile.

[Exit EROS.]

{_verse("ANTONY", lines)}

[Re-enter EROS.]

EROS.
What would my lord?
"""

    assert len(_labels(_cues(engine, kb, scene(9)), "Alone")) == 1
    assert not _labels(_cues(engine, kb, scene(6)), "Alone")  # six lines and straight back: a step outside


# A modern play's prose and its "goes out"


def test_a_modern_play_left_to_one_by_goes_out(engine, kb):
    text = f"""ACT ONE

A comfortably furnished room. Winter.

NORA: Hide the tree well, Helene.

HELMER: Is that my little lark twittering out there?

NORA: Yes, it is!

HELMER: When did my squirrel come home?

NORA: Just now. Come in here, Torvald, and see what I have bought.

[HELMER goes out into his room.]

NORA: {" ".join(_verse("NORA").split(chr(10)))}

[Enter MRS LINDE.]

MRS LINDE: How do you do, Nora?
"""
    alone = _labels(_cues(engine, kb, text), "Alone")
    assert len(alone) == 1 and "NORA" in alone[0]


# The First Folio's layout


FOLIO = """Actus primus. Scoena Prima.

Enter Orlando and Adam.

  Orlando. As I remember Adam, it was vpon this fashion
bequeathed me by will, but poore a thousand crownes.

   Adam. Yonder comes my Master, your brother.
Enter Oliuer.

  Oli. Now Sir, what make you heere?

   Orl. Nothing: I am not taught to make any thing.

   Oli. Get you with him, you olde dogge.

   Adam. Is old dogge my reward?

Ex. Orl. Ad.

  Oli. Is it euen so, begin you to grow vpon me? Holla Dennis.
Enter Dennis.

  Den. Calls your worship?
  Oli. Call him in: 'twill be a good way.
Enter Charles.

  Cha. Good morrow to your worship, and so God keepe you.
Enter.

Farewell good Charles. Now will I stirre this Gamester:
I hope I shall see an end of him; for my soule
(yet I know not why) hates nothing more then he:
yet hee's gentle, neuer school'd, and yet learned,
full of noble deuise, of all sorts enchantingly beloued,
and indeed so much in the heart of the world,
that I am altogether misprised: but it shall not be so long,
this wrastler shall cleare all.
Enter.

Scoena Secunda.

Flourish. Enter Duke, Lords, Orlando, Charles, and Attendants.

   Ros. Is yonder the man?

   Cel. Musicke in his sides? Is there yet another dotes vpon rib-breaking?

   Orl. Readie Sir, but his will hath in it a more modest working.

Wrastle.

  Ros. Oh excellent yong man.

Shout.

  Duk. No more, no more.

Still Musicke.

  Duk. Then is there mirth in heauen.
Exit

  Ros. It is not the fashion to see the Ladie the Epilogue:
but it is no more vnhandsome, then to see the Lord the Prologue.
If it be true, that good wine needs no bush,
'tis true, that a good play needes no Epilogue.
Yet to good wine they do vse good bushes:
and good playes proue the better by the helpe of good Epilogues.
Enter.

FINIS.
"""


def test_folio_direction_lines_are_read_and_a_question_is_not_one():
    texts = [d.text for d in find_directions(FOLIO)]
    assert {"Wrastle.", "Shout.", "Still Musicke.", "Ex. Orl. Ad.", "Enter."} <= set(texts)
    assert not any(t.startswith("Musicke in his sides") for t in texts)


def test_the_folio_enter_misprinted_for_an_exit_leaves_a_soliloquy_and_an_epilogue(engine, kb):
    first = FOLIO.split("Scoena Secunda.")[0]
    speeches = find_speeches(first)
    assert speeches[-1].speaker == "Oli" and speeches[-1].continued  # Charles has gone: Oliver goes on
    cues = _cues(engine, kb, FOLIO)
    alone = _labels(cues, "Alone")
    assert any("Farewell good Charles" in a for a in alone), [c.label for c in cues]
    assert any("It is not the fashion" in a for a in alone)  # everyone else went at the bare "Exit"
    scenes = parse_text(FOLIO, name="crafted.txt").scenes
    plan = engine.plan(scenes, [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)])
    final = next(c for c in plan if c.called_on.moment == "final_blackout")
    assert final.called_on.script_line is not None  # the fade comes on the last "Enter.", after the epilogue


def test_old_spellings_in_directions_read_as_the_modern_words():
    assert direction_sentences("Still Musicke.") == ["Still music"]
    (wrestle,) = read_direction("Wrastle.")
    assert wrestle.action == "bout"  # the wrestling is a fight on stage, for one bout
    assert [a.action for a in read_direction("Hoboyes. Enter the Ghoast.")] == ["enter", "apparition"]


def test_a_wrestling_is_lit_for_its_bout_and_the_shout_of_the_throw_ends_it(engine, kb):
    cues = _cues(engine, kb, FOLIO)
    bout = next(c for c in cues if c.called_on.text == "Wrastle.")
    assert bout.label.startswith("Fight"), [c.label for c in cues]
    after = cues[cues.index(bout) + 1]
    assert after.called_on.text == "Shout." and after.label.startswith("Restore"), after.label


def test_a_modern_plays_name_comes_before_its_verb():
    assert [(a.action, a.names) for a in read_direction("MRS LINDE enters.")] == [("enter", ("LINDE",))]
    assert [(a.action, a.names) for a in read_direction("HELMER exits into his study.")] == [("exit", ("HELMER",))]
    assert [(a.action, a.names) for a in read_direction("The MAID comes in.")] == [("enter", ("MAID",))]
    assert [a.action for a in read_direction("She leaves.")] == ["exit"]
    assert [(a.action, a.names) for a in read_direction("Enter Hamlet and Horatio.")] == [("enter", ("HAMLET", "HORATIO"))]


def test_extras_attend_the_one_named_before_attended_and_go_with_them():
    (enter,) = read_direction("Enter ARIEL: after him, ALONSO, with frantic gesture, attended by GONZALO")
    assert enter.leader == "ALONSO"
    pop = Population(["Ariel", "Alonso", "Gonzalo", "Prospero"])
    pop.enter(("PROSPERO",), False)
    pop.enter(enter.names, enter.crowd, leader=enter.leader)
    pop.leave(("ARIEL",), False)
    assert pop.crowd  # Alonso's attendants stay with him
    pop.leave(("ALONSO",), False)
    assert not pop.crowd
