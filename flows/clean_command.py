"""`cueflow clean`: what cueflow keeps, trimmed. Finished runs in the Prefect database, per-scene cache entries,
and work folders that crashed runs left beside their output folders.

Imports nothing heavy at module level: `cueflow --help` stays fast.
"""

import argparse
import time
from pathlib import Path

from .commands import bounded

DEFAULT_DAYS = 30.0
TERMINAL = ("COMPLETED", "FAILED", "CANCELLED", "CRASHED")


days = bounded(float, "a number of days", 0, 36500)  # --older-than


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    clean = subparsers.add_parser(
        "clean",
        help="delete finished runs and cache entries older than N days, and crashed runs' work folders",
        description="Delete finished flow runs (and their task runs, logs and artifacts) from the Prefect database "
        "in use, per-scene cache files, both older than --older-than days, and the work folders crashed runs "
        "left in each DIR. A folder a run is writing to is never touched.",
    )
    clean.add_argument("dirs", nargs="*", metavar="DIR", help="output folders' parents to clear of leftover work folders")
    clean.add_argument("--older-than", type=days, default=DEFAULT_DAYS, metavar="DAYS", help="default 30")
    clean.add_argument("--keep-runs", action="store_true", help="leave the Prefect database alone (it is slow to open)")
    clean.set_defaults(handler=_clean)


def _clean(args: argparse.Namespace) -> int:
    import sys

    from flows.commands import EXIT_BAD_INPUT, EXIT_OK, fail

    dirs = [Path(d) for d in args.dirs]
    for d in dirs:
        if not d.is_dir():
            return fail(f"{d}: not a directory", EXIT_BAD_INPUT)
    import flows  # noqa: F401  (sets PREFECT_HOME and the other Prefect defaults first)
    from flows.outputs import remove_stale_in

    cutoff = time.time() - args.older_than * 86400
    work = sum(len(remove_stale_in(d.resolve())) for d in dirs)
    cache = remove_cache_entries(cutoff)
    runs = 0 if args.keep_runs else delete_runs(cutoff)
    print(
        f"cueflow: removed {runs} finished runs and {cache} cache entries older than {args.older_than:g} days, "
        f"and {work} leftover work folders",
        file=sys.stderr,
    )
    return EXIT_OK


def cache_folder() -> Path:
    from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH

    return Path(PREFECT_RESULTS_LOCAL_STORAGE_PATH.value()).expanduser()


def remove_cache_entries(cutoff: float) -> int:
    """Cache files (result and metadata alike) last written before `cutoff` (a time.time() value)."""
    folder = cache_folder()
    removed = 0
    if not folder.is_dir():
        return 0
    for entry in folder.rglob("*"):
        try:
            if entry.is_file() and not entry.is_symlink() and entry.stat().st_mtime < cutoff:
                entry.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def delete_runs(cutoff: float) -> int:
    import asyncio

    return asyncio.run(_delete_runs(cutoff))


async def _delete_runs(cutoff: float) -> int:
    from datetime import UTC, datetime

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    before = datetime.fromtimestamp(cutoff, tz=UTC)
    old = FlowRunFilter(
        start_time=FlowRunFilterStartTime(before_=before),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType(t) for t in TERMINAL])),
    )
    deleted = 0
    async with get_client() as client:
        while True:
            runs = await client.read_flow_runs(flow_run_filter=old, limit=200)
            if not runs:
                return deleted
            for run in runs:
                await client.delete_flow_run(run.id)
                deleted += 1
