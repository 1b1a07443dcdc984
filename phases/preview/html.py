"""Build preview.html: one self-contained, offline page showing the plan on the rig over time.

The page is a designer's desk: the prompt book (the script with each cue's flag at its GO words), a 3D stage drawn
with three.js (inlined: the page opens from disk with no network), the 2D stage plan, the current cue, a timeline
by act, time of day and place, the magic sheet, the cue list and the evaluation. Every light on it comes from Phase
8's renderer (playback.py: each cue's per-fixture fades); its JavaScript only runs the fades, the effects (a mirror
of phases/hardware/effects.py) and the caps, and tests/test_preview_playback.py holds it to `fixture_states(t)`.
"""

import html
import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from phases.contracts import Colour, EvaluationReport, Fixture, GroupInstruction, LightingInstruction, Rig, RigGroup, Scene
from phases.data_files import parse_yaml
from phases.hardware.effects import lightning_shape, seed32
from phases.hardware.settings import load_data
from phases.rig.profiles import FixtureProfile

from .book import prompt_book
from .errors import PreviewError
from .playback import fade_time, playback_data, show_renderer
from .stage3d import beam, hung_positions, stage3d_settings, three_bundle

HERE = Path(__file__).parent
TEMPLATE = HERE / "template.html"
STYLE = HERE / "preview.css"
DATA_DIR = HERE / "data"
# The page's scripts, in the order they run (each builds on the ones before it).
SCRIPTS = ("engine.js", "plan2d.js", "stage3d_view.js", "stage3d.js", "book.js", "timeline.js", "panels.js", "main.js")


