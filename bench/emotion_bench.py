"""Emotion benchmark: accuracy and macro-F1 on tests/data/emotion_eval.yaml, and scenes per second.
Also times Phase 3 retrieval per scene, which shares the static model.

Run: .venv/bin/python -m bench.emotion_bench
"""

import statistics
import time
from pathlib import Path

from phases.contracts import Scene, TimeWindow
from phases.embedding import embedder
from phases.emotion import detect_emotion
from phases.emotion.evaluation import READERS, labelled_scenes, load_passages, load_scene_labels, scene_label_score, score
from phases.knowledge import ScenePosition, load_knowledge, retrieve
from phases.parsing import parse_file

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "emotion_eval.yaml"
SCENE_LABELS = ROOT / "tests" / "data" / "scene_emotion_labels.yaml"
PLAYS = Path("/work/shared/data/scripts/plays")
RUNS = 5


def _scenes(texts: list[str]) -> list[Scene]:
    return [
        Scene(scene_id=f"scene_{i + 1:03d}", script_type="raw_drama", time_window=TimeWindow(start=i, end=i + 1), text=t)
        for i, t in enumerate(texts)
    ]


def _throughput(scenes: list[Scene], repeat: int) -> float:
    """Median scenes/s over RUNS timed runs of detect_emotion, one scene at a time."""
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(repeat):
            for scene in scenes:
                detect_emotion(scene)
        rates.append(repeat * len(scenes) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> dict[str, float]:
    passages = load_passages(EVAL)
    gold = [p.label for p in passages]
    texts = [p.text for p in passages]
    result: dict[str, float] = {"passages": float(len(passages))}
    print(f"emotion eval: {len(passages)} passages, seven basic labels")
    for name, reader in READERS.items():
        s = score(gold, reader(texts))
        result[f"{name}_accuracy"] = round(s.accuracy, 4)
        result[f"{name}_macro_f1"] = round(s.macro_f1, 4)
        per_label = " ".join(f"{k}={v:.2f}" for k, v in s.per_label_f1.items())
        print(f"  {name:17s} accuracy {s.accuracy:.3f}  macro-F1 {s.macro_f1:.3f}   ({per_label})")
    gap = result["model_macro_f1"] - result["keyword_baseline_macro_f1"]
    result["model_minus_baseline_f1_points"] = round(100 * gap, 1)
    print(f"  model beats the keyword baseline by {100 * gap:.1f} macro-F1 points (acceptance: >= 15)")

    pairs = labelled_scenes(load_scene_labels(SCENE_LABELS), PLAYS)
    read = [detect_emotion(scene) for _, scene in pairs]
    gold_scenes = [label.label for label, _ in pairs]
    s = scene_label_score(gold_scenes, [e.primary for e in read])
    right = [e.primary_confidence for e, g in zip(read, gold_scenes, strict=True) if e.primary == g]
    mean_conf = statistics.mean(e.primary_confidence for e in read)
    result["scene_labels_accuracy"] = round(s.accuracy, 4)
    result["scene_labels_macro_f1"] = round(s.macro_f1, 4)
    result["scene_labels_mean_confidence"] = round(mean_conf, 4)
    print(
        f"  scene labels ({len(pairs)} play scenes, {len(set(gold_scenes))} labels): accuracy {s.accuracy:.3f}  "
        f"macro-F1 {s.macro_f1:.3f}; mean confidence {mean_conf:.3f} "
        f"(right {statistics.mean(right) if right else 0:.3f})"
    )

    embedder()
    eval_scenes = _scenes(texts)
    _throughput(eval_scenes, 1)  # warm-up: prototypes, lexicon caches
    rate = _throughput(eval_scenes, 10)
    result["scenes_per_s_eval_passages"] = round(rate, 1)
    words = statistics.mean(len(t.split()) for t in texts)
    print(f"  throughput, eval passages (mean {words:.0f} words): {rate:,.0f} scenes/s (median of {RUNS}; acceptance: >= 2,000)")
    play_scenes = [s for name in ("macbeth", "tempest", "julius_caesar") for s in parse_file(PLAYS / f"{name}.txt").scenes]
    play_words = statistics.mean(len(s.text.split()) for s in play_scenes)
    rate = _throughput(play_scenes, 1)
    result["scenes_per_s_play_scenes"] = round(rate, 1)
    print(f"  throughput, whole play scenes ({len(play_scenes)} scenes, mean {play_words:.0f} words): {rate:,.0f} scenes/s")

    kb = load_knowledge()
    read = [s.model_copy(update={"emotion": detect_emotion(s)}) for s in play_scenes]
    timings = []
    for run in range(RUNS + 1):
        start = time.perf_counter()
        for i, scene in enumerate(read):
            retrieve(scene, kb, ScenePosition(i, len(read)), genre="tragedy")
        if run:  # the first run builds the rule index (BM25, rule embeddings) and is not counted
            timings.append(1000 * (time.perf_counter() - start) / len(read))
    result["retrieval_ms_per_scene"] = round(statistics.median(timings), 3)
    print(f"  retrieval, whole play scenes: {result['retrieval_ms_per_scene']:.2f} ms/scene (median of {RUNS}, warm)")
    return result


if __name__ == "__main__":
    main()
