"""`cueflow export PLAN_DIR`: a finished plan out to the console (USITT ASCII, QLC+) and the prompt book.

Imports nothing heavy at module level: `cueflow --help` and bad input stay fast.
"""

import argparse
from pathlib import Path

from flows.commands import bounded

FORMAT_NAMES = ("ascii", "qlc", "csv", "sheet")


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    export = subparsers.add_parser(
        "export", help="export a finished plan: USITT ASCII cues, QLC+ workspace, cue sheet (CSV, printable HTML)"
    )
    export.add_argument("plan_dir", metavar="PLAN_DIR", help="an output directory of `cueflow run`")
    export.add_argument(
        "--format",
        action="append",  # checked by the export, so a wrong name gets one line, not argparse's usage
        dest="formats",
        metavar="FORMAT",
        help=f"one of {', '.join(FORMAT_NAMES)}; repeat for several (default: all)",
    )
    export.add_argument("--out", metavar="DIR", help="where to write the files (default: PLAN_DIR, beside the plan)")
    export.add_argument(
        "--rig", metavar="PATH", help="export for this rig file instead of the one the plan recorded (rig_patch.json)"
    )
    export.add_argument(
        "--lines-per-page",
        type=bounded(int, "a whole number", 10, 500),
        metavar="N",
        help="page a script that was not a PDF at N lines (default: a standard script page, 55)",
    )
    export.add_argument(
        "--into",
        metavar="WORKSPACE",
        help="with --format qlc: add the cue list to a copy of this QLC+ workspace, keeping its fixtures, functions, "
        "virtual console and I/O patch",
    )
    export.set_defaults(handler=_export)



def _export(args: argparse.Namespace) -> int:
    import sys

    from flows.commands import EXIT_BAD_INPUT, EXIT_OK, fail
    from phases.export import ExportError, export_plan

    plan_dir = Path(args.plan_dir)
    out = Path(args.out) if args.out else plan_dir
    try:
        written = export_plan(
            plan_dir,
            list(args.formats or FORMAT_NAMES),
            out,
            Path(args.rig) if args.rig else None,
            lines_per_page=args.lines_per_page,
            on_note=lambda note: print(f"cueflow: note: {note}", file=sys.stderr),
            qlc_into=Path(args.into) if args.into else None,
        )
    except ExportError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    for name, path in written.items():
        print(f"cueflow: {name:5} {path}", file=sys.stderr)
    return EXIT_OK