@lru_cache(maxsize=1)
def stage_layout() -> dict[str, Any]:
    return parse_yaml((DATA_DIR / "stage.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def palette() -> dict[str, Any]:
    """Display colours for groups and emotions, shared by the page and the PNG plot."""
    return parse_yaml((DATA_DIR / "palette.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def designer() -> dict[str, Any]:
    """What the page tells a designer: the no-change thresholds, the current-cue panel, the timeline's colours."""
    return parse_yaml((DATA_DIR / "designer.yaml").read_text(encoding="utf-8"))


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


def light_pool(fixture: Fixture, layout: dict[str, Any], hung_x: float | None = None) -> dict[str, float]:
    """The ellipse of stage (or auditorium) a fixture lights, from its focus area or, without one, its type and group."""
    area = layout["areas"][pool_area(fixture, layout)]
    x = area["x"]
    if area.get("mirror") and (fixture.position.x if hung_x is None else hung_x) < 0:
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


def _time_changes(scene: Scene) -> list[dict[str, object]]:
    """A scene's changes of time of day, at the show time their words are reached (the text read at an even pace)."""
    length = max(len(scene.text), 1)
    window = scene.time_window
    return [
        {"at": window.start + window.duration * min(1.0, c.start_char / length), "to": c.to, "evidence": c.evidence}
        for c in scene.time_changes
    ]


def _plan_labels(layout: dict[str, Any]) -> dict[str, list[float]]:
    """Where the 2D plan writes the acting areas' names: in front of each area, off its centre line."""
    labels = {}
    for name, area in layout["areas"].items():
        if area.get("mirror") or name in layout["unfocused"]["by_type"].values() or name == "cyc":
            continue
        labels[name] = [area["x"] + (0.6 if abs(area["x"]) < 0.01 else 0.0), round(area["y"] - area["ry"] * 0.7, 2)]
    return labels


def _called_on(cue: LightingInstruction) -> dict[str, object]:
    trigger = cue.called_on
    return {
        "kind": trigger.kind,
        "text": trigger.text,
        "moment": trigger.moment,
        "line": trigger.script_line,
        "wait": trigger.follow_wait,
    }


def _role(group: RigGroup, layout: dict[str, Any]) -> str:
    return group.role or layout["roles_by_group"].get(group.group_id) or "unassigned"


def _fixture_row(fixture: Fixture, layout: dict[str, Any], hung: tuple[float, float, float]) -> dict[str, object]:
    area = pool_area(fixture, layout)
    pool = light_pool(fixture, layout, hung[0])
    return {
        "id": fixture.fixture_id,
        "n": fixture.fixture_number,
        "group": fixture.group_id,
        "x": hung[0],
        "y": hung[1],
        "type": fixture.fixture_type,
        "focus": fixture.focus_area,
        "area": area,
        "pool": pool,
        "p3": beam(fixture, hung, area, pool),
    }


def preview_data(
    title: str,
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    report: EvaluationReport | None = None,
    profiles: dict[str, FixtureProfile] | None = None,
    lines_per_page: int | None = None,
) -> dict[str, object]:
    """Everything the page shows. `profiles`: the channel layouts of the rig's fixtures (the hand-written ones when
    None, enough for the bundled rig); `lines_per_page`: how the prompt book pages a script that was not a PDF."""
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
                "fade": fade_time(cue),
                "groups": {g.group_id: _group_row(g) for g in cue.groups},
                "why": (metadata.reasoning[:400] if metadata else ""),
            }
        )
    scene_rows = [
        {
            "id": scene.scene_id,
            "act": scene.act,
            "heading": scene.heading or scene.location or "",
            "location": scene.location,
            "setting": scene.setting,
            "start": scene.time_window.start,
            "end": scene.time_window.end,
            "time_of_day": scene.time_of_day,
            "time_changes": _time_changes(scene),
        }
        for scene in scenes
    ]
    duration = max([s.time_window.end for s in scenes] + [c.time_window.end for c in plan] + [1e-6])
    layout = stage_layout()
    hung = hung_positions(rig)
    unchanged = designer()["unchanged"]
    renderer = show_renderer(ordered, rig, colours, profiles)
    return {
        "title": title,
        "duration": duration,
        "stage": layout["stage"],
        "plan_labels": _plan_labels(layout),
        "stage3d": stage3d_settings(),
        "palette": palette(),
        "effects": effect_data(),
        "magic": {"roles": layout["magic_sheet"]["roles"], "areas": layout["magic_sheet"]["areas"]},
        **designer(),
        "rig": {
            "groups": rig.group_ids(),
            "descriptions": {g.group_id: g.description for g in rig.groups},
            "roles": {g.group_id: _role(g, layout) for g in rig.groups},
            "caps": {g.group_id: g.max_intensity for g in rig.groups},
            "fixtures": [_fixture_row(f, layout, hung[f.fixture_id]) for f in rig.fixtures],
        },
        "colours": {c.name: list(c.rgb) for c in colours},
        "scenes": scene_rows,
        "cues": cue_rows,
        "play": playback_data(renderer, ordered, rig, colours, profiles, duration, (unchanged["level"], unchanged["colour"])),
        "book": prompt_book(scenes, ordered, rig, colours, profiles, lines_per_page),
        "report": report.model_dump(mode="json") if report else None,
    }


@lru_cache(maxsize=1)
def _page_parts() -> tuple[str, str, str]:
    """The page's template, stylesheet and application script (read once per process)."""
    try:
        template = TEMPLATE.read_text(encoding="utf-8")
        style = STYLE.read_text(encoding="utf-8")
        # A performance mark after each part, so the bench can tell where opening the page goes.
        scripts = [(name, (HERE / "js" / name).read_text(encoding="utf-8")) for name in SCRIPTS]
        app = "\n".join(f"{code}\nperformance.mark('cueflow:{name}');" for name, code in scripts)
    except OSError as exc:
        raise PreviewError(f"the preview's page files are incomplete: {exc}") from None
    return template, style, app


def _json_for_script(data: object) -> str:
    # Script text is untrusted: keep it from closing the JSON script element. allow_nan=False: a NaN in the page's
    # JSON stops the browser parsing it and the page stays blank; the contracts keep NaN out, and should one get
    # through, Phase 5 fails with a reason instead.
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_preview(
    title: str,
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    report: EvaluationReport | None = None,
    profiles: dict[str, FixtureProfile] | None = None,
    lines_per_page: int | None = None,
) -> str:
    data = _json_for_script(preview_data(title, scenes, plan, rig, colours, report, profiles, lines_per_page))
    template, style, app = _page_parts()
    parts = {"__TITLE__": html.escape(title), "__STYLE__": style, "__DATA__": data, "__VENDOR__": three_bundle(), "__APP__": app}
    # One pass, so that nothing one part brings in (script text, a title) is read as another part's placeholder.
    return re.sub("|".join(parts), lambda m: parts[m.group(0)], template)
