"""The 3D stage's geometry (where each fixture hangs, where its beam lands) and the three.js bundle the page inlines.

Positions come from the rig. A rig that gives none (every fixture at one point, as a hand-made file may) is hung a
row per role, as Phase 3 draws an imported workspace. A beam lands where the 2D plan puts the fixture's pool: its
focus area on the floor, the cyc for cyc floods, the house for house lights; specials get tighter pools.
"""

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from phases.contracts import Fixture, LightingInstruction, Position, Rig
from phases.rig.roles import row_position

from .errors import PreviewError

HERE = Path(__file__).parent
BUNDLE = HERE / "vendor" / "three-stage.min.js"


@lru_cache(maxsize=1)
def stage3d_settings() -> dict[str, Any]:
    try:
        return dict(yaml.safe_load((HERE / "data" / "stage3d.yaml").read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, TypeError, ValueError) as exc:
        raise PreviewError(f"stage3d.yaml: cannot read ({type(exc).__name__}: {exc})") from None


def three_bundle() -> str:
    """three.js as `make setup` built it (esbuild, from package-lock.json), or "" when it was not built: the page then
    says the 3D stage is missing and everything else still works."""
    try:
        text = BUNDLE.read_text(encoding="utf-8")
    except OSError:
        return ""
    if "</script" in text.lower():
        raise PreviewError(f"{BUNDLE.name}: the bundle contains '</script' and cannot be inlined")
    return text


def hung_positions(rig: Rig) -> dict[str, tuple[float, float, float]]:
    """Each fixture's position in metres; a row per role when the rig gives no positions."""
    given = {f.fixture_id: (f.position.x, f.position.y, f.position.z) for f in rig.fixtures}
    if len(rig.fixtures) > 1 and len(set(given.values())) > 1:
        return given
    by_role: dict[str, list[Fixture]] = {}
    for fixture in rig.fixtures:
        by_role.setdefault(rig.role_of(fixture.group_id) or "key", []).append(fixture)
    hung = {}
    for role, fixtures in by_role.items():
        for index, fixture in enumerate(fixtures):
            p = row_position(role, index, len(fixtures))  # type: ignore[arg-type]
            hung[fixture.fixture_id] = (p.x, p.y, p.z)
    return hung


def beam(fixture: Fixture, position: tuple[float, float, float], area: str, pool: dict[str, float]) -> dict[str, object]:
    """Where the fixture's beam lands and how big its pool is: surface, aim point, radii and edge."""
    settings = stage3d_settings()
    scale = float(settings["tight_pools"].get(fixture.fixture_type, 1.0))
    hard = fixture.fixture_type in settings["hard_edged"]
    if area == "cyc":
        cyc = settings["cyc"]
        low = position[2] < cyc["ground_z"] * 2
        aim = [position[0], cyc["y"], cyc["ground_z"] if low else cyc["top_z"]]
        return {"pos": list(position), "aim": aim, "surface": "cyc", "rx": cyc["rx"], "ry": cyc["ry"], "hard": False}
    surface = "house" if area == "house" else "floor"
    height = -settings["house"]["drop"] if surface == "house" else 0.0
    return {
        "pos": list(position),
        "aim": [pool["x"], pool["y"], height],
        "surface": surface,
        "rx": round(pool["rx"] * scale, 3),
        "ry": round(pool["ry"] * scale, 3),
        "hard": hard,
    }


def mover_focus(rig: Rig, ordered: Sequence[LightingInstruction], layout: dict[str, Any]) -> dict[str, dict[str, object]]:
    """Where each mover's beam lands in each cue, by Phase 8's focus rule (phases/hardware/focus.py): the cue's focus
    for its group, else the fixture's own area, at the rig's focus point for that name; a mover with no recorded
    focus and no mounting to compute one from stays at home, straight down (or up, standing). Per mover: the
    distinct landings (beam dicts) and, per cue, which one."""
    points = {name.upper(): p for name, p in rig.focus_points.items()}
    areas = {name.upper(): a for name, a in layout["areas"].items()}
    hung = hung_positions(rig)
    out: dict[str, dict[str, object]] = {}
    for fixture in rig.fixtures:
        if "pan_tilt" not in fixture.capabilities:
            continue
        position = hung[fixture.fixture_id]
        landings: list[dict[str, object]] = []
        keys: list[str] = []
        per_cue: list[int] = []
        for cue in ordered:
            group = next((g for g in cue.groups if g.group_id == fixture.group_id), None)
            target = _focus_target(fixture, group.focus_area if group else None, points)
            key = target or "home"
            if key not in keys:
                keys.append(key)
                landings.append(_landing(fixture, position, target, points, areas))
            per_cue.append(keys.index(key))
        out[fixture.fixture_id] = {"landings": landings, "cue": per_cue, "names": keys}
    return out


def _focus_target(fixture: Fixture, name: str | None, points: dict[str, Position]) -> str | None:
    recorded = {k.upper() for k in fixture.focus}
    for candidate in (name, fixture.focus_area):
        if candidate and (candidate.upper() in recorded or (candidate.upper() in points and fixture.mounting is not None)):
            return candidate.upper()
    return None


def _landing(
    fixture: Fixture,
    position: tuple[float, float, float],
    target: str | None,
    points: dict[str, Position],
    areas: dict[str, dict[str, float]],
) -> dict[str, object]:
    settings = stage3d_settings()
    scale = float(settings["tight_pools"].get(fixture.fixture_type, 1.0))
    area = areas.get(target or "") or {"rx": 1.5, "ry": 1.2}
    if target is None:  # home: pan and tilt at centre
        standing = fixture.mounting is not None and fixture.mounting.orientation == "standing"
        aim = [position[0], position[1], position[2] + 6.0 if standing else 0.0]
    else:  # on the floor below the focus point (which Phase 8 takes at a head's height), as the other pools are drawn
        point = points.get(target)
        aim = [point.x, point.y, 0.0] if point is not None else [area.get("x", 0.0), area.get("y", 0.0), 0.0]
    return {
        "pos": list(position),
        "aim": aim,
        "surface": "floor",
        "rx": round(float(area["rx"]) * scale, 3),
        "ry": round(float(area["ry"]) * scale, 3),
        "hard": fixture.fixture_type in settings["hard_edged"],
    }
