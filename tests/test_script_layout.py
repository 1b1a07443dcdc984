"""Directions found in every layout a script comes in (issue 20, round 3, causes 6 and 7), on small texts written
for the case: a screenplay's action paragraphs are its directions, read by what happens in them (a crash, a thing
rising by magic, a view opening up, FADE OUT and FADE IN); "FADE IN:" brings the first scene up without pushing
it past the key ceiling; a Folio scene whose heading names no place takes the place its first lines name, and a
forest by day is not lit as a court."""


from phases.decision import LightingDecisionEngine
from phases.decision.design_data import design_settings
from phases.decision.stage_text import find_directions, find_speeches
from phases.knowledge import KnowledgeBase, ScenePosition, retrieve
from phases.parsing import parse_text

INSIDE = ("direction", "line")


def _plan(engine: LightingDecisionEngine, kb: KnowledgeBase, text: str, name: str) -> tuple[list, list]:
    scenes = parse_text(text, name=name).scenes
    return scenes, engine.plan(scenes, [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)])


def _group(cue, group_id: str):
    return next(g for g in cue.groups if g.group_id == group_id)


FOUNTAIN = """Title: The Lighthouse Road
Author: A. Writer

> FADE IN:

EXT. CLIFF ROAD--DAY

MARTA, sixties, wind-burnt, drags a handcart up the road.

MARTA
(to herself)
Nearly there.
Nearly there, old girl.

A great CRASH from below. The road shudders.

She looks over the edge. The sea heaves.

MARTA
Not today. Not today.

The old lamp rises slowly into the air, as if by magic, and hangs in the air above the cliff.

She stares.

EXT. LIGHTHOUSE GALLERY--NIGHT

MARTA climbs out onto the gallery.

MARTA
Let me see you, then.

A breathtaking view opens below her: the harbour lights, the whole coast.

MARTA
There you are.

FADE OUT.

MARTA (V.O.)
I kept it forty years.
"""


def test_a_screenplays_action_paragraphs_are_its_directions_and_its_cues_are_its_speakers():
    scene = parse_text(FOUNTAIN, name="road.fountain").scenes[0]
    directions = [d.text for d in find_directions(scene.text)]
    assert "FADE IN:" in directions and not any("Title" in d or "Author" in d for d in directions)
    assert "A great CRASH from below. The road shudders." in directions
    speeches = find_speeches(scene.text)
    assert [s.speaker for s in speeches] == ["MARTA", "MARTA"]  # never the scene heading's "EXT"
    assert speeches[0].lines == 2  # the parenthetical is not a line of speech


def test_fade_in_brings_the_first_scene_up_within_the_key_ceiling_and_lights_no_stray_special(engine, kb):
    scenes, plan = _plan(engine, kb, FOUNTAIN, "road.fountain")
    first = next(c for c in plan if c.called_on.kind == "scene_start")
    front = _group(first, "front_wash")
    assert front.parameters.intensity <= design_settings().key_ceiling + 1e-9
    specials = _group(first, "specials")
    assert specials.parameters.intensity == 0 and all(o.intensity == 0 for o in specials.overrides)
    assert first.groups[0].transition is not None and first.groups[0].transition.type == "fade"


def test_a_screenplays_action_is_read_by_what_happens_in_it(engine, kb):
    scenes, plan = _plan(engine, kb, FOUNTAIN, "road.fountain")
    inside = [c for c in plan if c.called_on.kind in INSIDE]
    labels = [c.label for c in inside]
    crash = next(c for c in inside if c.label.startswith("Impact"))
    assert "CRASH" in crash.label and _group(crash, "front_wash").transition.duration == 0  # a bump
    assert any(c.called_on.kind == "follow" and c.scene_id == crash.scene_id for c in plan)  # and back
    assert any(label.startswith("Apparition") and "lamp rises" in label for label in labels), labels
    assert any(label.startswith("Reveal") and "view opens" in label for label in labels), labels
    last = [c for c in plan if c.called_on.kind == "scene_start"][-1]  # FADE OUT: the voice-over in the dark
    assert last.label.startswith("FADE OUT") and _group(last, "front_wash").parameters.intensity == 0
    assert not any(label.startswith(("Alone", "Narrows")) for label in labels)  # a film is not a stage's population


def test_a_heard_sound_and_an_ordinary_action_are_no_cue(engine, kb):
    text = """INT. KITCHEN--NIGHT

TOM makes tea. A crash is heard from upstairs.

TOM
Who's there?

He walks without hurry to the stairs and listens.

TOM
Hello?
"""
    scenes, plan = _plan(engine, kb, text, "kitchen.fountain")
    assert not [c.label for c in plan if c.called_on.kind in INSIDE]


FOLIO = """Actus Primus. Scoena Prima.

Enter Duke, Lords, and Attendants.

  Duke. Welcome, my Lords, and let the musicke sound.
Our pleasures here shall be as they were wont.

   Lord. We thanke your Grace.

   Duke. Then let vs in.

Exeunt.

Scena Secunda.

Enter Duke Senior and Lords like Forresters.

  Du.Sen. Now my Coe-mates, are not these woods
More free from perill then the enuious Court?
Heere feele we not the seasons difference.

   Lord. Happy is your Grace.

Exeunt.

Scena Tertia.

Enter Rosalind and Celia.

  Ros. Well, this is the Forrest of Arden.

   Cel. I pray you beare with me, I cannot goe no further.

Exeunt.

Scena Quarta.

Enter Duke and Lords.

  Duke. Can it be possible that no man saw them?
It cannot be: some villaines of my Court
Are of consent and sufferance in this.

Exeunt.
"""


def test_a_folio_scene_takes_the_place_its_first_lines_name_and_only_for_itself():
    scenes = parse_text(FOLIO, name="folio.txt").scenes
    assert [s.location for s in scenes] == [None, "Woods", "Forest of Arden", None]  # "my Court" is not a place said
    assert [s.setting for s in scenes] == [None, "exterior", "exterior", None]  # and the forest is not carried on


def test_the_forest_is_not_lit_as_the_court(engine, kb):
    scenes, plan = _plan(engine, kb, FOLIO, "folio.txt")
    starts = [c for c in plan if c.called_on.kind == "scene_start"]
    court, wood = starts[0], starts[1]
    seen = [abs(_group(court, g).parameters.intensity - _group(wood, g).parameters.intensity) for g in ("front_wash", "ambient")]
    colours = [_group(court, g).parameters.color != _group(wood, g).parameters.color for g in ("side_fill", "back_light")]
    assert max(seen) >= 0.1 or any(colours)
