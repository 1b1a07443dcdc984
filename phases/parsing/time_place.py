"""When and where a scene plays: time of day scored from heading, directions and dialogue; interior or exterior
from the location. The words, weights and thresholds are data (data/time_and_place.yaml)."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).parent / "data" / "time_and_place.yaml"
_SLUG_PREFIX = re.compile(r"^[ \t]*\.?(INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    pattern: re.Pattern[str]
    value: str
    weight: float
    needs: tuple[str, ...]  # one of these must be in the (lower-cased) text before the pattern is tried

    def search(self, lowered: str) -> re.Match[str] | None:
        """The first match in a line (lines split by newlines) that holds a needed word; found by str.find."""
        if not self.needs:
            return self.pattern.search(lowered)
        best: re.Match[str] | None = None
        for word in self.needs:
            at = lowered.find(word)
            while at >= 0 and (best is None or at < best.start()):
                start = lowered.rfind("\n", 0, at) + 1
                end = lowered.find("\n", at)
                end = len(lowered) if end < 0 else end
                match = self.pattern.search(lowered, start, end)
                if match:
                    best = match if best is None or match.start() < best.start() else best
                    break
                at = lowered.find(word, end)
        return best


@dataclass(frozen=True)
class Vocabulary:
    source_weight: dict[str, float]
    decide_at: float
    margin: float
    carries_on: frozenset[str]
    carry: re.Pattern[str]
    stated: tuple[Evidence, ...]
    carried_lights: tuple[Evidence, ...]
    night_signs: tuple[Evidence, ...]
    day_signs: tuple[Evidence, ...]
    families: dict[str, str]
    spoken: tuple[Evidence, ...]
    exterior: re.Pattern[str]
    interior: re.Pattern[str]
    slug_interior: frozenset[str]
    slug_exterior: frozenset[str]


def _evidence(items: list[dict]) -> tuple[Evidence, ...]:
    # Lower-case patterns searched in lower-cased text: re's IGNORECASE loses its fast literal scan (4-5x slower).
    return tuple(
        Evidence(
            re.compile(rf"\b(?:{str(i['pattern']).lower()})\b"),
            str(i["value"]),
            float(i["weight"]),
            tuple(str(w).lower() for w in i.get("needs", [])),
        )
        for i in items
    )


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:{p})\b" if p.startswith(("(?:^", "^")) else rf"\b(?:{p})\b" for p in patterns), re.I)


@cache
def vocabulary() -> Vocabulary:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    try:
        return Vocabulary(
            source_weight={k: float(v) for k, v in raw["source_weight"].items()},
            decide_at=float(raw["decide_at"]),
            margin=float(raw["margin"]),
            carries_on=frozenset(raw["carries_on"]),
            carry=re.compile("|".join(raw["carry_phrases"]), re.IGNORECASE),
            stated=_evidence(raw["stated"]),
            carried_lights=_evidence(raw["carried_lights"]),
            night_signs=_evidence(raw["night_signs"]),
            day_signs=_evidence(raw["day_signs"]),
            families={str(k): str(v) for k, v in raw["families"].items()},
            spoken=_evidence(raw["spoken"]),
            exterior=_any(raw["exterior"]),
            interior=_any(raw["interior"]),
            slug_interior=frozenset(p.upper() for p in raw["slug_interior"]),
            slug_exterior=frozenset(p.upper() for p in raw["slug_exterior"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RuntimeError(f"{DATA_FILE}: {exc}") from None


@dataclass(frozen=True)
class TimeReading:
    value: str | None
    evidence: str | None  # what decided it, e.g. `dialogue: "The moon is down"`
    scores: dict[str, float]  # every time the scene's text points to, with its score


def read_time(heading: str | None, directions: list[str], dialogue: list[str]) -> TimeReading:
    """The best-supported time of day, or None when the evidence is thin or split.

    A time the heading states decides on its own. Otherwise every entry of the word lists counts once per source
    (its best hit), weighted by where it was found, and the best time must reach `decide_at` and beat the
    runner-up by `margin`.
    """
    vocab = vocabulary()
    if heading:
        lowered = _lower(heading)
        for item in vocab.stated:
            if item.search(lowered):
                return TimeReading(item.value, f'heading: "{" ".join(heading.split())[:120]}"', {item.value: 1.0})
    shown = vocab.stated + vocab.carried_lights + vocab.night_signs + vocab.day_signs
    sources = (
        ("heading", [heading] if heading else [], vocab.night_signs),
        ("direction", [d for d in directions if not heading or d not in heading], shown),
        ("dialogue", dialogue, vocab.spoken),
    )
    scores: dict[str, float] = {}
    best_hit: dict[str, tuple[float, str]] = {}
    for source, texts, entries in sources:
        if source == "dialogue" and scores:
            shown_only = _decide(scores, best_hit, vocab)
            if shown_only.value is not None:  # what the directions show outranks what is said
                return shown_only
        joined = "\n".join(" ".join(t.split("\n")) for t in texts if t)  # one line per text
        if not joined:
            continue
        lowered = _lower(joined)
        for item in entries:
            match = item.search(lowered)
            if match is None:
                continue
            points = vocab.source_weight[source] * item.weight
            scores[item.value] = scores.get(item.value, 0.0) + points
            if points > best_hit.get(item.value, (0.0, ""))[0]:
                best_hit[item.value] = (points, f'{source}: "{_around(joined, match)}"')
    return _decide(scores, best_hit, vocab)


def _decide(scores: dict[str, float], best_hit: dict[str, tuple[float, str]], vocab: Vocabulary) -> TimeReading:
    if not scores:
        return TimeReading(None, None, {})
    family: dict[str, float] = {}
    for value, points in scores.items():
        head = vocab.families.get(value, value)
        family[head] = family.get(head, 0.0) + points
    ranked = sorted(family.items(), key=lambda kv: -kv[1])
    head, top = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if top < vocab.decide_at or top < vocab.margin * runner:
        return TimeReading(None, None, dict(scores))
    members = [v for v in scores if vocab.families.get(v, v) == head]
    value = max(members, key=lambda v: (scores[v], v != head))  # midnight over night when it is as strong
    return TimeReading(value, best_hit[value][1], dict(scores))


def carried_time(
    reading: TimeReading, heading: str | None, same_act: bool, before: str | None, before_is_own: bool = True
) -> str | None:
    """The time of the scene before, when this scene has none of its own and the text goes on.

    It goes on when the heading says so ("The same.", CONTINUOUS), or, in the same act, when the scene before
    was a night by its own evidence (the same night goes on, one scene further: a night is not carried through a
    whole act). Weak evidence of another time in the scene stops the carry.
    """
    if reading.value is not None or before is None:
        return None
    said_so = carries(heading)
    if not (said_so or (same_act and before_is_own and before in vocabulary().carries_on)):
        return None
    own = reading.scores.get(before, 0.0)
    if any(score > own for value, score in reading.scores.items() if value != before):
        return None
    return before


def carries(heading: str | None) -> bool:
    """The heading says the time goes on: "The same.", CONTINUOUS, LATER, "later that night"."""
    rest = _heading_rest(heading or "")
    return bool(vocabulary().carry.search(rest))


def read_setting(heading: str | None, location: str | None) -> str | None:
    """interior or exterior from a slug prefix (INT./EXT.) or the location's first place word."""
    vocab = vocabulary()
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


def _lower(text: str) -> str:
    """Lower case with the same length, so match offsets hold in the original text."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _heading_rest(heading: str) -> str:
    """The heading past `ACT I. SCENE II.`: the place and time words."""
    return re.sub(r"^.*?\b(?:scene|scena|scoena|scaena)\s+\w+\b[.:,\-—–\s]*", "", heading, count=1, flags=re.I)


def _around(text: str, match: re.Match[str], width: int = 40) -> str:
    """The matched words with a few whole words either side."""
    start = max(0, match.start() - width)
    end = min(len(text), match.end() + width)
    if start > 0:
        space = text.find(" ", start, match.start())
        start = space + 1 if space >= 0 else match.start()
    if end < len(text):
        space = text.rfind(" ", match.end(), end)
        end = space if space >= 0 else match.end()
    return " ".join(text[start:end].split())[:120]
