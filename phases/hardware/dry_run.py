"""--dry-run: render the show to a file instead of sending it. The format is in phases/hardware/README.md."""

import bisect
import json
import math
from pathlib import Path

from phases.atomic_file import NotARegularFileError, atomic_write

from .errors import HardwareError
from .limits import hardware_limits
from .renderer import ShowRenderer
from .settings import PlaybackSettings

FORMAT = "cueflow-dmx-frames"
VERSION = 1


def render_to_file(renderer: ShowRenderer, settings: PlaybackSettings, path: Path) -> dict[str, float]:
    """Write every frame the player would send (at its fps and speed) as JSON Lines, atomically.

    Line 1 is a header; then one line per frame and universe whose channels changed since that
    universe's previous line (a universe holds its last frame until the next line for it).

    Only a regular file is written, in a folder that exists: a device node, FIFO or symlink at `path` (say
    /dev/null, run as root) is refused, never replaced, and no folder is created. A show whose fades and
    effects would write more than the limit (data/limits.yaml) is refused before anything is rendered.
    """
    if not path.parent.is_dir():
        raise HardwareError(f"dry run: {path.parent} is not an existing folder")
    _check_size(renderer, settings)
    try:
        return _render(renderer, settings, path)
    except NotARegularFileError as exc:
        raise HardwareError(f"dry run: {exc}") from None


def _line(n: int, t: float, universe: int, frame: bytes) -> str:
    return json.dumps({"frame": n, "t": round(t, 6), "universe": universe, "dmx": frame.hex()}) + "\n"


def _check_size(renderer: ShowRenderer, settings: PlaybackSettings) -> None:
    """Refuse a show whose changing frames would exceed the limit: at most one line per universe and frame."""
    step = settings.speed / settings.frames_per_second
    frames = sum(math.floor((end - start) / step) + 2 for start, end in renderer.moving_spans())
    widest = len(_line(math.ceil(renderer.duration / step), renderer.duration, max(renderer.universes, default=1), bytes(512)))
    estimate = frames * len(renderer.universes) * widest
    cap = hardware_limits().max_dry_run_bytes
    if estimate > cap:
        moving = sum(end - start for start, end in renderer.moving_spans())
        raise HardwareError(
            f"dry run: the plan's fades and effects run for {moving / 3600:,.1f} h of show, up to {estimate / 2**30:,.1f} GiB "
            f"of frames, over the {cap / 2**30:g} GiB limit; render it faster (--dmx-speed N writes N times fewer frames)"
        )


def _render(renderer: ShowRenderer, settings: PlaybackSettings, path: Path) -> dict[str, float]:
    """Frame by frame where the show moves; a hold is skipped to the next GO (its frames equal the one before, so
    they would write no line). The file is exactly what rendering every frame would write."""
    step = settings.speed / settings.frames_per_second
    spans = renderer.moving_spans()
    starts = [start for start, _ in spans]
    lines = 0
    with atomic_write(path, make_parents=False) as out:
        header = {
            "format": FORMAT,
            "version": VERSION,
            "frames_per_second": settings.frames_per_second,
            "speed": settings.speed,
            "show_seconds": renderer.duration,
            "universes": renderer.universes,
            "channels": 512,
        }
        out.write(json.dumps(header) + "\n")
        last: dict[int, bytes] = {}
        n = 0
        while True:
            t = min(n * step, renderer.duration)
            for universe, frame in renderer.frame_at(t).items():
                if last.get(universe) != frame:
                    out.write(_line(n, t, universe, frame))
                    last[universe] = frame
                    lines += 1
            if t >= renderer.duration:
                break
            cue = bisect.bisect_right(starts, t) - 1
            if cue >= 0 and t < spans[cue][1]:  # fading or running an effect: the next frame may differ
                n += 1
                continue
            change = starts[cue + 1] if cue + 1 < len(starts) else renderer.duration
            n = max(n + 1, math.floor(change / step))  # the last frame before the next GO, then the GO's own
    return {"frames_rendered": float(n + 1), "lines_written": float(lines), "show_seconds": renderer.duration}


def read_frames(path: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The header and frame lines of a dry-run file (for checks and tests)."""
    with path.open(encoding="utf-8") as handle:
        header = json.loads(handle.readline())
        return header, [json.loads(line) for line in handle if line.strip()]
