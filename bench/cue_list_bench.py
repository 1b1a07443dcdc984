"""Phase 5 and Phase 7 on a 150-cue plan: `python -m bench.cue_list_bench [--cues 150] [--runs 7]`.

A two-hour show of 25 scenes, six cues each (directions, lines, follows, a storm with lightning, flicker,
per-area levels), on the default rig. Prints the medians of building preview.html and of evaluating the plan.
"""

import argparse
import json
import statistics
import sys
import time

from phases.contracts import LightingInstruction, Scene
from phases.evaluation import evaluate
from phases.knowledge import load_knowledge
from phases.preview import render_preview

GROUPS = ("front_wash", "back_light", "side_fill", "specials", "ambient")
COLOURS = ("bastard_amber", "steel_blue", "warm_white", "congo_blue", "straw")
TIMES = ("day", "night", "morning", "evening", "afternoon")


def show(cues: int) -> tuple[list[Scene], list[LightingInstruction]]:
    per_scene = 6
    n_scenes = max(1, cues // per_scene)
    seconds = 7200 / n_scenes
    scenes, plan = [], []
    number = 1
    for s in range(n_scenes):
        start = s * seconds
        text = "A room. Thunder. Enter two.\n" + "ONE. Words, words, words. " * 40 + "Lightning. They go."
        scenes.append(
            Scene.model_validate(
                {
                    "scene_id": f"scene_{s + 1:03d}",
                    "script_type": "raw_drama",
                    "time_window": {"start": start, "end": start + seconds},
                    "text": text,
                    "time_of_day": TIMES[s % len(TIMES)],
                    "explicit_lighting": ["Thunder.", "Lightning."],
                }
            )
        )
        for k in range(per_scene):
            t0 = start + k * seconds / per_scene
            effect = {"type": "lightning", "rate_hz": 0.3, "seed": s} if k == 2 else None
            groups = [
                {
                    "group_id": g,
                    "parameters": {
                        "intensity": round(0.2 + 0.1 * ((s + k + j) % 7), 2),
                        "color": COLOURS[(s + j) % len(COLOURS)],
                        "effect": effect if g in ("ambient", "specials") else None,
                    },
                    "transition": {"type": "fade", "duration": 3 + k},
                    "overrides": [{"area": "DSL", "intensity": 0.8}] if g == "front_wash" and k == 3 else [],
                }
                for j, g in enumerate(GROUPS)
            ]
            called = (
                {"kind": "scene_start"}
                if k == 0
                else {"kind": "direction", "text": "Thunder.", "char_offset": 17}
                if k == 1
                else {"kind": "follow", "follow_wait": 2}
            )
            plan.append(
                LightingInstruction.model_validate(
                    {
                        "scene_id": f"scene_{s + 1:03d}",
                        "cue_number": number,
                        "label": f"cue {number}",
                        "called_on": called,
                        "time_window": {"start": t0, "end": t0 + seconds / per_scene},
                        "groups": groups,
                    }
                )
            )
            number += 1
    return scenes, plan


def _browser_frame_ms(page: str) -> float:
    """Median time the page takes to render one moment (stage, meters, magic sheet, timeline), in headless Chromium."""
    import tempfile
    from pathlib import Path

    from tests.browser import Chromium

    with tempfile.TemporaryDirectory() as tmp, Chromium() as browser:
        path = Path(tmp) / "preview.html"
        path.write_text(page, encoding="utf-8")
        tab = browser.open_page()
        tab.goto(path.as_uri())
        times = tab.evaluate(
            """(() => { const p = window.cueflowPreview, out = [];
              for (let i = 0; i < 300; i++) { const t0 = performance.now(); p.seek(i * 24); out.push(performance.now() - t0); }
              return out; })()"""
        )
    return round(statistics.median(times), 3)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cues", type=int, default=150)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv or [])
    kb = load_knowledge()
    colours, rules = list(kb.colours.values()), list(kb.rules)
    scenes, plan = show(args.cues)
    preview, evaluation = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        report = evaluate(scenes, plan, kb.rig, colours, rules, second_plan=plan)
        evaluation.append(time.perf_counter() - t)
        t = time.perf_counter()
        page = render_preview("bench", scenes, plan, kb.rig, colours, report)
        preview.append(time.perf_counter() - t)
    frame_ms = _browser_frame_ms(page)
    figures = {
        "cues": float(len(plan)),
        "phase5_preview_ms_median": round(statistics.median(preview) * 1000, 2),
        "phase7_evaluate_ms_median": round(statistics.median(evaluation) * 1000, 2),
        "preview_kb": round(len(page.encode()) / 1024, 1),
        "preview_frame_ms_median": frame_ms,
    }
    print(
        f"{len(plan)} cues: Phase 5 preview {figures['phase5_preview_ms_median']:.1f} ms, "
        f"Phase 7 evaluation {figures['phase7_evaluate_ms_median']:.1f} ms (medians of {args.runs}); "
        f"preview.html {figures['preview_kb']:.0f} KB; in Chromium {frame_ms:.2f} ms a frame (median of 300 seeks)"
    )
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
