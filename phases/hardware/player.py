"""Real-time playback: frames on a monotonic schedule, sent to olad, with go/stop/pause/seek.

Frame n after an anchor is due at anchor + n / fps on time.monotonic(); the show clock advances by
speed / fps per frame. A frame rendered late by more than one period is skipped (counted as dropped),
so the show never drifts. On stop, cancel, error or a lost connection the player sends a blackout when
it still can, then reports: stop returns status "stopped", the rest raise PlaybackError (or re-raise
the cancel).
"""

import queue
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import PlaybackError
from .ola_link import OlaLink
from .renderer import ShowRenderer
from .settings import PlaybackSettings

Link = OlaLink
PAUSE_POLL = 0.05


@dataclass
class PlaybackStats:
    status: str = "finished"  # finished | stopped
    frames_sent: int = 0
    frames_dropped: int = 0
    show_seconds: float = 0.0
    wall_seconds: float = 0.0
    lateness: list[float] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, float]:
        late = sorted(self.lateness) or [0.0]
        p99 = late[min(len(late) - 1, int(0.99 * len(late)))]
        return {
            "frames_sent": float(self.frames_sent),
            "frames_dropped": float(self.frames_dropped),
            "show_seconds": round(self.show_seconds, 3),
            "wall_seconds": round(self.wall_seconds, 3),
            "frames_per_second": round(self.frames_sent / self.wall_seconds, 2) if self.wall_seconds else 0.0,
            "lateness_p50_ms": round(statistics.median(late) * 1000, 3),
            "lateness_p99_ms": round(p99 * 1000, 3),
            "lateness_max_ms": round(late[-1] * 1000, 3),
            "stopped": float(self.status == "stopped"),
        }


class ShowPlayer:
    """Plays a ShowRenderer's frames. play() blocks; go/pause/stop/seek may be called from any thread."""

    def __init__(
        self,
        renderer: ShowRenderer,
        settings: PlaybackSettings,
        connect: Callable[[PlaybackSettings], Link] | None = None,
        on_frame: Callable[[float, dict[int, bytes]], None] | None = None,
    ) -> None:
        settings.check()
        self.renderer = renderer
        self.settings = settings
        self._connect = connect or (lambda s: OlaLink(s.host, s.port, s.connect_timeout, s.call_timeout))
        self._on_frame = on_frame
        self._commands: queue.SimpleQueue[tuple[str, float]] = queue.SimpleQueue()
        self.show_time = 0.0

    # Controls (thread-safe): each is a message the play loop reads before every frame.
    def go(self) -> None:
        self._commands.put(("go", 0.0))

    def pause(self) -> None:
        self._commands.put(("pause", 0.0))

    def stop(self) -> None:
        self._commands.put(("stop", 0.0))

    def seek(self, show_time: float) -> None:
        self._commands.put(("seek", float(show_time)))

    def play(self, start: float = 0.0, end: float | None = None) -> PlaybackStats:
        """Play from `start` to `end` show seconds (default: the whole show). Returns when done or stopped."""
        end = self.renderer.duration if end is None else end
        link = self._connect(self.settings)
        stats = PlaybackStats()
        began = time.monotonic()
        _playing[self] = threading.current_thread()
        try:
            self._loop(link, stats, start, end)
            if stats.status == "stopped":
                self._blackout(link)
        except PlaybackError as exc:
            note = self._blackout(link)
            raise PlaybackError(f"{exc} at show time {self.show_time:.1f} s; {note}") from None
        except BaseException:  # KeyboardInterrupt, task cancellation, a bug: dark stage first
            self._blackout(link)
            raise
        finally:
            stats.wall_seconds = time.monotonic() - began
            link.close()
            _playing.pop(self, None)
        return stats

    def _blackout(self, link: Link) -> str:
        """Dark stage, and say whether it landed. A stalled or lost link gets a fresh connection, for a bounded time."""
        frames = self.renderer.blackout()
        if not link.closed and not link.stalled:
            try:
                for universe, frame in frames.items():
                    link.send(universe, frame)
                return "blackout sent"
            except PlaybackError:
                pass
        held: list[Link] = []
        if link.stalled and not link.closed:
            # Queued behind the unanswered frame on the same connection, so a resumed olad ends dark. olad drops
            # what follows the first pending message on a connection closed under it, so the link stays open.
            for universe, frame in frames.items():
                link.queue(universe, frame)
            held.append(link)
            link.closed = True  # the player is done with it; the keeper owns the socket now
        budget = self.settings.blackout_retry_seconds
        outcome, why = _send_on_fresh_link(self.settings, frames, budget)
        if outcome == "sent":
            _release(held)
            return "blackout sent on a fresh connection"
        if outcome != "stalled":  # olad is gone (a restarted olad starts dark) or refused it
            _release(held)
            return f"blackout not sent ({why})"
        keep = self.settings.blackout_keep_trying_seconds
        _start_keeper(self.settings, frames, held, keep)
        return f"blackout not confirmed within {budget:g} s ({why}); retrying for {keep:g} s in case olad resumes"

    def _loop(self, link: Link, stats: PlaybackStats, start: float, end: float) -> None:
        period = 1.0 / self.settings.frames_per_second
        step = period * self.settings.speed
        anchor_real, anchor_show, n = time.monotonic(), max(0.0, start), 0
        paused = False
        while True:
            while True:
                try:
                    command, value = self._commands.get_nowait()
                except queue.Empty:
                    break
                if command == "stop":
                    stats.status = "stopped"
                    return
                if command == "pause" and not paused:
                    paused, anchor_show = True, self.show_time
                elif command == "go" and paused:
                    paused, anchor_real, anchor_show, n = False, time.monotonic(), self.show_time, 0
                elif command == "seek":
                    self.show_time = anchor_show = max(0.0, min(value, end))
                    anchor_real, n = time.monotonic(), 0
            if paused:
                link.pump(PAUSE_POLL)  # olad holds the last frame; keep reading so a lost link is noticed
                continue
            due = anchor_real + n * period
            late = time.monotonic() - due
            if late > period:  # skip whole periods rather than drift
                skipped = int(late / period)
                stats.frames_dropped += skipped
                n += skipped
                continue
            show_t = min(anchor_show + n * step, end)
            frames = self.renderer.frame_at(show_t)
            spin = self.settings.spin_seconds  # select() wakes late on a busy machine: sleep, then spin the rest
            while (wait := due - time.monotonic()) > spin:
                link.pump(wait - spin)
            while time.monotonic() < due:
                pass
            stats.lateness.append(max(0.0, time.monotonic() - due))
            for universe, frame in frames.items():
                link.send(universe, frame)
            self.show_time = stats.show_seconds = show_t
            stats.frames_sent += 1
            if self._on_frame is not None:
                self._on_frame(show_t, frames)
            if show_t >= end:
                return
            n += 1


