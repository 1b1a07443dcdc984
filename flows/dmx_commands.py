"""`cueflow play DIR`: play a plan made earlier to DMX through OLA (Phase 8), without Prefect.

Imports nothing heavy at module level: `cueflow --help` and bad input stay fast.
"""

import argparse
from pathlib import Path

from flows.commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, fail, speed_factor, universe_number


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    play = subparsers.add_parser("play", help="play a plan made earlier (DIR/lighting_instructions.json) to DMX")
    play.add_argument("directory", metavar="DIR", help="an output directory of `cueflow run`")
    play.add_argument("--universe", type=universe_number, default=1, metavar="N", help="OLA universe (default 1)")
    play.add_argument("--dmx-speed", type=speed_factor, default=1.0, metavar="FACTOR", help="play FACTOR times faster")
    play.add_argument("--dry-run", metavar="FILE", help="render the frames to FILE (JSON Lines) instead of sending them")
    play.add_argument(
        "--rig", metavar="PATH", help="play on this rig file (YAML or .qxw) instead of the one the plan recorded"
    )
    play.set_defaults(handler=_play)


def _play(args: argparse.Namespace) -> int:
    import sys

    from flows.outputs import OutputTargetError, check_file_target
    from phases.export import ExportError, rig_for_plan
    from phases.export.rig_record import BUNDLED_RIG
    from phases.hardware import HardwareError, PlaybackError, PlaybackSettings, load_plan, run_show
    from phases.hardware.show import PLAN_FILE

    from .dry_run_target import dry_run_problem, record_opened_files

    record_opened_files()  # so --dry-run can never be a file this command reads
    try:
        dry_run = check_file_target(Path(args.dry_run)) if args.dry_run else None
        plan = load_plan(Path(args.directory))
        rig, note = rig_for_plan(Path(args.directory), Path(args.rig) if args.rig else None)  # the plan's own rig
        settings = PlaybackSettings.defaults(speed=args.dmx_speed, universe_offset=args.universe - 1)
    except (HardwareError, OutputTargetError, ExportError) as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    if note:
        print(f"cueflow: note: {note}", file=sys.stderr)
    own_rig = None if rig == BUNDLED_RIG else rig  # the --rig given, or the one the plan recorded
    if dry_run is not None:
        if own_rig is not None:  # read the rig (and its fixture definitions) now, so they count as read
            from flows.rig_commands import rig_problem

            problem = rig_problem(str(own_rig))
            if problem:
                return fail(problem, EXIT_BAD_INPUT)
        reads = [Path(args.directory) / PLAN_FILE] + ([own_rig] if own_rig is not None else [])
        problem = dry_run_problem("--dry-run", Path(args.dry_run), reads)
        if problem:
            return fail(problem, EXIT_BAD_INPUT)
    try:
        stats = run_show(plan, settings, dry_run=dry_run, rig=own_rig)
    except PlaybackError as exc:
        return fail(str(exc), EXIT_FAILED)
    except HardwareError as exc:  # the patch or the plan cannot be played: nothing was sent
        return fail(str(exc), EXIT_BAD_INPUT)
    if dry_run is not None:
        print(
            f"cueflow: rendered {int(stats['frames_rendered'])} frames ({stats['show_seconds']:.1f} s of show) to {dry_run}",
            file=sys.stderr,
        )
    else:
        print(
            f"cueflow: played {stats['show_seconds']:.1f} s of show to universe {args.universe}: "
            f"{int(stats['frames_sent'])} frames, {int(stats['frames_dropped'])} dropped, "
            f"lateness p99 {stats['lateness_p99_ms']:.2f} ms",
            file=sys.stderr,
        )
    return EXIT_OK
