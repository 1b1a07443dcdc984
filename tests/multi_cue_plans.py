"""Hand-made multi-cue plans (several cues inside a scene, a storm, per-area levels, structure cues) on the real
rig and colour table, for the Phase 5 / Phase 8 agreement tests and the magic sheet."""

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from phases.contracts import LightingInstruction, Scene, TimeWindow

if TYPE_CHECKING:
    from tests.browser import Page

STORM_START, STORM_END = 40.0, 220.0  # a three-minute storm cue
STORM_SEED = 1606


def _cue(
    number: float, scene: int, start: float, end: float, label: str, called_on: dict, groups: list[dict]
) -> LightingInstruction:
    return LightingInstruction.model_validate(
        {
            "scene_id": f"scene_{scene:03d}",
            "cue_number": number,
            "label": label,
            "called_on": called_on,
            "time_window": {"start": start, "end": end},
            "groups": groups,
        }
    )


def _g(group_id: str, level: float, colour: str, fade: float = 0.0, effect: dict | None = None, **extra) -> dict:
    transition = {"type": "fade", "duration": fade, **extra.pop("transition", {})} if fade else {"type": "cut", "duration": 0}
    return {
        "group_id": group_id,
        "parameters": {"intensity": level, "color": colour, "effect": effect},
        "transition": transition,
        **extra,
    }


def storm_scenes() -> list[Scene]:
    texts = [
        "A desert place. Thunder and lightning. Enter three Witches.\nFIRST WITCH. When shall we three meet again?",
        "A heath. Night. Enter MACBETH with a torch.\nMACBETH. So foul and fair a day I have not seen.",
    ]
    return [
        Scene(
            scene_id=f"scene_{n:03d}",
            script_type="raw_drama",
            time_window=TimeWindow(start=start, end=end),
            text=texts[n - 1],
            heading=f"SCENE {n}",
            time_of_day="night",
            setting="exterior",
        )
        for n, (start, end) in enumerate([(0.0, 240.0), (240.0, 330.0)], start=1)
    ]


def storm_plan() -> list[LightingInstruction]:
    """Eight cues over two scenes: a fade up, a storm for a whole three-minute cue (irregular lightning on the cyc
    and specials, flicker in the back light), an interrupted fade, McCandless overrides in the front wash,
    pulse / chase / a limited flash, a follow, a final blackout."""
    storm = {"type": "lightning", "rate_hz": 0.25, "seed": STORM_SEED, "depth": 1.0}
    fw_pair = [
        {"area": "DSL", "intensity": 0.85},
        {"fixture_id": "fw_dsl_cool", "intensity": 0.3, "color": "steel_blue"},
        {"area": "DSR", "intensity": 0.05},
    ]
    on = {"kind": "direction", "text": "Thunder and lightning.", "char_offset": 14, "script_line": 2}
    return [
        _cue(0.5, 1, 0.0, 10.0, "Preset", {"kind": "structure", "moment": "preset"}, [_g("ambient", 0.2, "steel_blue")]),
        _cue(
            1,
            1,
            10.0,
            STORM_START,
            "Desert place",
            {"kind": "scene_start"},
            [
                _g("front_wash", 0.5, "warm_white", 6),
                _g("back_light", 0.3, "steel_blue", 6),
                _g("ambient", 0.35, "steel_blue", 8),
            ],
        ),
        _cue(
            2,
            1,
            STORM_START,
            120.0,
            "Storm",
            on,
            [
                _g("front_wash", 0.4, "lavender", 4, overrides=fw_pair),
                _g("back_light", 0.45, "steel_blue", 3, {"type": "flicker", "rate_hz": 6, "depth": 0.5, "seed": 4}),
                _g("specials", 0.0, "daylight", 0, storm),
                _g("ambient", 0.25, "steel_blue", 2, storm),
            ],
        ),
        # a long fade interrupted by the next cue: the next cue starts from wherever this one had got to
        _cue(
            2.5,
            1,
            120.0,
            130.0,
            "Storm builds",
            {"kind": "line", "text": "Fair is foul", "char_offset": 60},
            [
                _g("front_wash", 0.9, "warm_white", 30),
                _g("back_light", 0.45, "steel_blue", 3, {"type": "flicker", "rate_hz": 6, "depth": 0.5, "seed": 4}),
                _g("specials", 0.0, "daylight", 0, storm),
                _g("ambient", 0.25, "steel_blue", 2, storm),
            ],
        ),
        _cue(
            3,
            1,
            130.0,
            STORM_END,
            "Storm rages",
            {"kind": "beat", "text": "hover through the fog"},
            [
                _g("front_wash", 0.2, "steel_blue", 5),
                _g("back_light", 0.6, "steel_blue", 2, {"type": "pulse", "rate_hz": 0.5, "depth": 0.6}),
                _g("specials", 0.0, "daylight", 0, {**storm, "rate_hz": 0.4}),
                _g("ambient", 0.3, "congo_blue", 4, storm),
                _g("side_fill", 0.5, "steel_blue", 3, {"type": "chase", "rate_hz": 2, "depth": 0.8}),
            ],
        ),
        _cue(
            4,
            1,
            STORM_END,
            240.0,
            "Storm passes",
            {"kind": "follow", "follow_wait": 0},
            [
                _g("front_wash", 0.3, "steel_blue", 8),
                _g("ambient", 0.2, "steel_blue", 8, {"type": "flash", "rate_hz": 1, "depth": 1, "duration": 3}),
            ],
        ),
        _cue(
            5,
            2,
            240.0,
            320.0,
            "Heath, torch",
            {"kind": "scene_start"},
            [
                _g("front_wash", 0.6, "bastard_amber", 5, overrides=[{"area": "DC", "intensity": 0.8}]),
                _g("specials", 0.7, "bastard_amber", 3),
                _g("ambient", 0.1, "congo_blue", 5),
            ],
        ),
        _cue(
            6,
            2,
            320.0,
            330.0,
            "Final blackout",
            {"kind": "structure", "moment": "final_blackout"},
            [_g(g, 0.0, "steel_blue", 6) for g in ("front_wash", "specials", "ambient")],
        ),
    ]


def open_storm_preview(folder: Path) -> Iterator["Page"]:
    """The storm plan's preview.html, open in a real headless Chromium (fails loudly when Chromium is missing)."""
    import phases.preview
    from phases.knowledge import load_knowledge
    from tests.browser import Chromium

    kb = load_knowledge()
    path = folder / "preview.html"
    path.write_text(
        phases.preview.render_preview("storm", storm_scenes(), storm_plan(), kb.rig, list(kb.colours.values())), encoding="utf-8"
    )
    with Chromium(width=1400, height=1000) as browser:
        page = browser.open_page()
        page.goto(path.as_uri())
        yield page
        assert page.exceptions() == []
