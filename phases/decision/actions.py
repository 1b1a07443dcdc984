"""A stage direction read by who does what: sentence by sentence, its entrances and exits (with the people they
name), and the actions the stage vocabulary knows (a death, a swoon, an apparition rising, a torch brought on).
A sentence that is only a sound offstage ("Alarum within", "Knocking within", "Low alarums") does nothing to the
light; "descends" is a vanish or a coming down, never an apparition."""

import re
from dataclasses import dataclass
from functools import lru_cache

from .population import names_in
from .stage_data import Stage, stage_vocabulary
from .stage_text import direction_sentences

_LEADING_NAMES = re.compile(r"^(?:[A-Z][\w'’.\-]*[ \t,]*(?:and[ \t]+|&[ \t]*)?)+")
_ALOFT = re.compile(r"\b(?:above|aloft|from the walls)\b", re.IGNORECASE)
_THEY = re.compile(r"\bthey\s*$", re.IGNORECASE)
# A subject that is a thing ("with a quaint device, the banquet vanishes"): an article and a common noun.
_THING = re.compile(r"\b(?:the|a|an|this)\s+[a-z][a-z\-]*\s*$")
# The actions whose subject is the one they are done to, named after the verb ("discovers HERMIONE").
_OBJECT_FIRST = ("reveal",)


@dataclass(frozen=True)
class Act:
    """One thing a direction does. `action` is a stage-vocabulary action, or `enter` / `exit`."""

    action: str
    names: tuple[str, ...] = ()  # the people it names, upper case ("LADY MACBETH")
    crowd: bool = False  # extras: lords, attendants, a train, soldiers...
    staying: tuple[str, ...] = ()  # an exit's "all but" / "manet": who stays
    everyone: bool = False  # a bare "Exeunt": everyone leaves
    masked: bool = False
    transit: bool = False  # walks on and off again ("pass over the stage")
    aloft: bool = False  # an exit from the upper level ("Exit above")
    thing: bool = False  # done by a thing, not a person ("the banquet vanishes")
    rest: bool = False  # an exit that takes everyone who does not speak next ("Exeunt the rest")
    train: bool = False  # an exit with a leader's train ("Exeunt Caesar and his Train", "Exit Duke, &c.")
    chorus: bool = False  # an entrance "as Chorus"
    leader: str = ""  # whom an entrance's extras attend ("ALONSO, attended by GONZALO"): else the first named


@lru_cache(maxsize=4096)
def read_direction(text: str) -> tuple[Act, ...]:
    """What the direction does, in its order."""
    stage = stage_vocabulary()
    acts: list[Act] = []
    subject: tuple[str, ...] = ()  # who the direction is about so far: "CATESBY goes to the MAYOR, and then exit"
    entered: Act | None = None  # who came on in it: "Enter Shapes, bringing in a banquet; ... they depart"
    for sentence in direction_sentences(text):
        if stage.misprinted_exit.fullmatch(sentence):
            acts.append(Act("exit"))  # a bare "Enter." brings no one on: the Folio's exit
            continue
        enter = stage.enter.search(sentence)
        leave = stage.exit.search(sentence)
        if stage.sound_only.search(sentence) and not enter and not leave:
            continue  # a sound offstage
        said: list[tuple[int, Act]] = []  # the sentence's acts at their places: "He vanishes... enter the Shapes"
        if enter:
            after = sentence[enter.end() :]
            said.append(
                (
                    enter.start(),
                    Act(
                        "enter",
                        _entering(sentence, enter, stage),
                        crowd=bool(stage.crowd.search(after)),
                        masked=bool(stage.masked.search(after)),
                        transit=bool(stage.transit.search(sentence)),
                        chorus=bool(stage.chorus_role.search(after)),
                        leader=_attended(after, stage),
                    ),
                )
            )
        if leave and not enter:
            gone = _exit(sentence, leave, stage)
            bare = not (gone.names or gone.staying or gone.crowd or gone.everyone or gone.aloft or gone.rest)
            if bare and entered is not None and _THEY.search(sentence[: leave.start()]):
                gone = Act("exit", entered.names, crowd=entered.crowd)  # those who came on go again
            elif bare and subject:
                gone = Act("exit", subject)  # the one the direction was about goes out
            said.append((leave.start(), gone))
        elif not leave and not enter and stage.all_but.search(sentence):
            stays = stage.all_but.search(sentence)
            said.append((stays.start(), Act("exit", staying=names_in(sentence[: stays.start()], stage))))  # type: ignore[union-attr]
        if stage.any_action.search(sentence):
            said += _actions(sentence, stage)
        acts += [act for _, act in sorted(said, key=lambda item: item[0])]
        entered = next((act for act in reversed(acts) if act.action == "enter"), entered)
        leading = _LEADING_NAMES.match(sentence)
        if not enter and not leave and leading:
            subject = names_in(leading.group(0), stage) or subject
    return tuple(acts)


