"""Build preview.html: one self-contained, offline page showing the plan on the rig over time."""

import html
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from phases.contracts import Colour, EvaluationReport, Fixture, LightingInstruction, Rig, Scene

TEMPLATE = Path(__file__).parent / "template.html"
DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=1)
def stage_layout() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "stage.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def palette() -> dict[str, Any]:
    """Display colours for groups and emotions, shared by the page and the PNG plot."""
    return yaml.safe_load((DATA_DIR / "palette.yaml").read_text(encoding="utf-8"))


def group_colour(group_id: str, group_ids: Sequence[str]) -> str:
    colours = palette()
    extra = colours["extra_groups"]
    return colours["groups"].get(group_id) or extra[list(group_ids).index(group_id) % len(extra)]


def light_pool(fixture: Fixture, layout: dict[str, Any]) -> dict[str, float]:
    """The ellipse of stage (or auditorium) a fixture lights, from its focus area or, without one, its type and group."""
    areas = layout["areas"]
    name = fixture.focus_area if fixture.focus_area in areas else None
    if name is None:
        unfocused = layout["unfocused"]
        name = unfocused["by_type"].get(fixture.fixture_type) or unfocused["by_group"].get(fixture.group_id) or "CS"
    area = areas[name]
    x = area["x"]
    if area.get("mirror") and fixture.position.x < 0:
        x = -x
    return {"x": x, "y": area["y"], "rx": area["rx"], "ry": area["ry"]}


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
        metadata = instruction.metadata if instruction else None
        scene_rows.append(
            {
                "id": scene.scene_id,
                "heading": scene.heading or scene.location or "",
                "start": scene.time_window.start,
                "end": scene.time_window.end,
                "emotion": scene.emotion.primary if scene.emotion else None,
                "cues": scene.explicit_lighting,
                "excerpt": excerpt,
                "confidence": scene.emotion.primary_confidence if scene.emotion else None,
                "why": (metadata.reasoning[:400] if metadata else ""),
            }
        )
    duration = max((s.time_window.end for s in scenes), default=1.0)
    layout = stage_layout()
    return {
        "title": title,
        "duration": duration,
        "stage": layout["stage"],
        "palette": palette(),
        "rig": {
            "groups": rig.group_ids(),
            "descriptions": {g.group_id: g.description for g in rig.groups},
            "fixtures": [
                {
                    "id": f.fixture_id,
                    "group": f.group_id,
                    "x": f.position.x,
                    "y": f.position.y,
                    "fixed": f.fixed_color,
                    "max": f.constraints.max_intensity,
                    "type": f.fixture_type,
                    "pool": light_pool(f, layout),
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
