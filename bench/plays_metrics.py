"""Phase 7's metrics on each play in ../shared/data (no Prefect): `python -m bench.plays_metrics`."""

from pathlib import Path

from phases.decision import LightingDecisionEngine
from phases.emotion import detect_emotion
from phases.evaluation import evaluate
from phases.knowledge import ScenePosition, load_knowledge, retrieve
from phases.parsing import parse_file

PLAYS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "scripts" / "plays"


def main() -> dict[str, dict[str, str]]:
    kb = load_knowledge()
    engine = LightingDecisionEngine(kb)
    rows: dict[str, dict[str, str]] = {}
    for path in sorted(PLAYS.glob("*.txt")):
        scenes = [s.model_copy(update={"emotion": detect_emotion(s)}) for s in parse_file(path).scenes]
        knowledge = [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
        plan = engine.plan(scenes, knowledge)
        second = engine.plan(scenes, knowledge)
        report = evaluate(scenes, plan, kb.rig, list(kb.colours.values()), list(kb.rules), second_plan=second)
        rows[f"{path.stem} ({len(scenes)})"] = {m.name: f"{m.value} {m.verdict}" for m in report.metrics} | {
            "overall": report.verdict
        }
    names = list(next(iter(rows.values())))
    print("| metric | " + " | ".join(rows) + " |")
    print("|---" * (len(rows) + 1) + "|")
    for name in names:
        print(f"| {name} | " + " | ".join(rows[play][name] for play in rows) + " |")
    return rows


if __name__ == "__main__":
    main()
