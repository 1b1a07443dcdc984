"""Phase 8 renderer: plan -> DMX frames, deterministic and checked without OLA."""

import json

import pytest

from flows.cli import main
from phases.hardware import HardwareError, PlaybackSettings, ShowRenderer, load_plan, load_profiles, read_frames, render_to_file
from phases.knowledge import load_knowledge
from tests.hardware_plans import ALL_GROUPS, blackout_plan, cue, two_cue_fade_plan

# Frame indexes (0-based) of the default rig's channels used below.
FW_DSL = slice(0, 6)  # led_par_16bit: dimmer, fine, r, g, b, w
BL_USL = slice(48, 53)  # rgbw_dimmer: dimmer, r, g, b, w
SF_SL_HEAD, SF_SL_SHIN = slice(80, 85), 85  # rgba_dimmer; the shin is capped at 0.7
SP_DC, SP_USC, SP_MOVER_DIMMER = 120, 121, 134
SP_MOVER_PAN_TILT = slice(130, 134)  # moving_head_basic: pan, pan fine, tilt, tilt fine
CYC_TOP_L, AMB_HOUSE_L = 160, 190  # ambient group capped at 0.9; the house flood at 0.8


def renderer(plan, offset: int = 0) -> ShowRenderer:
    kb = load_knowledge()
    return ShowRenderer(plan, kb.rig, kb.colours, load_profiles(), offset)


def test_first_cue_values_are_exact_with_16_bit_dimmer_and_rgbw_mixing():
    frame = renderer(two_cue_fade_plan()).frame_at(0.0)[1]
    # 0.5 * 65535 = 32767.5 -> 32768 = 128, 0; warm white (255, 197, 143) -> white 143 + rgb (112, 54, 0)
    assert list(frame[FW_DSL]) == [128, 0, 112, 54, 0, 143]
    # 0.25 -> 64; steel blue (165, 205, 235) -> white 165 + rgb (0, 40, 70)
    assert list(frame[BL_USL]) == [64, 0, 40, 70, 165]
    assert list(frame[SF_SL_HEAD]) == [0] * 5  # not in the cue: dark, colour channels 0 too


def test_fade_is_linear_monotonic_and_lands_exactly():
    show = renderer(two_cue_fade_plan())
    coarse_fine = [tuple(show.frame_at(2 + i / 20)[1][FW_DSL][:2]) for i in range(21)]
    levels = [c * 256 + f for c, f in coarse_fine]
    assert levels == sorted(levels) and len(set(levels)) == 21
    assert levels[0] == 32768 and levels[10] == 49151  # 0.75 * 65535 = 49151.25
    assert list(show.frame_at(3.0)[1][FW_DSL]) == [255, 255, 0, 40, 70, 165]
    assert show.frame_at(4.0)[1] == show.frame_at(3.0)[1]
    assert show.duration == 4.0


def test_constraints_cap_the_output():
    frame = renderer(blackout_plan()).frame_at(0.5)[1]
    assert frame[FW_DSL.start] == 255
    assert frame[SF_SL_SHIN] == 179  # fixture max 0.7: 178.5 rounds up
    assert frame[SP_MOVER_DIMMER] == 230  # fixture max 0.9
    assert frame[CYC_TOP_L] == 230  # rig group ambient max 0.9
    assert frame[AMB_HOUSE_L] == 204  # fixture max 0.8 under the group's 0.9
    # daylight (255, 243, 239) on RGBA: amber takes (255, 191, 0), rgb makes (0, 52, 239)
    assert list(frame[SF_SL_HEAD]) == [255, 0, 52, 239, 255]
    assert frame[SP_DC] == 255 and frame[SP_USC] == 255  # fixed-gel dimmers: the dimmer only


def _without_mover_position(frame: bytes) -> bytes:
    return frame[: SP_MOVER_PAN_TILT.start] + bytes(4) + frame[SP_MOVER_PAN_TILT.stop :]


def test_blackout_cue_and_time_before_the_first_cue_are_dark_with_the_mover_at_its_focus():
    show = renderer(blackout_plan())
    for t in (1.0, 2.0):
        frame = show.frame_at(t)[1]
        assert _without_mover_position(frame) == bytes(512)
        assert frame[SP_MOVER_PAN_TILT] != bytes(4)  # dark, but pointing at its area (CS), not at the end stop
    late = renderer([cue(1, 5, 6, {"front_wash": (1.0, "daylight")})])
    assert _without_mover_position(late.frame_at(0.0)[1]) == bytes(512)
    assert late.frame_at(5.0)[1] != late.frame_at(0.0)[1]
    assert show.blackout()[1] == bytes(130) + bytes([128, 0, 128, 0]) + bytes(378)  # at rest: home, not 0/0


