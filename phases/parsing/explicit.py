"""Find lighting and effect directions in the parts of a script that direct, never in dialogue."""

import re

from .vocabulary import alternation

_CUE_WORDS = re.compile(r"\b" + alternation("lighting_cue_words"), re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


_TIME_ONLY = re.compile(rf"^(?:(?:later|early|that|the|same|next)\s+)*{alternation('time_only_words')}[.;]?$", re.IGNORECASE)


def find_cues(fragment: str) -> list[str]:
    """The sentences of a direction that speak of light or light effects, verbatim but for spacing.

    A bare time of day ("Dusk.") is left out: it is the scene's time_of_day, not a cue.
    """
    flat = " ".join(fragment.split())
    if not flat or not _CUE_WORDS.search(flat):
        return []
    return [s for s in _SENTENCE_END.split(flat) if _CUE_WORDS.search(s) and not _TIME_ONLY.match(s)]


def has_cue_words(text: str) -> bool:
    return _CUE_WORDS.search(text) is not None
