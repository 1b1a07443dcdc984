"""Score emotion readers against a labelled set of scene passages (accuracy and macro-F1 on the basic seven)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from .classifier import Settings, batch_label_scores, settings
from .lexicon import EmotionDataError, lexicon_scores

BASIC: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


@dataclass(frozen=True)
class Passage:
    id: str
    label: str
    text: str
    source: str


@dataclass(frozen=True)
class Score:
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]


def load_passages(path: Path) -> list[Passage]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise EmotionDataError(f"{path.name}: expected a list of passages")
    out = []
    for index, item in enumerate(raw):
        try:
            passage = Passage(id=item["id"], label=item["label"], text=item["text"], source=item["source"])
        except (KeyError, TypeError) as exc:
            raise EmotionDataError(f"{path.name}: field {index}: missing {exc}") from None
        if passage.label not in BASIC:
            raise EmotionDataError(f"{path.name}: field {index}.label: {passage.label!r} is not a basic label")
        out.append(passage)
    return out


def score(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = BASIC) -> Score:
    per_label = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_label[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1)
    return Score(accuracy=accuracy, macro_f1=sum(per_label.values()) / len(labels), per_label_f1=per_label)


def _best_basic(scores: dict[str, float]) -> str:
    return max(BASIC, key=lambda label: (scores.get(label, 0.0), label == "neutral"))


def model_predictions(texts: Sequence[str], conf: Settings | None = None) -> list[str]:
    """The classifier's best label among the basic seven."""
    return [_best_basic(s) for s in batch_label_scores(list(texts), conf)]


def embedding_only_predictions(texts: Sequence[str]) -> list[str]:
    return model_predictions(texts, replace(settings(), lexicon_weight=0.0))


def keyword_predictions(texts: Sequence[str]) -> list[str]:
    """The plain keyword baseline: most cue-word hits among the basic labels; no hits reads neutral."""
    out = []
    for text in texts:
        hits = {k: v for k, v in lexicon_scores(text).items() if k in BASIC}
        out.append(max(sorted(hits), key=lambda k: hits[k]) if hits else "neutral")
    return out


READERS: dict[str, Callable[[Sequence[str]], list[str]]] = {
    "model": model_predictions,
    "embedding_only": embedding_only_predictions,
    "keyword_baseline": keyword_predictions,
}
