"""Where a scene plays: interior or exterior from the location, whether a heading carries the place and time
on ("The same.", "Another part of the wood", CONTINUOUS), and the time a heading states. The words are data
(data/time_and_place.yaml); the time of day itself is read by time_of_day.py."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from phases.data_files import parse_yaml

from .time_mentions import read_words
from .time_of_day import SceneTime, read_scene_time
from .time_words import finditer, prepare, time_vocabulary

DATA_FILE = Path(__file__).parent / "data" / "time_and_place.yaml"
_SLUG_PREFIX = re.compile(r"^[ \t]*\.?(INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Places:
    carry: re.Pattern[str]
    exterior: re.Pattern[str]
    interior: re.Pattern[str]
    slug_interior: frozenset[str]
    slug_exterior: frozenset[str]


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:{p})\b" if p.startswith(("(?:^", "^")) else rf"\b(?:{p})\b" for p in patterns), re.I)


@cache
def places() -> Places:
    raw = parse_yaml(DATA_FILE.read_text(encoding="utf-8"))
    try:
        return Places(
            carry=re.compile("|".join(raw["carry_phrases"]), re.IGNORECASE),
            exterior=_any(raw["exterior"]),
            interior=_any(raw["interior"]),
            slug_interior=frozenset(p.upper() for p in raw["slug_interior"]),
            slug_exterior=frozenset(p.upper() for p in raw["slug_exterior"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RuntimeError(f"{DATA_FILE}: {exc}") from None


def heading_time(heading: str | None) -> tuple[str, str] | None:
    """(time, the heading's words) when a heading states the time ("A room. Night.", "Hautboys and torches")."""
    if not heading:
        return None
    lowered = prepare(heading)
    for word in time_vocabulary().words:
        if word.where == "direction" and word.now and finditer(word.pattern, lowered):
            return word.now, " ".join(heading.split())[:160]
    return None


def read_time(heading: str | None, directions: list[str], dialogue: list[str]) -> SceneTime:
    """The time of day of loose parts of a scene (a heading, its directions, its lines), with nothing before it."""
    lines = [f"[{d}]" for d in directions if d] + [f"A.\n{line}" for line in dialogue if line]
    return read_scene_time(read_words("\n\n".join(lines), 0, play=True), heading_time(heading), None)


def carries(heading: str | None) -> bool:
    """The heading carries the action on: "The same.", "Another part of the field", CONTINUOUS, LATER."""
    rest = _heading_rest(heading or "")
    return bool(places().carry.search(rest))


def read_setting(heading: str | None, location: str | None) -> str | None:
    """interior or exterior from a slug prefix (INT./EXT.) or the location's first place word."""
    vocab = places()
    prefix = _SLUG_PREFIX.match(heading or "")
    if prefix:
        kind = prefix.group(1).upper().rstrip(".")
        if kind in vocab.slug_interior:
            return "interior"
        if kind in vocab.slug_exterior:
            return "exterior"
    if not location:
        return None
    outside = vocab.exterior.search(location)
    inside = vocab.interior.search(location)
    if outside and (not inside or outside.start() <= inside.start()):
        return "exterior"
    return "interior" if inside else None


def _heading_rest(heading: str) -> str:
    """The heading past `ACT I. SCENE II.`: the place and time words."""
    return re.sub(r"^.*?\b(?:scene|scena|scoena|scaena)\s+\w+\b[.:,\-—–\s]*", "", heading, count=1, flags=re.I)
