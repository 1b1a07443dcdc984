"""Build preview.html: one self-contained, offline page showing the plan on the rig over time."""

import html
import json
from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from phases.contracts import Colour, EvaluationReport, Fixture, GroupInstruction, LightingInstruction, Rig, RigGroup, Scene
from phases.hardware.effects import lightning_shape, seed32
from phases.hardware.settings import load_data

TEMPLATE = Path(__file__).parent / "template.html"
DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=1)
def stage_layout() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "stage.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def palette() -> dict[str, Any]:
    """Display colours for groups and emotions, shared by the page and the PNG plot."""
    return yaml.safe_load((DATA_DIR / "palette.yaml").read_text(encoding="utf-8"))


def effect_data() -> dict[str, object]:
    """phases/hardware/data/effects.yaml: the effect shapes the page plays, the same numbers as the rig
    (lightning's in the whole milliseconds the renderer uses, so no rounding happens twice)."""
    return {**load_data("effects"), "lightning_ms": asdict(lightning_shape())}


def group_colour(group_id: str, group_ids: Sequence[str]) -> str:
    colours = palette()
    extra = colours["extra_groups"]
    return colours["groups"].get(group_id) or extra[list(group_ids).index(group_id) % len(extra)]


def pool_area(fixture: Fixture, layout: dict[str, Any]) -> str:
    """The stage area a fixture lights: its focus area, or, without one, the area its type or group lights."""
    if fixture.focus_area in layout["areas"]:
        return str(fixture.focus_area)
    unfocused = layout["unfocused"]
    return str(unfocused["by_type"].get(fixture.fixture_type) or unfocused["by_group"].get(fixture.group_id) or "CS")


def light_pool(fixture: Fixture, layout: dict[str, Any]) -> dict[str, float]:
    """The ellipse of stage (or auditorium) a fixture lights, from its focus area or, without one, its type and group."""
    area = layout["areas"][pool_area(fixture, layout)]
    x = area["x"]
    if area.get("mirror") and fixture.position.x < 0:
        x = -x
    return {"x": x, "y": area["y"], "rx": area["rx"], "ry": area["ry"]}


def _group_row(group: GroupInstruction) -> dict[str, object]:
    transition = group.transition
    row: dict[str, object] = {
        "i": group.parameters.intensity,
        "c": group.parameters.color,
        "t": transition.type if transition else "cut",
        "d": transition.duration if transition else 0,
        "delay": transition.delay if transition else 0,
        "e": None,
    }
    effect = group.parameters.effect
    if effect is not None:
        # The page mirrors phases/hardware/effects.py, which hashes only the seed's low 32 bits.
        row["e"] = {**effect.model_dump(), "seed": seed32(effect)}
    if group.overrides:
        row["ov"] = [{"a": o.area, "f": o.fixture_id, "i": o.intensity, "c": o.color} for o in group.overrides]
    return row


def _called_on(cue: LightingInstruction) -> dict[str, object]:
    trigger = cue.called_on
    return {
        "kind": trigger.kind,
        "text": trigger.text,
        "moment": trigger.moment,
        "line": trigger.script_line,
        "wait": trigger.follow_wait,
    }


def _fade(cue: LightingInstruction) -> float:
    """The cue's time as a console shows it: its longest group transition, delay included."""
    return max(((g.transition.delay + g.transition.duration) if g.transition else 0.0) for g in cue.groups)


def _role(group: RigGroup, layout: dict[str, Any]) -> str:
    return group.role or layout["roles_by_group"].get(group.group_id) or "unassigned"


def preview_data(
    title: str,
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    report: EvaluationReport | None = None,
) -> dict[str, object]:
    ordered = sorted(plan, key=lambda c: c.time_window.start)  # the renderer's order (a stable sort)
    cue_rows = []
    for cue in ordered:
        metadata = cue.metadata
        cue_rows.append(
            {
                "n": cue.cue_number,
                "label": cue.label,
                "scene_id": cue.scene_id,
                "start": cue.time_window.start,
                "end": cue.time_window.end,
                "called": _called_on(cue),
                "fade": _fade(cue),
                "groups": {g.group_id: _group_row(g) for g in cue.groups},
                "why": (metadata.reasoning[:400] if metadata else ""),
            }
        )
    scene_rows = []
    for scene in scenes:
        excerpt = " ".join(" ".join(f"{d.character}: {d.text}" for d in scene.dialogue[:2]).split()[:30])
        scene_rows.append(
            {
                "id": scene.scene_id,
                "heading": scene.heading or scene.location or "",
                "start": scene.time_window.start,
                "end": scene.time_window.end,
                "emotion": scene.emotion.primary if scene.emotion else None,
                "time_of_day": scene.time_of_day,
                "cues": scene.explicit_lighting,
                "excerpt": excerpt,
                "confidence": scene.emotion.primary_confidence if scene.emotion else None,
            }
        )
    duration = max([s.time_window.end for s in scenes] + [c.time_window.end for c in plan] + [1e-6])
    layout = stage_layout()
    return {
        "title": title,
        "duration": duration,
        "stage": layout["stage"],
        "palette": palette(),
        "effects": effect_data(),
        "magic": {"roles": layout["magic_sheet"]["roles"], "areas": layout["magic_sheet"]["areas"]},
        "rig": {
            "groups": rig.group_ids(),
            "descriptions": {g.group_id: g.description for g in rig.groups},
            "roles": {g.group_id: _role(g, layout) for g in rig.groups},
            "caps": {g.group_id: g.max_intensity for g in rig.groups},
            "fixtures": [
                {
                    "id": f.fixture_id,
                    "n": f.fixture_number,
                    "group": f.group_id,
                    "x": f.position.x,
                    "y": f.position.y,
                    "fixed": f.fixed_color if "color" not in f.capabilities else None,
                    "max": f.constraints.max_intensity,
                    "min": f.constraints.min_intensity,
                    "type": f.fixture_type,
                    "focus": f.focus_area,
                    "area": pool_area(f, layout),
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
    # allow_nan=False: a NaN in the page's JSON stops the browser parsing it and the page stays blank; the
    # contracts keep NaN out, and should one get through, Phase 5 fails with a reason instead.
    data = json.dumps(preview_data(title, scenes, plan, rig, colours, report), separators=(",", ":"), allow_nan=False)
    # Script text is untrusted: keep it from closing the JSON script element.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = TEMPLATE.read_text(encoding="utf-8")
    return page.replace("__TITLE__", html.escape(title)).replace("__DATA__", data)