_keepers: list[threading.Thread] = []
_playing: dict[ShowPlayer, threading.Thread] = {}  # players in play(), by the thread that plays


def playing_on_thread(thread: threading.Thread) -> bool:
    return any(t is thread for t in list(_playing.values()))


def stop_all(timeout: float) -> bool:
    """Stop every player in this process (a signal): each blacks out within a frame. True when all have ended."""
    players = list(_playing)
    for player in players:
        player.stop()
    deadline = time.monotonic() + timeout
    while any(p in _playing for p in players) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not any(p in _playing for p in players)


def _send_on_fresh_link(settings: PlaybackSettings, frames: dict[int, bytes], budget: float) -> tuple[str, str]:
    """("sent", ""), ("stalled", why): connected but no answer, ("gone", why) or ("refused", why)."""
    try:
        fresh = OlaLink(settings.host, settings.port, budget, budget)
    except PlaybackError as exc:
        return "gone", str(exc)
    try:
        for universe, frame in frames.items():
            fresh.send(universe, frame)
        return "sent", ""
    except PlaybackError as exc:
        return ("stalled", "olad is not answering") if fresh.stalled else ("refused", str(exc))
    finally:
        fresh.real_close()


def _release(links: list[Link]) -> None:
    for link in links:
        link.real_close()


def _start_keeper(settings: PlaybackSettings, frames: dict[int, bytes], held: list[Link], seconds: float) -> None:
    """Until olad answers (it was stopped and resumes) or `seconds` pass: send the blackout again, so it lands last."""

    def keep() -> None:
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                if _send_on_fresh_link(settings, frames, min(1.0, max(0.05, deadline - time.monotonic())))[0] == "sent":
                    time.sleep(0.2)  # anything olad still had queued is handled by now; end dark regardless
                    _send_on_fresh_link(settings, frames, 1.0)
                    return
                time.sleep(0.2)
        finally:
            _release(held)

    thread = threading.Thread(target=keep, name="cueflow-blackout-keeper", daemon=True)
    _keepers.append(thread)
    thread.start()


def wait_for_blackouts(timeout: float) -> bool:
    """Wait up to `timeout` s for pending blackout retries (a process about to exit); True when none is left."""
    deadline = time.monotonic() + timeout
    for thread in list(_keepers):
        thread.join(max(0.0, deadline - time.monotonic()))
    _keepers[:] = [t for t in _keepers if t.is_alive()]
    return not _keepers
