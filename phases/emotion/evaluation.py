"""Score emotion readers against a labelled set of scene passages (accuracy and macro-F1 on the basic seven)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from phases.contracts import Scene
from phases.data_files import parse_yaml

from .classifier import Settings, batch_label_scores, settings
from .lexicon import EmotionDataError, lexicon_scores, taxonomy

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
    raw = parse_yaml(path.read_text(encoding="utf-8"))
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


_ACT_NUMERALS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}


@dataclass(frozen=True)
class SceneLabel:
    play: str  # file stem in the plays folder
    act: int
    scene: int  # the scene's number inside its act, as Phase 1 reads it
    label: str
    line: str  # the line that decides the label; it must be in the scene's text
    source: str


def load_scene_labels(path: Path) -> list[SceneLabel]:
    raw = parse_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise EmotionDataError(f"{path.name}: expected a list of scene labels")
    known = set(taxonomy())
    out = []
    for index, item in enumerate(raw):
        try:
            act = item["act"]
            label = SceneLabel(
                play=str(item["play"]),
                act=_ACT_NUMERALS[act] if isinstance(act, str) else int(act),
                scene=int(item["scene"]),
                label=str(item["label"]),
                line=str(item["line"]),
                source=str(item["source"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EmotionDataError(f"{path.name}: field {index}: bad or missing {exc}") from None
        if label.label not in known:
            raise EmotionDataError(f"{path.name}: field {index}.label: {label.label!r} is not in taxonomy.yaml")
        out.append(label)
    return out


def labelled_scenes(labels: Sequence[SceneLabel], plays_dir: Path) -> list[tuple[SceneLabel, Scene]]:
    """Each label with its scene, parsed from the play (scenes numbered inside their act)."""
    from phases.parsing import parse_file  # only the evaluation reads whole plays

    by_play: dict[str, dict[tuple[int, int], Scene]] = {}
    out = []
    for label in labels:
        if label.play not in by_play:
            numbered: dict[tuple[int, int], Scene] = {}
            counts: dict[int, int] = {}
            for scene in parse_file(plays_dir / f"{label.play}.txt").scenes:
                if scene.act is not None:
                    counts[scene.act] = counts.get(scene.act, 0) + 1
                    numbered[(scene.act, counts[scene.act])] = scene
            by_play[label.play] = numbered
        scene = by_play[label.play].get((label.act, label.scene))
        if scene is None:
            raise EmotionDataError(f"{label.source}: no such scene in {label.play}")
        out.append((label, scene))
    return out


def scene_label_score(gold: Sequence[str], predicted: Sequence[str]) -> Score:
    """Accuracy and macro-F1 over the labels the gold set uses (a label nobody wrote does not count)."""
    return score(gold, predicted, labels=sorted(set(gold)))
