"""DMX frame timing against a real olad: `python -m bench.dmx_bench [--seconds 30] [--fps 44]`.

Plays a show of fades and effects over the default rig's 24 fixtures in real time and prints frames sent,
frames/s, dropped frames, and the p50/p99/max lateness of each frame against its monotonic schedule.
Uses the olad on 127.0.0.1:9010 when one runs; otherwise starts a private one (Dummy plugin only).
"""

import argparse
import json
import socket
import statistics
import sys
import time

from phases.contracts import LightingInstruction
from phases.hardware import PlaybackSettings, ShowPlayer, build_renderer

GROUPS = ("front_wash", "back_light", "side_fill", "specials", "ambient")
EFFECTS = {"specials": {"type": "chase", "rate_hz": 4}, "ambient": {"type": "flicker", "rate_hz": 8, "depth": 0.4}}


def _plan(seconds: float) -> list[LightingInstruction]:
    """Three cues with long fades and running effects, so every frame does real rendering work."""
    colours = ("bastard_amber", "steel_blue", "medium_amber")
    third = seconds / 3
    return [
        LightingInstruction.model_validate(
            {
                "scene_id": f"scene_{i + 1:03d}",
                "cue_number": i + 1,
                "label": f"cue {i + 1}",
                "called_on": {"kind": "scene_start"},
                "time_window": {"start": i * third, "end": (i + 1) * third},
                "groups": [
                    {
                        "group_id": g,
                        "parameters": {
                            "intensity": 0.3 + 0.3 * ((i + j) % 3),
                            "color": colours[(i + j) % 3],
                            "effect": EFFECTS.get(g),
                        },
                        "transition": {"type": "fade", "duration": third * 0.8},
                    }
                    for j, g in enumerate(GROUPS)
                ],
            }
        )
        for i in range(3)
    ]


def _olad_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 9010), timeout=0.5):
            return True
    except OSError:
        return False


def run(seconds: float, fps: float) -> dict[str, float]:
    renderer = build_renderer(_plan(seconds), PlaybackSettings.defaults())
    render = []
    for i in range(200):
        start = time.perf_counter()
        renderer.frame_at(i * seconds / 200)
        render.append(time.perf_counter() - start)
    player = ShowPlayer(renderer, PlaybackSettings.defaults(frames_per_second=fps))
    if _olad_running():
        stats = player.play()
    else:
        from tests.ola_server import OladServer

        with OladServer():
            stats = player.play()
    figures = stats.summary()
    figures["expected_frames"] = float(round(seconds * fps) + 1)
    figures["render_ms_median"] = round(statistics.median(render) * 1000, 3)
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=44.0)
    args = parser.parse_args(argv or [])
    figures = run(args.seconds, args.fps)
    print(
        f"DMX playback {args.seconds:g} s at {args.fps:g} Hz: {int(figures['frames_sent'])} frames sent "
        f"(expected {int(figures['expected_frames'])}), {int(figures['frames_dropped'])} dropped, "
        f"{figures['frames_per_second']:.2f} frames/s; lateness p50 {figures['lateness_p50_ms']:.3f} ms, "
        f"p99 {figures['lateness_p99_ms']:.3f} ms, max {figures['lateness_max_ms']:.3f} ms; "
        f"render {figures['render_ms_median']:.3f} ms/frame (median)"
    )
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
