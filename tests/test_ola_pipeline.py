"""Phase 8 inside the real Prefect pipeline: the example play sent to a real olad, and a dry run."""

import json
import socket

import pytest

from flows import PipelineConfig, run
from phases.hardware import OlaLink, PlaybackSettings, build_renderer, load_plan, read_frames
from tests.conftest import EXAMPLE
from tests.ola_server import OladServer

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def olad():
    with OladServer() as server:  # raises, so the tests fail (never skip), when olad cannot start
        yield server


def _phase_8(out):
    result = json.loads((out / "result.json").read_text())
    return [p for p in result["phases"] if p["phase"] == 8]


def test_send_dmx_plays_the_finished_plan_to_olad(olad, tmp_path):
    result = run(EXAMPLE, PipelineConfig(output_dir=str(tmp_path), enable_phase_8=True, dmx_speed=1000))
    assert result.success, result.error
    [phase] = _phase_8(tmp_path)
    assert phase["status"] == "completed" and phase["data"]["frames_sent"] > 0
    final = build_renderer(load_plan(tmp_path), PlaybackSettings.defaults()).frame_at(10**9)[1]
    link = OlaLink("127.0.0.1", 9010, 1.0, 2.0)
    assert link.fetch(1) == final  # olad holds the show's last look
    link.close()


def test_dry_run_renders_frames_and_sends_nothing(tmp_path):
    frames = tmp_path / "frames.jsonl"
    with socket.socket() as probe:  # a port nothing listens on: any attempt to send would fail the run
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    config = PipelineConfig(output_dir=str(tmp_path), enable_phase_8=True, dmx_dry_run_path=str(frames), olad_port=closed_port)
    result = run(EXAMPLE, config)
    assert result.success, result.error
    [phase] = _phase_8(tmp_path)
    assert phase["status"] == "completed" and phase["data"]["frames_rendered"] > 1000
    header, lines = read_frames(frames)
    assert header["format"] == "cueflow-dmx-frames" and lines[0]["frame"] == 0
