"""A transparent, offline emotion reader: weighted cue words per label, read over the whole scene."""

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from phases.contracts import Emotion, EmotionLabel
from phases.data_files import parse_yaml

DATA = Path(__file__).parent / "data"
_WORD = re.compile(r"[a-z][a-z'’\-]*")
SECONDARY_THRESHOLD = 0.5  # secondary is kept when its score is at least half the primary's


class EmotionDataError(ValueError):
    """A data file of the emotion phase is malformed."""


@dataclass(frozen=True)
class Affect:
    valence: float
    arousal: float


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, Affect]:
    raw = parse_yaml((DATA / "taxonomy.yaml").read_text())
    try:
        return {label: Affect(float(v["valence"]), float(v["arousal"])) for label, v in raw.items()}
    except (KeyError, TypeError, ValueError) as exc:
        raise EmotionDataError(f"taxonomy.yaml: {exc}") from None


@lru_cache(maxsize=1)
def lexicon() -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """(single-word stems, multi-word phrases), each label -> cue -> weight."""
    raw = parse_yaml((DATA / "lexicon.yaml").read_text())
    known = set(taxonomy())
    stems: dict[str, dict[str, float]] = {}
    phrases: dict[str, dict[str, float]] = {}
    for label, entries in raw.items():
        if label not in known:
            raise EmotionDataError(f"lexicon.yaml: label {label!r} is not in taxonomy.yaml")
        for entry in entries:
            cue, weight = next(iter(entry.items())) if isinstance(entry, dict) else (entry, 1.0)
            cue = str(cue).lower().strip("!")
            target = phrases if " " in cue else stems
            target.setdefault(cue, {})[label] = float(weight)
    return stems, phrases


def read_emotion(text: str) -> Emotion:
    scores, n_words = lexicon_evidence(text)
    return _emotion_from_scores(scores, n_words)


def lexicon_scores(text: str) -> dict[str, float]:
    """Weighted cue-word hits per emotional label (neutral cues are not counted)."""
    return lexicon_evidence(text)[0]


def lexicon_evidence(text: str) -> tuple[dict[str, float], int]:
    """(weighted hits per label without neutral, number of words)."""
    stems, phrases = lexicon()
    lowered = text.lower()
    scores: dict[str, float] = {}
    words = _WORD.findall(lowered)
    for word in words:
        for label, weight in _stem_hits(word):
            scores[label] = scores.get(label, 0.0) + weight
    for phrase, labels in phrases.items():
        count = lowered.count(phrase)
        for label, weight in labels.items():
            if count:
                scores[label] = scores.get(label, 0.0) + 2 * weight * count
    scores.pop("neutral", None)
    return scores, max(len(words), 1)


@lru_cache(maxsize=65536)
def _stem_hits(word: str) -> tuple[tuple[str, float], ...]:
    stems = lexicon()[0]
    for cut in range(len(word), 2, -1):
        labels = stems.get(word[:cut])
        if labels and (cut == len(word) or cut >= 4):
            return tuple(labels.items())
    return ()


def _emotion_from_scores(scores: dict[str, float], n_words: int) -> Emotion:
    affect = taxonomy()
    # Evidence density: hits per 100 words. Below ~0.8 a scene reads as neutral.
    total = sum(scores.values())
    density = 100 * total / n_words
    if not scores or density < 0.8:
        return Emotion(
            primary="neutral",
            primary_confidence=round(min(0.9, 0.5 + 0.05 * (0.8 - density)), 3),
            valence=affect["neutral"].valence,
            arousal=affect["neutral"].arousal,
            method="lexicon",
        )
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (primary, top), rest = ranked[0], ranked[1:]
    share = top / total
    confidence = round(min(0.95, share * (1 - math.exp(-density / 2))), 3)
    secondary = None
    secondary_confidence = None
    if rest and rest[0][1] >= SECONDARY_THRESHOLD * top:
        secondary = rest[0][0]
        secondary_confidence = round(min(confidence, rest[0][1] / total), 3)
    weights = [(affect[label], value) for label, value in ranked[:3]]
    norm = sum(w for _, w in weights)
    valence = sum(a.valence * w for a, w in weights) / norm
    arousal = sum(a.arousal * w for a, w in weights) / norm
    return Emotion(
        primary=_label(primary),
        primary_confidence=confidence,
        secondary=_label(secondary) if secondary else None,
        secondary_confidence=secondary_confidence,
        valence=round(max(-1, min(1, valence)), 3),
        arousal=round(max(0, min(1, arousal)), 3),
        method="lexicon",
    )


def _label(value: str) -> EmotionLabel:
    return value  # type: ignore[return-value]
