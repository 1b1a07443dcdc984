"""A stage direction read by who does what: sentence by sentence, its entrances and exits (with the people they
name), and the actions the stage vocabulary knows (a death, a swoon, an apparition rising, a torch brought on).
A sentence that is only a sound offstage ("Alarum within", "Knocking within", "Low alarums") does nothing to the
light; "descends" is a vanish or a coming down, never an apparition."""

import re
from dataclasses import dataclass
from functools import lru_cache

from .stage_data import Stage, stage_vocabulary

_SENTENCES = re.compile(r"(?<=[.;!?])\s+|\s*--\s*|[,:]?\s+then,?\s+(?=[a-z]+\b)|^then,?\s+", re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'’\-]*(?:\.[A-Z][A-Za-z'’\-]*)*")
_LEADING_NAMES = re.compile(r"^(?:[A-Z][\w'’.\-]*[ \t,]*(?:and[ \t]+|&[ \t]*)?)+")
_ALOFT = re.compile(r"\b(?:above|aloft|from the walls)\b", re.IGNORECASE)
_THEY = re.compile(r"\bthey\s*$", re.IGNORECASE)
# A subject that is a thing ("with a quaint device, the banquet vanishes"): an article and a common noun.
_THING = re.compile(r"\b(?:the|a|an|this)\s+[a-z][a-z\-]*\s*$")
_POSSESSIVE = ("'s", "’s", "'", "’")  # "Caesar's body", "Hastings' head": not a person on stage
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


def names_in(text: str, stage: Stage) -> tuple[str, ...]:
    """The people a list names: "Lady Macbeth, with a taper" -> ("LADY MACBETH",); possessives ("Caesar's body")
    and the vocabulary's extras and small words are not people."""
    names: list[str] = []
    for part in stage.name_separators.split(text):
        words = [w for w in _NAME_WORD.findall(part) if not w.endswith(_POSSESSIVE) and w.upper() not in stage.not_names]
        words = [w for w in words if not stage.crowd.fullmatch(w)]
        if words:
            names.append(" ".join(w.upper() for w in words))
    return tuple(dict.fromkeys(names))


@lru_cache(maxsize=4096)
def read_direction(text: str) -> tuple[Act, ...]:
    """What the direction does, in its order."""
    stage = stage_vocabulary()
    acts: list[Act] = []
    subject: tuple[str, ...] = ()  # who the direction is about so far: "CATESBY goes to the MAYOR, and then exit"
    entered: Act | None = None  # who came on in it: "Enter Shapes, bringing in a banquet; ... they depart"
    for sentence in (s.strip(" .") for s in _SENTENCES.split(text)):
        if not sentence:
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
                    names_in(after, stage),
                    crowd=bool(stage.crowd.search(after)),
                    masked=bool(stage.masked.search(after)),
                        transit=bool(stage.transit.search(sentence)),
                    ),
                )
            )
        if leave and not enter:
            gone = _exit(sentence, leave, stage)
            bare = not (gone.names or gone.staying or gone.crowd or gone.everyone or gone.aloft)
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


def _exit(sentence: str, leave: re.Match[str], stage: Stage) -> Act:
    after = sentence[leave.end() :]
    stays = stage.all_but.search(after)
    if stays:
        return Act("exit", staying=names_in(after[stays.end() :], stage), crowd=True)
    named = names_in(after, stage)
    plural = leave.group(0).lower().startswith("exeunt")
    crowd = bool(stage.crowd.search(after))
    aloft = bool(_ALOFT.search(after))
    return Act("exit", named, crowd=crowd, everyone=plural and not named and not crowd and not aloft, aloft=aloft)


def _object(sentence: str, regex: re.Pattern[str], stage: Stage) -> tuple[str, ...]:
    """The people named after the action's verb, to the next clause: "discovers HERMIONE, standing as a statue"."""
    for match in regex.finditer(sentence):
        named = names_in(re.split(r"[,;:]", sentence[match.end() :], maxsplit=1)[0], stage)
        if named:
            return named
    return ()
