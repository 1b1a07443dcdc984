"""What a planned show sends to a rig, value by value: `python -m bench.rig_safety FRAMES --rig RIG --plan DIR`.

FRAMES is a dry run (`cueflow run SCRIPT --rig RIG --send-dmx --dry-run FRAMES`, or `cueflow play DIR --dry-run`)
from any version of cueflow: the figures compare builds. Every value in every frame is classified against the
rig's fixture definitions (phases/rig/data/capabilities.yaml) and counted:

- values: channel values sent to patched fixtures over the show (each frame line weighted by the frames it
  holds for), and how many landed in a capability that is not safe (strobe, random, program, sound, macro,
  reset, lamp, effect, fog, unknown);
- fixture-cues: each cue's state once its fade is done, per fixture, and how many of them send some channel into
  an unsafe capability (the issue's "210 of 240 fixture-cues land in programs");
- lit movers parked at 0/0: frames in which a lit mover or scanner has pan and tilt at 0 (the end stop).
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from phases.hardware.dry_run import read_frames
from phases.hardware.show import load_plan
from phases.rig import load_rig
from phases.rig.channel_plan import plan_mode
from phases.rig.profiles import Channel, FixtureProfile
from phases.rig.xml_files import load_data

SAFE = set(load_data("safety")["hold_order"]) | set(load_data("safety")["driven"]) | set(load_data("safety")["position"])


def _kind(channel: Channel, value: int) -> str:
    if not channel.ranges:
        return "level"
    found = channel.range_at(value)
    return found.kind if found else "unknown"


def _lit(profile: FixtureProfile, values: bytes) -> bool:
    """Light leaves it: no channel closed, and a channel that carries level (dimmer, emitter) above 0."""
    kinds = [_kind(c, v) for c, v in zip(profile.channels, values, strict=True)]
    if "closed" in kinds:
        return False
    carriers = [i for i, c in enumerate(profile.channels) if c.role in ("dimmer", "red", "green", "blue", "white", "amber")]
    return any(values[i] > 0 and kinds[i] in ("level", "open") for i in carriers)


def analyse(frames_path: Path, rig_path: Path, plan_dir: Path) -> dict[str, float]:
    loaded = load_rig(rig_path)
    fixtures = [(f, loaded.profiles[f.patch.profile]) for f in loaded.rig.fixtures]
    header, lines = read_frames(frames_path)
    step = float(header["speed"]) / float(header["frames_per_second"])  # type: ignore[arg-type]
    last_frame = int(round(float(header["show_seconds"]) / step))  # type: ignore[arg-type]
    by_universe: dict[int, list[tuple[int, bytes]]] = {}
    for line in lines:
        by_universe.setdefault(int(line["universe"]), []).append((int(line["frame"]), bytes.fromhex(str(line["dmx"]))))  # type: ignore[call-overload]
    values = unsafe = lit_mover_frames = parked = 0
    classes: Counter[str] = Counter()
    movers = [(f, p) for f, p in fixtures if plan_mode(p).position or p.has("pan")]
    for universe, changes in by_universe.items():
        here = [(f, p) for f, p in fixtures if f.patch.universe == universe]
        for index, (frame_number, frame) in enumerate(changes):
            until = changes[index + 1][0] if index + 1 < len(changes) else last_frame + 1
            weight = max(1, until - frame_number)
            for f, p in here:
                start = f.patch.address - 1
                chunk = frame[start : start + p.footprint]
                for channel, value in zip(p.channels, chunk, strict=True):
                    kind = _kind(channel, value)
                    values += weight
                    if kind not in SAFE:
                        unsafe += weight
                        classes[kind] += weight
            for f, p in movers:
                if f.patch.universe != universe:
                    continue
                start = f.patch.address - 1
                chunk = frame[start : start + p.footprint]
                if _lit(p, chunk):
                    lit_mover_frames += weight
                    pan, tilt = p.offset("pan"), p.offset("tilt")
                    if pan is not None and tilt is not None and chunk[pan] == 0 and chunk[tilt] == 0:
                        parked += weight
    cue_states = unsafe_cues = 0
    plan = load_plan(plan_dir)
    for cue in plan:
        done = max((g.transition.delay + g.transition.duration if g.transition else 0.0) for g in cue.groups)
        settle = cue.time_window.start + done
        at = min(int(round(min(settle, cue.time_window.end) / step)), last_frame)
        for universe, changes in by_universe.items():
            frame = next((fr for n, fr in reversed(changes) if n <= at), bytes(512))
            for f, p in fixtures:
                if f.patch.universe != universe or f.head not in (None, 1):
                    continue
                heads = [(g, q) for g, q in fixtures if g.unit == f.unit] if f.unit else [(f, p)]
                cue_states += 1
                bad = False
                for g, q in heads:
                    chunk = frame[g.patch.address - 1 : g.patch.address - 1 + q.footprint]
                    bad |= any(_kind(c, v) not in SAFE for c, v in zip(q.channels, chunk, strict=True))
                unsafe_cues += bad
    return {
        "values": values,
        "unsafe_values": unsafe,
        "unsafe_by_class": dict(classes.most_common()),  # type: ignore[dict-item]
        "fixture_cues": cue_states,
        "unsafe_fixture_cues": unsafe_cues,
        "lit_mover_frames": lit_mover_frames,
        "lit_movers_parked_at_0_0": parked,
        "frames": last_frame + 1,
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("frames", type=Path)
    parser.add_argument("--rig", type=Path, required=True)
    parser.add_argument("--plan", type=Path, required=True, help="the run's output folder (lighting_instructions.json)")
    args = parser.parse_args(argv)
    figures = analyse(args.frames, args.rig, args.plan)
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
