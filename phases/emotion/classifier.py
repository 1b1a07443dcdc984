"""Scene emotion by similarity to prototype sentences, with the cue-word lexicon as a second feature.

Each label has prototype sentences (data/prototypes.yaml). A scene is cut into chunks of a few lines; every chunk
is embedded and compared with every label's prototypes (centred cosine similarity, so the direction all texts
share does not dominate). Chunk scores are pooled over the whole scene, so long scenes are read whole. The
lexicon's per-label evidence is mixed in with a fixed weight. Tunable numbers live in data/classifier.yaml.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from phases.contracts import Emotion, EmotionLabel
from phases.data_files import parse_yaml
from phases.embedding import embedder

from .lexicon import DATA, EmotionDataError, lexicon_evidence, taxonomy

METHOD = "static-embedding+lexicon"
_HAS_WORD = re.compile(r"\w")
_SPLIT = re.compile(r"\n\s*\n|(?<=[.!?])\s+|\n")


@dataclass(frozen=True)
class Settings:
    chunk_words: int  # a chunk holds whole sentences up to about this many words
    temperature: float  # softmax temperature over the centred similarities
    lexicon_weight: float  # most share of the final score the lexicon can take
    lexicon_density: float  # cue-word hits per 100 words at which the lexicon gets ~63% of that share
    max_pool: float  # 0 = mean of chunk scores, 1 = the strongest chunk per label
    secondary_threshold: float  # secondary is kept when its probability is at least this share of the primary's
    confidence_bias: float  # calibration of primary_confidence (see data/classifier.yaml)
    confidence_margin: float
    confidence_top: float
    evidence_words: float  # a read of this many words keeps half its confidence: one word cannot be sure
    baseline_power: float  # how far a beat's scores are read against each label's usual share in plays (0 = not)


@lru_cache(maxsize=1)
def settings() -> Settings:
    raw = parse_yaml((DATA / "classifier.yaml").read_text(encoding="utf-8"))
    try:
        return Settings(**{k: float(v) if k != "chunk_words" else int(v) for k, v in raw.items()})
    except (TypeError, ValueError) as exc:
        raise EmotionDataError(f"classifier.yaml: {exc}") from None


@dataclass(frozen=True)
class Prototypes:
    labels: tuple[str, ...]
    centroids: np.ndarray  # (labels, dim), centred and unit length
    centre: np.ndarray  # (dim,) the mean prototype vector


@lru_cache(maxsize=1)
def prototypes() -> Prototypes:
    raw = parse_yaml((DATA / "prototypes.yaml").read_text(encoding="utf-8"))
    known = taxonomy()
    if not isinstance(raw, dict):
        raise EmotionDataError("prototypes.yaml: expected a mapping of label -> list of sentences")
    missing = sorted(set(known) - set(raw))
    unknown = sorted(set(raw) - set(known))
    if missing or unknown:
        raise EmotionDataError(f"prototypes.yaml: labels missing {missing}, not in taxonomy.yaml {unknown}")
    labels = tuple(known)
    model = embedder()
    per_label = []
    for label in labels:
        sentences = raw[label]
        if not isinstance(sentences, list) or not sentences or not all(isinstance(s, str) for s in sentences):
            raise EmotionDataError(f"prototypes.yaml: field {label}: expected a non-empty list of sentences")
        per_label.append(model.embed(sentences))
    centre = np.concatenate(per_label).mean(axis=0)
    centroids = np.stack([(vectors - centre).mean(axis=0) for vectors in per_label])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return Prototypes(labels=labels, centroids=centroids.astype(np.float32), centre=centre.astype(np.float32))


def chunks(text: str, chunk_words: int) -> list[str]:
    """Whole sentences packed into chunks of about chunk_words words; every word of the text lands in one."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for piece in _SPLIT.split(text):
        piece = piece.strip()
        if not piece:
            continue
        n = piece.count(" ") + 1
        if current and size + n > chunk_words:
            out.append(" ".join(current))
            current, size = [], 0
        current.append(piece)
        size += n
    if current:
        out.append(" ".join(current))
    return out


def label_scores(text: str) -> dict[str, float]:
    """Probability-like score per label (they sum to 1) for the whole text."""
    return batch_label_scores([text])[0]


def batch_label_scores(texts: list[str], conf: Settings | None = None) -> list[dict[str, float]]:
    conf = conf or settings()
    protos = prototypes()
    pieces: list[str] = []
    owners: list[int] = []
    for index, text in enumerate(texts):
        for piece in chunks(text, conf.chunk_words) or [""]:
            pieces.append(piece)
            owners.append(index)
    vectors = embedder().embed(pieces) - protos.centre
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    sims = vectors @ protos.centroids.T  # (chunks, labels)
    owner = np.asarray(owners)
    results = []
    for index, text in enumerate(texts):
        if not _HAS_WORD.search(text):  # nothing to read: a silent or empty scene is neutral
            results.append({label: float(label == "neutral") for label in protos.labels})
            continue
        rows = sims[owner == index]
        pooled = (1 - conf.max_pool) * rows.mean(axis=0) + conf.max_pool * rows.max(axis=0)
        logits = pooled / conf.temperature
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        lex, n_words = lexicon_evidence(text)
        lex_total = sum(lex.values())
        # How far to trust the cue words: little evidence per 100 words leaves the decision to the embedding.
        trust = conf.lexicon_weight * (1 - math.exp(-100 * lex_total / n_words / conf.lexicon_density))
        mixed = {}
        for j, label in enumerate(protos.labels):
            lex_share = lex.get(label, 0.0) / lex_total if lex_total else 0.0
            mixed[label] = float((1 - trust) * probs[j] + trust * lex_share)
        results.append(mixed)
    return results


def emotion_from_scores(scores: dict[str, float], method: str = METHOD, words: int | None = None) -> Emotion:
    conf = settings()
    affect = taxonomy()
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (primary, top), (runner, second) = ranked[0], ranked[1]
    secondary = runner if second >= conf.secondary_threshold * top else None
    weights = ranked[:3]
    norm = sum(w for _, w in weights) or 1.0
    confidence = calibrated_confidence(top, second, conf)
    if words is not None and second > 0:
        confidence *= words / (words + conf.evidence_words)
    valence = sum(affect[label].valence * w for label, w in weights) / norm
    arousal = sum(affect[label].arousal * w for label, w in weights) / norm
    return Emotion(
        primary=_label(primary),
        primary_confidence=round(confidence, 3),
        secondary=_label(secondary) if secondary else None,
        secondary_confidence=round(confidence * second / top, 3) if secondary and top > 0 else None,
        valence=round(max(-1.0, min(1.0, valence)), 3),
        arousal=round(max(0.0, min(1.0, arousal)), 3),
        method=method,
    )


def calibrated_confidence(top: float, second: float, conf: Settings | None = None) -> float:
    """The chance the top label is right, from how strong it is and how far it leads the runner-up."""
    conf = conf or settings()
    if top <= 0 or second <= 0:  # nothing read (an empty scene is neutral for sure), or nothing competes
        return max(0.0, min(1.0, top))
    margin = (top - second) / top
    z = conf.confidence_bias + conf.confidence_margin * margin + conf.confidence_top * top
    return 1 / (1 + math.exp(-z))


def classify(text: str) -> Emotion:
    return emotion_from_scores(label_scores(text), words=len(text.split()))


def classify_many(texts: list[str]) -> list[Emotion]:
    return [emotion_from_scores(s, words=len(t.split())) for s, t in zip(batch_label_scores(texts), texts, strict=True)]


def _label(value: str) -> EmotionLabel:
    return value  # type: ignore[return-value]
