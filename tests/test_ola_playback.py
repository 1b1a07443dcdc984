"""Phase 8 through a real olad (Dummy plugin, private config, no HTTP): frames read back from OLA."""

import threading

import pytest

from phases.hardware import OlaLink, PlaybackSettings, ShowPlayer, ShowRenderer
from tests.hardware_plans import blackout_plan, cue, renderer_for, two_cue_fade_plan
from tests.ola_server import OladServer

FW_DIMMER = slice(0, 2)  # the first front-wash par's 16-bit dimmer


@pytest.fixture(scope="module")
def olad():
    with OladServer() as server:  # raises, so the tests fail (never skip), when olad cannot start
        yield server


class Listener:
    """A second OLA client registered for universe 1: receives every frame olad gets, in order."""

    def __init__(self, universe: int = 1) -> None:
        self.frames: list[bytes] = []
        self.link = OlaLink("127.0.0.1", 9010, 1.0, 2.0)
        self.link.register(universe, self.frames.append)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.link.pump(0.02)

    def close(self) -> list[bytes]:
        self._stop.set()
        self._thread.join(timeout=5)
        self.link.close()
        return self.frames


def _play(plan, speed: float) -> tuple[list[bytes], bytes, ShowRenderer]:
    show = renderer_for(plan)
    listener = Listener()
    stats = ShowPlayer(show, PlaybackSettings.defaults(speed=speed)).play()
    link = OlaLink("127.0.0.1", 9010, 1.0, 2.0)
    fetched = link.fetch(1)
    link.pump(0.2)  # let the listener's last frames arrive
    link.close()
    frames = listener.close()
    assert stats.status == "finished" and stats.frames_sent > 0
    return frames, fetched, show


def test_two_cue_plan_with_a_fade_reads_back_exactly(olad):
    frames, fetched, show = _play(two_cue_fade_plan(), speed=2.0)
    assert len(frames) >= 60  # 4 s of show at 2x: about 88 frames
    # first cue: every channel exactly as rendered, and the known 16-bit level 0.5 -> 128, 0
    assert frames[0] == show.frame_at(0.0)[1]
    assert list(frames[0][FW_DIMMER]) == [128, 0]
    levels = [f[0] * 256 + f[1] for f in frames]
    assert levels == sorted(levels)  # the fade only goes up
    assert len({lv for lv in levels if 32768 < lv < 65535}) >= 10  # with steps in between
    assert frames[-1] == fetched == show.frame_at(4.0)[1]
    assert list(fetched[0:6]) == [255, 255, 0, 40, 70, 165]  # full, steel blue on RGBW


def test_blackout_cue_reads_back_dark(olad):
    frames, fetched, show = _play(blackout_plan(), speed=4.0)
    assert any(f[0] == 255 for f in frames)  # it was up first
    assert fetched == frames[-1] == show.frame_at(2.0)[1]
    mover = slice(130, 134)  # the moving head's pan and tilt: still pointing at its area while dark
    assert fetched[: mover.start] + fetched[mover.stop :] == bytes(508) and fetched[mover] != bytes(4)


def test_stop_pause_seek_and_go(olad):
    show = renderer_for([cue(1, 0, 600, {"front_wash": (1.0, "daylight")})])
    sent: list[float] = []
    started, after_seek = threading.Event(), threading.Event()

    def on_frame(t: float, _frames: dict[int, bytes]) -> None:
        sent.append(t)
        started.set()
        if t >= 300.0:
            after_seek.set()

    player = ShowPlayer(show, PlaybackSettings.defaults(), on_frame=on_frame)
    result: dict[str, object] = {}
    thread = threading.Thread(target=lambda: result.update(stats=player.play()), daemon=True)
    thread.start()
    assert started.wait(10)
    player.pause()
    player.seek(300.0)
    threading.Event().wait(0.3)
    assert all(t < 300.0 for t in sent)  # paused: the seek waits for go
    player.go()
    assert after_seek.wait(10)
    player.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    stats = result["stats"]
    assert stats.status == "stopped" and 300.0 <= stats.show_seconds < 310.0
    link = OlaLink("127.0.0.1", 9010, 1.0, 2.0)
    assert link.fetch(1) == show.blackout()[1] == bytes(130) + bytes([128, 0, 128, 0]) + bytes(378)  # stopping: at rest
    link.close()


def test_seek_near_the_end_finishes_the_show(olad):
    show = renderer_for([cue(1, 0, 600, {"front_wash": (0.5, "daylight")}), cue(2, 600, 1200, {"back_light": (1.0, "daylight")})])
    player = ShowPlayer(show, PlaybackSettings.defaults())
    player.seek(1199.5)
    stats = player.play()
    assert stats.status == "finished" and stats.show_seconds == 1200.0 and stats.frames_sent < 100
    link = OlaLink("127.0.0.1", 9010, 1.0, 2.0)
    assert link.fetch(1) == show.frame_at(1200.0)[1]
    link.close()
