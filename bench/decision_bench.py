"""Phase 4 benchmark: rules-mode decisions per second, given precomputed emotion and Phase 3 knowledge.

Run: .venv/bin/python -m bench.decision_bench
"""

import statistics
import time
from pathlib import Path

from phases.contracts import Scene, SceneKnowledge
from phases.decision import LightingDecisionEngine
from phases.decision.scene_reading import clear_reading_cache
from phases.emotion import detect_emotion
from phases.knowledge import ScenePosition, load_knowledge, retrieve
from phases.parsing import parse_file

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SCRIPTS = [
    ("scripts/plays/macbeth.txt", "tragedy"),
    ("scripts/plays/julius_caesar.txt", "tragedy"),
    ("scripts/plays/tempest.txt", "comedy"),
    ("scripts/fountain/ascent_to_guru_peak.fountain", None),
    ("cues/show-cues.csv", "pantomime"),
]
RUNS = 7
REPEAT = 5


def _workload() -> tuple[list[Scene], list[SceneKnowledge]]:
    kb = load_knowledge()
    scenes: list[Scene] = []
    knowledge: list[SceneKnowledge] = []
    for relative, genre in SCRIPTS:
        parsed = [s.model_copy(update={"emotion": detect_emotion(s)}) for s in parse_file(SHARED / relative).scenes]
        scenes += parsed
        knowledge += [retrieve(s, kb, ScenePosition(i, len(parsed)), genre=genre) for i, s in enumerate(parsed)]
    return scenes, knowledge


def _median_rate(run: object, count: int) -> float:
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(REPEAT):
            run()  # type: ignore[operator]
        rates.append(REPEAT * count / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> dict[str, float]:
    scenes, knowledge = _workload()
    engine = LightingDecisionEngine()
    pairs = list(zip(scenes, knowledge, strict=True))
    engine.plan(scenes, knowledge)  # warm-up

    cues = len(engine.plan(scenes, knowledge))

    def cold() -> None:  # each scene's text read afresh, as on a scene's first plan
        clear_reading_cache()
        engine.plan(scenes, knowledge)

    cold_rate = _median_rate(cold, len(pairs))
    cues_rate = _median_rate(lambda: [engine.cues(s, k) for s, k in pairs], len(pairs))
    plan_rate = _median_rate(lambda: engine.plan(scenes, knowledge), len(pairs))
    result = {
        "scenes": float(len(pairs)),
        "cues": float(cues),
        "cues_scenes_per_s": round(cues_rate, 1),
        "plan_scenes_per_s": round(plan_rate, 1),
        "plan_cues_per_s": round(plan_rate * cues / len(pairs), 1),
        "cold_plan_scenes_per_s": round(cold_rate, 1),
        "acceptance_scenes_per_s": 1000.0,
    }
    print(f"decision (rules mode): {len(pairs)} scenes from the shared plays, screenplay and cue sheet; knowledge precomputed")
    print(f"  cues() per scene alone:     {cues_rate:,.0f} scenes/s (median of {RUNS} runs x {REPEAT}; texts read before)")
    print(f"  plan() = cues + sequence:   {plan_rate:,.0f} scenes/s (acceptance: >= 1,000; ratio {plan_rate / 1000:.1f}x)")
    print(
        f"                              {result['plan_cues_per_s']:,.0f} cues/s ({cues} cues, {cues / len(pairs):.1f} per scene)"
    )
    print(f"  plan(), texts read afresh:  {cold_rate:,.0f} scenes/s, {cold_rate * cues / len(pairs):,.0f} cues/s (first plan)")
    return result


if __name__ == "__main__":
    main()
