"""Cue points against a designer's gold calls: `python -m bench.cue_points [--verbose] [--json FILE]`.

Plans every dev play that has a gold file in ../shared/data/gold (rules mode, the default rig, no Prefect) and
scores it by the gold README's rule (phases/evaluation/gold.py): recall of must cues, precision of internal cues,
must-not moments cued, and time-of-day agreement, per play and overall.
"""

import argparse
import json
from pathlib import Path

from phases.contracts import GoldCalls
from phases.decision import LightingDecisionEngine
from phases.evaluation.gold import GoldScore, score_against_gold
from phases.knowledge import load_knowledge

from .planning import GOLD, PLAYS, plan_script


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "-"


def score_plays(gold_dir: Path = GOLD, plays_dir: Path = PLAYS) -> list[tuple[GoldScore, int, int]]:
    """(score, scenes, cues) for each gold play whose script is in plays_dir."""
    kb = load_knowledge()
    engine = LightingDecisionEngine(kb)
    scored = []
    for path in sorted(gold_dir.glob("*.json")):
        gold = GoldCalls.model_validate_json(path.read_text(encoding="utf-8"))
        script = plays_dir / f"{gold.play}.txt"
        if not script.is_file():
            print(f"{gold.play}: no script at {script}; skipped")
            continue
        scenes, _, plan = plan_script(script, kb, engine)
        scored.append((score_against_gold(scenes, plan, gold), len(scenes), len(plan)))
    return scored


def _row(name: str, scores: list[GoldScore], scenes: int, cues: int) -> dict[str, str]:
    must = sum(s.must_count for s in scores)
    return {
        "play": name,
        "scenes": str(scenes),
        "cues": str(cues),
        "internal": str(sum(len(s.internal) for s in scores)),
        "recall (must)": _share(sum(len(s.found) for s in scores), must),
        "precision": _share(sum(len(s.near_gold) for s in scores), sum(len(s.internal) for s in scores)),
        "must-not cued": f"{sum(len(s.must_not_cued) for s in scores)}/{sum(len(s.must_not) for s in scores)}",
        "time of day": _share(sum(s.time_right for s in scores), sum(s.dated for s in scores)),
    }


def _details(score: GoldScore) -> None:
    print(f"\n## {score.play}")
    for moment in score.missed:
        print(f"  missed must   L{moment.line}  {moment.scene} {moment.kind}: {moment.anchor}")
    for moment in score.must_not_cued:
        print(f"  must-not cued L{moment.line}  {moment.scene}: {moment.anchor}")
    near = {id(c) for c in score.near_gold}
    for cue in score.internal:
        if id(cue) not in near:
            print(f"  noise         L{cue.called_on.script_line}  Q{cue.cue_number:g} {cue.label}")
    for scene, expected, assumed in score.time_wrong:
        print(f"  time          {scene}: gold {expected}, plan {assumed}")
    for where in score.unplaced:
        print(f"  not placed    {where}")


def main(argv: list[str] | None = None) -> list[dict[str, str]]:
    parser = argparse.ArgumentParser(prog="python -m bench.cue_points", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list missed cues, noise, must-not cued, time errors")
    parser.add_argument("--json", type=Path, help="also write the table as JSON to this file")
    args = parser.parse_args(argv)
    scored = score_plays()
    rows = [_row(s.play, [s], scenes, cues) for s, scenes, cues in scored]
    rows.append(_row("all", [s for s, _, _ in scored], sum(n for _, n, _ in scored), sum(c for _, _, c in scored)))
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    for row in rows:
        print("| " + " | ".join(row[c] for c in columns) + " |")
    if args.verbose:
        for score, _, _ in scored:
            _details(score)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
