"""--dry-run: render the show to a file instead of sending it. The format is in phases/hardware/README.md."""

import json
from pathlib import Path

from phases.atomic_file import NotARegularFileError, atomic_write

from .errors import HardwareError
from .renderer import ShowRenderer
from .settings import PlaybackSettings

FORMAT = "cueflow-dmx-frames"
VERSION = 1


def render_to_file(renderer: ShowRenderer, settings: PlaybackSettings, path: Path) -> dict[str, float]:
    """Write every frame the player would send (at its fps and speed) as JSON Lines, atomically.

    Line 1 is a header; then one line per frame and universe whose channels changed since that
    universe's previous line (a universe holds its last frame until the next line for it).

    Only a regular file is written, in a folder that exists: a device node, FIFO or symlink at `path` (say
    /dev/null, run as root) is refused, never replaced, and no folder is created.
    """
    if not path.parent.is_dir():
        raise HardwareError(f"dry run: {path.parent} is not an existing folder")
    try:
        return _render(renderer, settings, path)
    except NotARegularFileError as exc:
        raise HardwareError(f"dry run: {exc}") from None


def _render(renderer: ShowRenderer, settings: PlaybackSettings, path: Path) -> dict[str, float]:
    step = settings.speed / settings.frames_per_second
    frames = lines = 0
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
                    out.write(json.dumps({"frame": n, "t": round(t, 6), "universe": universe, "dmx": frame.hex()}) + "\n")
                    last[universe] = frame
                    lines += 1
            frames += 1
            if t >= renderer.duration:
                break
            n += 1
    return {"frames_rendered": float(frames), "lines_written": float(lines), "show_seconds": renderer.duration}


def read_frames(path: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The header and frame lines of a dry-run file (for checks and tests)."""
    with path.open(encoding="utf-8") as handle:
        header = json.loads(handle.readline())
        return header, [json.loads(line) for line in handle if line.strip()]