def test_transition_delay_and_groups_left_out_fade_with_the_cue():
    plan = [
        cue(1, 0, 10, {"front_wash": (1.0, "daylight"), "back_light": (1.0, "daylight")}),
        cue(2, 10, 20, {"front_wash": (0.2, "daylight")}, {"type": "crossfade", "duration": 2, "delay": 1}),
    ]
    show = renderer(plan)
    assert show.frame_at(10.9)[1][FW_DSL.start] == 255  # still in the delay
    assert show.frame_at(12.0)[1][BL_USL.start] == 128  # back light half-way out: 0.5 -> 127.5 -> 128
    assert show.frame_at(13.0)[1][BL_USL] == bytes(5)
    assert show.frame_at(13.0)[1][FW_DSL.start : FW_DSL.start + 2] == bytes([51, 51])  # 0.2 * 65535 = 13107


def test_effects_are_deterministic_and_shaped():
    effects = {
        "specials": {"effect": {"type": "chase", "rate_hz": 2, "depth": 1.0}},
        "front_wash": {"effect": {"type": "flicker", "rate_hz": 8, "depth": 0.5}},
        "back_light": {"effect": {"type": "pulse", "rate_hz": 1, "depth": 0.5}},
        "ambient": {"effect": {"type": "flash", "rate_hz": 2, "depth": 1.0, "duration": 1}},
    }
    plan = [cue(1, 0, 10, {g: (0.5 if g == "ambient" else 1.0, "daylight") for g in ALL_GROUPS}, **effects)]
    one, two = renderer(plan), renderer(plan)
    times = [i * 0.05 for i in range(200)]
    assert [one.frame_at(t) for t in times] == [two.frame_at(t) for t in times]
    # chase: one of the three specials lit at a time, stepping every 0.5 s
    lit = [[one.frame_at(t)[1][i] > 0 for i in (SP_DC, SP_USC, SP_MOVER_DIMMER)] for t in (0.1, 0.6, 1.1, 1.6)]
    assert lit == [[True, False, False], [False, True, False], [False, False, True], [True, False, False]]
    # pulse: full at the start of each period, down by depth at half a period, half-way down between
    assert [one.frame_at(t)[1][BL_USL.start] for t in (0.0, 0.25, 0.5, 1.0)] == [255, 191, 128, 255]
    # flash: up to full (capped at 0.9 by the group) at the start of each period, the base between, gone after 1 s
    assert one.frame_at(0.0)[1][CYC_TOP_L] == 230 and one.frame_at(0.25)[1][CYC_TOP_L] == 128
    assert one.frame_at(1.0)[1][CYC_TOP_L] == 128
    # flicker: varies, never above the base nor below base * (1 - depth)
    coarse = {one.frame_at(t)[1][FW_DSL.start] for t in times}
    assert len(coarse) > 5 and min(coarse) >= 127 and max(coarse) <= 255


def test_plan_errors_are_clear():
    with pytest.raises(HardwareError, match=r"scene_001 front_wash: colour 'octarine' is not in the colour table"):
        renderer([cue(1, 0, 1, {"front_wash": (1.0, "octarine")})])
    with pytest.raises(HardwareError, match="the plan has no cues to play"):
        renderer([])


def test_dry_run_file_holds_every_change_in_the_documented_format(tmp_path):
    show = renderer(two_cue_fade_plan())
    settings = PlaybackSettings.defaults(speed=2.0)
    figures = render_to_file(show, settings, tmp_path / "frames.jsonl")
    header, lines = read_frames(tmp_path / "frames.jsonl")
    assert header["format"] == "cueflow-dmx-frames" and header["version"] == 1
    assert header["frames_per_second"] == 44 and header["speed"] == 2.0 and header["universes"] == [1]
    assert figures["frames_rendered"] == 89  # 4 s of show at 2x and 44 frames/s: 88 steps plus the end
    assert bytes.fromhex(lines[0]["dmx"]) == show.frame_at(0.0)[1]
    assert bytes.fromhex(lines[-1]["dmx"]) == show.frame_at(4.0)[1] and lines[-1]["t"] <= 4.0
    frames = [line["frame"] for line in lines]
    assert frames == sorted(frames) and len(lines) < figures["frames_rendered"]  # unchanged frames are not repeated


def test_cli_play_dry_run_and_bad_directories(tmp_path, capsys):
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    (plan_dir / "lighting_instructions.json").write_text(json.dumps([c.model_dump(mode="json") for c in two_cue_fade_plan()]))
    assert load_plan(plan_dir) == two_cue_fade_plan()
    out = tmp_path / "frames.jsonl"
    assert main(["play", str(plan_dir), "--dry-run", str(out), "--universe", "3", "--dmx-speed", "4"]) == 0
    header, _ = read_frames(out)
    assert header["universes"] == [3] and header["speed"] == 4.0
    capsys.readouterr()
    assert main(["play", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a directory" in err
    (plan_dir / "lighting_instructions.json").write_text("[]")
    assert main(["play", str(plan_dir)]) == 2
    assert "the plan is empty" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["play", str(plan_dir), "--dmx-speed", "0"])
