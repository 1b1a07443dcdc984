"""Issue 23: plans that hung or exhausted `cueflow play`, names the system refuses, and a dry run cut short.

Through the real CLI, each process limited to 768 MB of address space: a FIFO or /dev/zero as the plan is one line
within seconds, a week-long plan renders its holds for free (the file identical to rendering every frame), and
Ctrl-C leaves no half-written file.
"""

import json
import signal
import time

import pytest

from phases.hardware import PlaybackSettings, build_renderer, read_frames, render_to_file

from .conftest import EXAMPLE
from .crafted_plans import design_review_plan
from .export_plans import show
from .hostile_files import plan_dir, plan_file_replaced, run_cli, temporary_files
from .multi_cue_plans import storm_plan

LONG_NAME = "n" * 300


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("fifo", "lighting_instructions.json: is a FIFO (named pipe), not a regular file"),
        ("dev_zero", "lighting_instructions.json: is a device, not a regular file"),
        ("nested", "lighting_instructions.json: invalid JSON: nested too deeply"),
        ("digits", "lighting_instructions.json: invalid JSON at line 1: a number of 5,000 digits"),
    ],
)
def test_a_plan_that_is_not_a_plan_is_one_line_in_seconds(tmp_path, how, message):
    """A FIFO hung `play` for ever, /dev/zero took 21 GB; brackets and digits were internal errors."""
    directory = plan_file_replaced(tmp_path / "plan", how)
    for args in (("play", str(directory), "--dry-run", str(tmp_path / "frames.jsonl")), ("export", str(directory))):
        done = run_cli(*args, timeout=30)
        assert done.returncode is not None, f"hung: {args}"
        assert done.clean_refusal and message in done.error_lines[0], done.stderr[-2000:]
    assert not (tmp_path / "frames.jsonl").exists() and temporary_files(tmp_path) == []


def test_a_week_long_hold_renders_in_seconds_with_flat_memory(tmp_path):
    """The schema allows a week: 26.6 million frames took about 2 hours. Holds are skipped to the next GO."""
    directory = plan_dir(tmp_path / "plan", last_end=604800.0)
    frames = tmp_path / "week.jsonl"
    started = time.monotonic()
    done = run_cli("play", str(directory), "--dry-run", str(frames), timeout=240)
    assert done.returncode == 0, done.stderr
    assert "rendered 26611201 frames (604800.0 s of show)" in done.stderr, done.stderr
    assert time.monotonic() - started < 240 and done.peak_kib < 300_000, (done.seconds, done.peak_kib)
    header, lines = read_frames(frames)
    assert header["show_seconds"] == 604800.0 and lines[-1]["frame"] < 20_000  # the changes, all near the start


def test_fades_and_effects_that_would_not_fit_are_refused_before_rendering(tmp_path):
    directory = plan_dir(tmp_path / "plan", effect_all_week=True)
    done = run_cli("play", str(directory), "--dry-run", str(tmp_path / "storm.jsonl"), timeout=60)
    assert done.clean_refusal, done.stderr
    assert "fades and effects run for 168.0 h of show" in done.error_lines[0] and "over the 1 GiB limit" in done.error_lines[0]
    assert not (tmp_path / "storm.jsonl").exists() and temporary_files(tmp_path) == []
    faster = run_cli("play", str(directory), "--dry-run", str(tmp_path / "storm.jsonl"), "--dmx-speed", "2000", timeout=240)
    assert faster.returncode == 0, faster.stderr


def _every_frame(renderer, settings) -> tuple[int, list[dict[str, object]]]:
    """What the dry run wrote before it skipped holds: every frame rendered, a line where a universe changed."""
    step = settings.speed / settings.frames_per_second
    last: dict[int, bytes] = {}
    lines: list[dict[str, object]] = []
    n = 0
    while True:
        t = min(n * step, renderer.duration)
        for universe, frame in renderer.frame_at(t).items():
            if last.get(universe) != frame:
                lines.append({"frame": n, "t": round(t, 6), "universe": universe, "dmx": frame.hex()})
                last[universe] = frame
        if t >= renderer.duration:
            return n + 1, lines
        n += 1


@pytest.mark.parametrize("name", ["storm", "export", "design_review"])
def test_skipping_holds_writes_exactly_what_rendering_every_frame_wrote(tmp_path, name):
    """Fades, delays, follows, cuts and effects (the storm's lightning runs on across cues), at odd speeds."""
    plan = {"storm": storm_plan, "export": lambda: show()[1], "design_review": lambda: design_review_plan().plan}[name]()
    duration = build_renderer(plan, PlaybackSettings.defaults()).duration
    for factor in (1.37, 3.1):  # odd steps, about 6,000 and 2,500 frames whatever the show's length
        settings = PlaybackSettings.defaults(speed=round(max(1.0, duration * 44 / 8000) * factor, 3))
        renderer = build_renderer(plan, settings)
        frames, expected = _every_frame(renderer, settings)
        stats = render_to_file(renderer, settings, tmp_path / "frames.jsonl")
        assert read_frames(tmp_path / "frames.jsonl")[1] == expected
        assert stats["frames_rendered"] == frames and stats["lines_written"] == len(expected)


def test_ctrl_c_during_a_dry_run_leaves_no_temporary_file(tmp_path):
    """flows/signals ends with os._exit, which skipped the writer's cleanup: a 51 MB .tmp stayed each time."""
    directory = plan_dir(tmp_path / "plan", effect_all_week=True)
    frames = tmp_path / "out" / "frames.jsonl"
    frames.parent.mkdir()
    frames.write_text("the previous dry run\n")
    for stop in (signal.SIGINT, signal.SIGTERM):
        done = run_cli(
            "play", str(directory), "--dry-run", str(frames), "--dmx-speed", "40", timeout=120, stop_after=8, stop_signal=stop
        )
        assert done.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[stop], done.stderr
        assert temporary_files(tmp_path) == [] and frames.read_text() == "the previous dry run\n"


@pytest.mark.parametrize("command", ["run", "batch", "export", "play-dry-run", "play"])
def test_a_name_over_255_bytes_is_one_line(tmp_path, command):
    """An --out (or plan, or dry-run file) name the file system refuses was an internal OSError."""
    long = str(tmp_path / LONG_NAME)
    directory = plan_dir(tmp_path / "plan")
    args = {
        "run": ("run", str(EXAMPLE), "--out", long),
        "batch": ("batch", str(EXAMPLE.parent), "--out", long),
        "export": ("export", str(directory), "--out", long),
        "play-dry-run": ("play", str(directory), "--dry-run", long),
        "play": ("play", long),
    }[command]
    done = run_cli(*args, timeout=60)
    assert done.clean_refusal and "300 bytes long, over the system's 255" in done.error_lines[0], done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_scenes_and_result_files_are_read_bounded_too(tmp_path):
    directory = plan_dir(tmp_path / "plan")
    (directory / "scenes.json").unlink()
    (directory / "scenes.json").symlink_to("/dev/zero")
    done = run_cli("export", str(directory), "--out", str(tmp_path / "out"), timeout=30)
    assert done.clean_refusal and "scenes.json: is a device, not a regular file" in done.error_lines[0], done.stderr
    (directory / "scenes.json").unlink()
    (directory / "result.json").symlink_to("/dev/zero")  # only names the show: passed over
    done = run_cli("export", str(directory), "--out", str(tmp_path / "out"), timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads((directory / "lighting_instructions.json").read_text())[0]["cue_number"] == 0.5
