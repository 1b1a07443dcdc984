"""A stage direction read by who does what: sentence by sentence, its entrances and exits (with the people they
name), and the actions the stage vocabulary knows (a death, a swoon, an apparition rising, a torch brought on).
A sentence that is only a sound offstage ("Alarum within", "Knocking within", "Low alarums") does nothing to the
light; "descends" is a vanish or a coming down, never an apparition."""

import re
from dataclasses import dataclass
from functools import lru_cache

from .stage_data import Stage, stage_vocabulary

_SENTENCES = re.compile(r"(?<=[.;!?])\s+|\s*--\s*|,?\s+then\s+(?=[a-z]+\b)|^then\s+", re.IGNORECASE)
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'’\-]*(?:\.[A-Z][A-Za-z'’\-]*)*")


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


def names_in(text: str, stage: Stage) -> tuple[str, ...]:
    """The people a list names: "Lady Macbeth, with a taper" -> ("LADY MACBETH",); possessives ("Caesar's body")
    and the vocabulary's extras and small words are not people."""
    names: list[str] = []
    for part in stage.name_separators.split(text):
        words = [w for w in _NAME_WORD.findall(part) if not w.endswith(("'s", "’s")) and w.upper() not in stage.not_names]
        words = [w for w in words if not stage.crowd.fullmatch(w)]
        if words:
            names.append(" ".join(w.upper() for w in words))
    return tuple(dict.fromkeys(names))


@lru_cache(maxsize=4096)
def read_direction(text: str) -> tuple[Act, ...]:
    """What the direction does, in its order."""
    stage = stage_vocabulary()
    acts: list[Act] = []
    for sentence in (s.strip(" .") for s in _SENTENCES.split(text)):
        if not sentence:
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
                    names_in(after, stage),
                    crowd=bool(stage.crowd.search(after)),
                    masked=bool(stage.masked.search(after)),
                    transit=bool(stage.transit.search(sentence)),
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


def _exit(sentence: str, leave: re.Match[str], stage: Stage) -> Act:
    after = sentence[leave.end() :]
    stays = stage.all_but.search(after)
    if stays:
        return Act("exit", staying=names_in(after[stays.end() :], stage), crowd=True)
    named = names_in(after, stage)
    plural = leave.group(0).lower().startswith("exeunt")
    crowd = bool(stage.crowd.search(after))
    return Act("exit", named, crowd=crowd, everyone=plural and not named and not crowd)


def _subject(sentence: str, regex: re.Pattern[str]) -> str:
    """The words before the action's verb: its subject ("HERO swoons", "Pindarus goes up")."""
    match = regex.search(sentence)
    return sentence[: match.start()] if match else ""
