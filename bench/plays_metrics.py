"""Per-play figures on the plays in ../shared/data (no Prefect): `python -m bench.plays_metrics`.

First a design table per play (scenes, cues, cues inside scenes, night/day mean key level, palette size,
Phase 7's verdict), then Phase 7's metrics per play.
"""

import re
import statistics
from pathlib import Path

from phases.contracts import LightingInstruction, Rig, Scene
from phases.decision import LightingDecisionEngine
from phases.evaluation import evaluate
from phases.knowledge import load_knowledge

from .planning import PLAYS, SHARED, plan_script

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "the_keepers_light.txt"
NIGHT = {"night", "midnight", "evening"}
DAY = {"morning", "day", "afternoon"}
# Only when Phase 1 left time_of_day empty: the same crude reading before and after, so the figures compare.
_NIGHT_WORDS = re.compile(r"\b(night|midnight|torch(?:es)?|taper|moonlight|candle)\b", re.IGNORECASE)


def _time(scene: Scene) -> str | None:
    if scene.time_of_day:
        return "night" if scene.time_of_day in NIGHT else "day" if scene.time_of_day in DAY else None
    head = f"{scene.heading or ''} {scene.location or ''} {scene.text[:800]}"
    return "night" if _NIGHT_WORDS.search(head) else "day"


def _key_groups(rig: Rig) -> set[str]:
    keyed = {g.group_id for g in rig.groups if getattr(g, "role", None) == "key"}
    return keyed or {"front_wash"}


def design_row(scenes: list[Scene], plan: list[LightingInstruction], rig: Rig) -> dict[str, str]:
    keys = _key_groups(rig)
    when = {s.scene_id: _time(s) for s in scenes}
    inside = [c for c in plan if getattr(c, "called_on", None) and c.called_on.kind not in ("scene_start", "structure")]
    scene_cues = [c for c in plan if not getattr(c, "called_on", None) or c.called_on.kind != "structure"]
    levels: dict[str, list[float]] = {"night": [], "day": []}
    for cue in scene_cues:
        kind = when.get(cue.scene_id)
        key = [g.parameters.intensity for g in cue.groups if g.group_id in keys]
        if kind in levels and key and max(key) > 0.02:
            levels[kind].append(max(key))
    fixed = {f.group_id for f in rig.fixtures if f.fixed_color}
    colours = {g.parameters.color for c in plan for g in c.groups if g.parameters.intensity > 0.02 and g.group_id not in fixed}

    def mean(values: list[float]) -> str:
        return f"{statistics.fmean(values):.2f}" if values else "-"

    return {
        "scenes": str(len(scenes)),
        "cues": str(len(plan)),
        "inside": str(len(inside)),
        "night key": f"{mean(levels['night'])} ({len(levels['night'])})",
        "day key": f"{mean(levels['day'])} ({len(levels['day'])})",
        "palette": str(len(colours)),
    }


def main() -> dict[str, dict[str, str]]:
    kb = load_knowledge()
    engine = LightingDecisionEngine(kb)
    rows: dict[str, dict[str, str]] = {}
    design: dict[str, dict[str, str]] = {}
    for path in [*sorted(PLAYS.glob("*.txt")), EXAMPLE, *sorted((SHARED / "scripts" / "fountain").glob("*.fountain"))]:
        scenes, knowledge, plan = plan_script(path, kb, engine)
        second = engine.plan(scenes, knowledge)
        report = evaluate(scenes, plan, kb.rig, list(kb.colours.values()), list(kb.rules), second_plan=second)
        rows[path.stem] = {m.name: f"{m.value} {m.verdict}" for m in report.metrics} | {"overall": report.verdict}
        design[path.stem] = design_row(scenes, plan, kb.rig) | {"Phase 7": report.verdict}
    columns = list(next(iter(design.values())))
    print("| play | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for play, row in design.items():
        print(f"| {play} | " + " | ".join(row[c] for c in columns) + " |")
    print()
    names = list(next(iter(rows.values())))
    print("| metric | " + " | ".join(rows) + " |")
    print("|---" * (len(rows) + 1) + "|")
    for name in names:
        print(f"| {name} | " + " | ".join(rows[play].get(name, "-") for play in rows) + " |")
    return rows


if __name__ == "__main__":
    main()
