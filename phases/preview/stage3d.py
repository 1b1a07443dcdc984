"""The 3D stage's geometry (where each fixture hangs, where its beam lands) and the three.js bundle the page inlines.

Positions come from the rig. A rig that gives none (every fixture at one point, as a hand-made file may) is hung a
row per role, as Phase 3 draws an imported workspace. A fixed fixture's beam lands where the 2D plan puts its pool:
its focus area on the floor, the cyc for cyc floods, the house for house lights; specials get tighter pools. A
mover's beam is drawn by the page from the pan and tilt Phase 8 sends it (playback.py), wherever that points.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from phases.contracts import Fixture, Rig
from phases.data_files import parse_yaml
from phases.rig.roles import row_position

from .errors import PreviewError

HERE = Path(__file__).parent
BUNDLE = HERE / "vendor" / "three-stage.min.js"


@lru_cache(maxsize=1)
def stage3d_settings() -> dict[str, Any]:
    try:
        return dict(parse_yaml((HERE / "data" / "stage3d.yaml").read_text(encoding="utf-8")))
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
