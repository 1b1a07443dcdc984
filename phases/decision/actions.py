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
    rest: bool = False  # an exit that takes everyone who does not speak next ("Exeunt the rest")
    train: bool = False  # an exit with a leader's train ("Exeunt Caesar and his Train", "Exit Duke, &c.")
    chorus: bool = False  # an entrance "as Chorus"
    leader: str = ""  # whom an entrance's extras attend ("ALONSO, attended by GONZALO"): else the first named


@lru_cache(maxsize=4096)
def read_direction(text: str) -> tuple[Act, ...]:
    """What the direction does, in its order."""
    stage = stage_vocabulary()
    acts: list[Act] = []
    for sentence in direction_sentences(text):
        if stage.misprinted_exit.fullmatch(sentence):
            acts.append(Act("exit"))  # a bare "Enter." brings no one on: the Folio's exit
            continue
        enter = stage.enter.search(sentence)
        leave = stage.exit.search(sentence)
        if stage.sound_only.search(sentence) and not enter and not leave:
            continue  # a sound offstage
        if enter:
            after = sentence[enter.end() :]
            acts.append(
                Act(
                    "enter",
                    _entering(sentence, enter, stage),
                    crowd=bool(stage.crowd.search(after)),
                    masked=bool(stage.masked.search(after)),
                    transit=bool(stage.transit.search(sentence)),
                    chorus=bool(stage.chorus_role.search(after)),
                    leader=_attended(after, stage),
                )
            )
        if leave and not enter:
            acts.append(_exit(sentence, leave, stage))
        elif not leave and not enter and stage.all_but.search(sentence):
            stays = stage.all_but.search(sentence)
            acts.append(Act("exit", staying=names_in(sentence[: stays.start()], stage)))  # type: ignore[union-attr]
        if stage.any_action.search(sentence):
            acts += _actions(sentence, stage)
    return tuple(acts)


def _actions(sentence: str, stage: Stage) -> list[Act]:
    found: dict[str, Act] = {}
    for regex, action in stage.actions:
        if action not in found and regex.search(sentence):
            found[action] = Act(action, names_in(_subject(sentence, regex), stage))
    if "storm" in found:  # the storm's own thunder and lightning
        found.pop("lightning", None)
        found.pop("thunder", None)
    if "vanish" in found:  # "Descends into the cauldron", "Ghost vanishes": going, not coming
        found.pop("apparition", None)
        found.pop("lower", None)
    if stage.exit.search(sentence):  # "Exit above": leaving the upper level, not going up to it
        found.pop("upper", None)
    return list(found.values())


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
    rest = bool(stage.the_rest.search(after))
    train = bool(named) and bool(stage.train.search(after))
    return Act("exit", named, crowd=crowd, everyone=plural and not named and not crowd, rest=rest, train=train)


def _subject(sentence: str, regex: re.Pattern[str]) -> str:
    """The words before the action's verb: its subject ("HERO swoons", "Pindarus goes up")."""
    match = regex.search(sentence)
    return sentence[: match.start()] if match else ""