def _actions(sentence: str, stage: Stage) -> list[tuple[int, Act]]:
    found: dict[str, Act] = {}
    places: dict[str, int] = {}
    for regex, action in stage.actions:
        match = regex.search(sentence) if action not in found else None
        if match:
            named = _object(sentence, regex, stage) if action in _OBJECT_FIRST else ()
            subject = sentence[: match.start()]
            thing = bool(_THING.search(subject)) and not stage.any_action.search(subject[-40:])
            found[action] = Act(
                action, named or names_in(subject, stage), crowd=bool(stage.crowd.search(subject)), thing=thing
            )
            places[action] = match.start()
    if "storm" in found:  # the storm's own thunder and lightning
        found.pop("lightning", None)
        found.pop("thunder", None)
    if "vanish" in found:  # "Descends into the cauldron", "Ghost vanishes": going, not coming
        found.pop("apparition", None)
        found.pop("lower", None)
    if stage.exit.search(sentence):  # "Exit above": leaving the upper level, not going up to it
        found.pop("upper", None)
    return [(places[action], act) for action, act in found.items()]


def _entering(sentence: str, enter: re.Match[str], stage: Stage) -> tuple[str, ...]:
    """Who comes on: the names after "Enter" (the imperative a play prints), or before "enters" / "comes in" (a
    modern play's sentence: "MRS LINDE enters the room")."""
    before = names_in(sentence[: enter.start()], stage)
    if before and enter.group(0).lower().endswith(("s", "in")):
        return before
    return names_in(sentence[enter.end() :], stage) or before


def _attended(names: str, stage: Stage) -> str:
    """The one an "attended" in a list of people attends: the name just before it."""
    attended = stage.attended.search(names)
    before = names_in(names[: attended.start()], stage) if attended else ()
    return before[-1] if before else ""


def _exit(sentence: str, leave: re.Match[str], stage: Stage) -> Act:
    after = sentence[leave.end() :]
    stays = stage.all_but.search(after)
    if stays:
        return Act("exit", staying=names_in(after[stays.end() :], stage), crowd=True)
    named = names_in(after, stage) or names_in(sentence[: leave.start()], stage)  # "KING RICHARD retires"
    plural = leave.group(0).lower().startswith("exeunt")
    crowd = bool(stage.crowd.search(after))
    aloft = bool(_ALOFT.search(after))
    rest = bool(stage.the_rest.search(after))
    train = bool(named) and bool(stage.train.search(after))
    everyone = plural and not named and not crowd and not aloft
    return Act("exit", named, crowd=crowd, everyone=everyone, aloft=aloft, rest=rest, train=train)


def _object(sentence: str, regex: re.Pattern[str], stage: Stage) -> tuple[str, ...]:
    """The people named after the action's verb, to the next clause: "discovers HERMIONE, standing as a statue"."""
    for match in regex.finditer(sentence):
        named = names_in(re.split(r"[,;:]", sentence[match.end() :], maxsplit=1)[0], stage)
        if named:
            return named
    return ()
