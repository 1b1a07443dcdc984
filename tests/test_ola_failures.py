"""Phase 8 failure paths against a real olad: killed mid-show, not running, unknown universe."""

import json
import socket
import threading
import time

import pytest

from flows.cli import main
from phases.hardware import OlaLink, PlaybackError, PlaybackSettings, ShowPlayer, ShowRenderer, load_profiles
from phases.knowledge import load_knowledge
from tests.hardware_plans import cue, renderer_for, two_cue_fade_plan
from tests.ola_server import OladServer

# The bound for "the player ends with a clear error", used as a hang guard.
ERROR_WITHIN = 2.0


@pytest.fixture
def olad():
    with OladServer() as server:  # raises, so the tests fail (never skip), when olad cannot start
        yield server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_killing_olad_during_playback_ends_with_a_clear_error(olad):
    show = renderer_for([cue(1, 0, 600, {"front_wash": (1.0, "daylight")})])
    playing = threading.Event()
    player = ShowPlayer(show, PlaybackSettings.defaults(), on_frame=lambda t, f: playing.set())
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            player.play()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert playing.wait(10)
    olad.kill()
    killed = time.monotonic()
    thread.join(timeout=ERROR_WITHIN)
    assert not thread.is_alive(), "the player hung after olad died"
    print(f"player ended {time.monotonic() - killed:.3f} s after SIGKILL")
    error = outcome["error"]
    assert isinstance(error, PlaybackError)
    message = str(error)
    assert "\n" not in message
    assert message.startswith("lost the connection to olad on 127.0.0.1:9010")
    assert "blackout not sent" in message


def test_olad_not_running_is_a_one_line_error():
    port = _free_port()
    settings = PlaybackSettings.defaults(port=port)
    with pytest.raises(PlaybackError, match=rf"^olad is not running on 127.0.0.1:{port} \(Connection refused\); start olad"):
        ShowPlayer(renderer_for(two_cue_fade_plan()), settings).play()


def test_cli_play_without_olad_fails_with_one_line(tmp_path, capsys):
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    (plan_dir / "lighting_instructions.json").write_text(json.dumps([c.model_dump(mode="json") for c in two_cue_fade_plan()]))
    assert main(["play", str(plan_dir)]) == 1  # nothing listens on 9010 outside the olad fixture
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cueflow: error: olad is not running on 127.0.0.1:9010")


def test_an_unpatched_universe_is_refused_with_a_clear_error_and_no_hang(olad):
    show = ShowRenderer(two_cue_fade_plan(), load_knowledge().rig, load_knowledge().colours, load_profiles(), universe_offset=6)
    with pytest.raises(PlaybackError, match=r"^olad refused the frame for universe 7: Universe doesn't exist at show time 0.0 s"):
        ShowPlayer(show, PlaybackSettings.defaults()).play()
    link = OlaLink("127.0.0.1", 9010, 1.0, 1.0)
    link.send(1, bytes(512))  # olad is still fine afterwards
    link.close()


def test_the_olad_fixture_raises_rather_than_skips_when_olad_cannot_start(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(RuntimeError, match="something already listens on 127.0.0.1"):
            OladServer(port=busy.getsockname()[1]).start()
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeError, match="olad is not installed"):
        OladServer(port=_free_port()).start()
