"""Phase 5 for reports: the exact intensity curves, the PNG timeline plot, and the page's embedded data."""

import io
import json

from PIL import Image

import phases.preview
from phases.contracts import Transition
from phases.preview.html import group_colour, palette
from tests.crafted_plans import Crafted, good, instruction, knowledge


def _fading_plan() -> Crafted:
    """Scene 1 at 60 % (fade 3 s); scene 2 fades the front wash to 20 % over 10 s after a 5 s delay; scene 3 cuts to 90 %."""
    crafted = good(3)
    s1, s2, s3 = crafted.scenes
    level2 = {g: 0.6 for g in knowledge().rig.group_ids()} | {"front_wash": 0.2}
    plan = [
        instruction(s1),
        instruction(s2, level=level2, transition=Transition(type="fade", duration=10, delay=5)),
        instruction(s3, level=0.85, transition=Transition(type="cut", duration=0)),
    ]
    return Crafted(crafted.scenes, plan)


def test_curves_hold_then_fade_over_the_transition_then_cut():
    crafted = _fading_plan()
    curve = phases.preview.group_curves(crafted.plan, ["front_wash"])["front_wash"]
    # scene 1 fades up from dark over 3 s; scene 2 holds 60 % for its 5 s delay, then fades to 20 % by 75 s; scene 3 cuts.
    assert curve[:3] == [(0.0, 0.0), (0.0, 0.0), (3.0, 0.6)]
    assert (65.0, 0.6) in curve and (75.0, 0.2) in curve
    assert (120.0, 0.2) in curve and (120.0, 0.85) in curve
    assert curve[-1] == (180.0, 0.85)


def test_a_fade_longer_than_its_scene_stops_part_way():
    crafted = good(2)
    s1, s2 = crafted.scenes
    plan = [instruction(s1, level=0.0), instruction(s2, level=1.0, transition=Transition(type="fade", duration=120))]
    curve = phases.preview.group_curves(plan, ["back_light"])["back_light"]
    assert curve[-2] == (120.0, 0.5)  # half of a 120 s fade fits in the 60 s scene


def test_timeline_png_shows_the_emotions_and_group_curves():
    crafted = _fading_plan()
    scenes = [
        crafted.scenes[0],
        crafted.scenes[1].model_copy(update={"emotion": crafted.scenes[1].emotion.model_copy(update={"primary": "fear"})}),
        crafted.scenes[2],
    ]
    data = phases.preview.timeline_png("crafted", scenes, crafted.plan, knowledge().rig, width_px=1000)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (1000, 460)
    pixels = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))

    colours = palette()
    assert rgb(colours["emotions"]["serenity"]) in pixels and rgb(colours["emotions"]["fear"]) in pixels
    rig = knowledge().rig.group_ids()
    assert rgb(group_colour("front_wash", rig)) in pixels
    assert rgb(colours["emotions"]["anger"]) not in pixels  # no anger scene, no anger colour


def test_preview_page_embeds_the_plan_and_keeps_script_text_inert():
    crafted = good(2)
    scenes = [crafted.scenes[0].model_copy(update={"heading": "</script><script>alert(1)</script>"}), crafted.scenes[1]]
    kb = knowledge()
    page = phases.preview.render_preview("t <b>", scenes, crafted.plan, kb.rig, list(kb.colours.values()))
    assert "</script><script>alert(1)" not in page
    assert "<title>cueflow preview: t &lt;b&gt;</title>" in page
    blob = page.split('<script type="application/json" id="plan-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(blob)
    assert data["scenes"][0]["heading"].startswith("</script>")
    assert {f["id"] for f in data["rig"]["fixtures"]} == {f.fixture_id for f in kb.rig.fixtures}
    fw = next(f for f in data["rig"]["fixtures"] if f["id"] == "fw_dsl_warm")
    assert fw["pool"]["x"] < 0  # focused down stage left
    assert data["cues"][0]["groups"]["front_wash"] == {
        "i": 0.6,
        "c": "neutral_white",
        "t": "fade",
        "d": 3.0,
        "delay": 0,
        "e": None,
    }
