"""Build preview.html: one self-contained, offline page showing the plan on the rig over time."""

import html
import json
from collections.abc import Sequence
from pathlib import Path

from phases.contracts import Colour, EvaluationReport, LightingInstruction, Rig, Scene

TEMPLATE = Path(__file__).parent / "template.html"


def preview_data(
    title: str,
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    report: EvaluationReport | None = None,
) -> dict[str, object]:
    by_id = {i.scene_id: i for i in plan}
    cue_rows = []
    scene_rows = []
    for scene in scenes:
        instruction = by_id.get(scene.scene_id)
        groups: dict[str, dict[str, object]] = {}
        for group in instruction.groups if instruction else []:
            transition = group.transition
            groups[group.group_id] = {
                "i": group.parameters.intensity,
                "c": group.parameters.color,
                "t": transition.type if transition else "cut",
                "d": transition.duration if transition else 0,
                "delay": transition.delay if transition else 0,
                "e": group.parameters.effect.model_dump() if group.parameters.effect else None,
            }
        cue_rows.append({"scene_id": scene.scene_id, "start": scene.time_window.start, "groups": groups})
        excerpt = " ".join(" ".join(f"{d.character}: {d.text}" for d in scene.dialogue[:2]).split()[:30])
        scene_rows.append(
            {
                "id": scene.scene_id,
                "heading": scene.heading or scene.location or "",
                "start": scene.time_window.start,
                "end": scene.time_window.end,
                "emotion": scene.emotion.primary if scene.emotion else None,
                "cues": scene.explicit_lighting,
                "excerpt": excerpt,
            }
        )
    duration = max((s.time_window.end for s in scenes), default=1.0)
    return {
        "title": title,
        "duration": duration,
        "rig": {
            "groups": rig.group_ids(),
            "fixtures": [
                {
                    "id": f.fixture_id,
                    "group": f.group_id,
                    "x": f.position.x,
                    "y": f.position.y,
                    "fixed": f.fixed_color,
                    "max": f.constraints.max_intensity,
                }
                for f in rig.fixtures
            ],
        },
        "colours": {c.name: list(c.rgb) for c in colours},
        "scenes": scene_rows,
        "cues": cue_rows,
        "report": report.model_dump(mode="json") if report else None,
    }


def render_preview(
    title: str,
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    report: EvaluationReport | None = None,
) -> str:
    data = json.dumps(preview_data(title, scenes, plan, rig, colours, report), separators=(",", ":"))
    # Script text is untrusted: keep it from closing the JSON script element.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = TEMPLATE.read_text(encoding="utf-8")
    return page.replace("__TITLE__", html.escape(title)).replace("__DATA__", data)
