"""Find lighting and effect directions in the parts of a script that direct, never in dialogue."""

import re

_CUE_WORDS = re.compile(
    r"\b(?:black[ -]?outs?|lights?\b|lighting|lamps?(?! ?(?:room|post|house|lighter))\b|"
    r"fades?\b|fade[ds]?\b|fading|dims?\b|dimm(?:ed|ing)|"
    r"cut to black|spot(?:light)?s?\b|follow[ -]?spot|thunder(?:s|ing)?|lightning|torch(?:es|light)?|"
    r"candles?|candle-?light|lanterns?|tapers?|flash(?:es|ing)?|strobe|flicker(?:s|ing)?|moon(?:light|lit)?|"
    r"sunrise|sunset|dawn|dusk|darkness|dark\b|glow(?:s|ing)?|fire(?:light)?|bonfire|fireworks?|"
    r"silhouette|shadows?|gobo|haze|smoke|fog|mist)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


_TIME_ONLY = re.compile(
    r"^(?:(?:later|early|that|the|same|next)\s+)*(?:dawn|dusk|night|morning|evening|day|sunrise|sunset)[.;]?$", re.I
)


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
