"""`cueflow clean`: what cueflow keeps, trimmed, and nothing that is not cueflow's.

- Finished runs of cueflow's own flows (by flow name) in the Prefect database in use, each with its subflows
  whatever their state (a scene subflow left Running by a killed process goes with its finished parent). Another
  project's flows on a shared server are never touched.
- cueflow's own per-scene cache entries (their keys start with `cueflow-scene-`), not everything else stored in
  PREFECT_RESULTS_LOCAL_STORAGE_PATH.
- Work, old and export folders that crashed runs left in each DIR, only when the marker cueflow writes inside each
  one proves it cueflow's (flows/outputs.py, phases/work_marker.py); never by name pattern alone.
Everything by the same age limit, --older-than.

Imports nothing heavy at module level: `cueflow --help` stays fast.
"""

import argparse
import os
import re
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from .commands import bounded

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import FlowFilter

DEFAULT_DAYS = 30.0
TERMINAL = ("COMPLETED", "FAILED", "CANCELLED", "CRASHED")
# cueflow's flows, by the names their @flow decorators give (tests/test_clean.py checks the list against them).
FLOW_NAMES = ("lighting-pipeline", "scene", "batch", "directory-batch", "scenes-on-dask", "show")
CACHE_KEY = re.compile(r"cueflow-scene-[0-9a-f]{64}")  # flows/caching.py
LEGACY_CACHE_KEY = re.compile(r"[0-9a-f]{64}")  # an older cueflow's keys: counted as ours only in cueflow's own folder
PAGE = 200

days = bounded(float, "a number of days", 0, 36500)  # --older-than


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    clean = subparsers.add_parser(
        "clean",
        help="delete cueflow's finished runs, cache entries and crashed runs' work folders older than N days",
        description="Delete what cueflow made and no longer needs, older than --older-than days: finished runs of "
        "cueflow's flows (with their subflows, task runs and states) in the Prefect database in use, cueflow's "
        "per-scene cache files, and the work folders crashed runs left in each DIR (only folders holding cueflow's "
        "marker). Other flows' runs, other files and a folder a run is writing to are never touched.",
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
    if not args.keep_runs:
        from flows.api_access import api_url, server_problem

        url = api_url()
        problem = server_problem(url) if url else None
        if problem:
            return fail(*problem)
    import flows  # noqa: F401  (sets PREFECT_HOME and the other Prefect defaults first)
    from flows.outputs import remove_stale_in

    cutoff = time.time() - args.older_than * 86400
    work = sum(len(remove_stale_in(d.resolve(), cutoff)) for d in dirs)
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


def _own_default_folder(folder: Path) -> bool:
    """Whether `folder` is the cache folder cueflow chose itself ($CUEFLOW_HOME/prefect/storage), not one set by hand."""
    from .environment import cueflow_home

    if os.environ.get("PREFECT_RESULTS_LOCAL_STORAGE_PATH"):
        return False
    try:
        return folder.resolve() == (cueflow_home() / "prefect" / "storage").resolve()
    except OSError:
        return False


def remove_cache_entries(cutoff: float) -> int:
    """cueflow's cache files (a result record per key, directly in the folder) last written before `cutoff`."""
    folder = cache_folder()
    if not folder.is_dir():
        return 0
    legacy = _own_default_folder(folder)
    uid = os.geteuid()
    removed = 0
    for entry in folder.iterdir():
        name = entry.name
        if not (CACHE_KEY.fullmatch(name) or (legacy and LEGACY_CACHE_KEY.fullmatch(name))):
            continue
        try:
            info = entry.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_uid == uid and info.st_mtime < cutoff:
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
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterEndTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    ours = FlowFilter(name=FlowFilterName(any_=list(FLOW_NAMES)))
    finished = FlowRunFilter(
        end_time=FlowRunFilterEndTime(before_=datetime.fromtimestamp(cutoff, tz=UTC)),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType(t) for t in TERMINAL])),
    )
    seen: set[UUID] = set()
    async with get_client() as client:
        deleted = 0
        while True:
            runs = await client.read_flow_runs(flow_filter=ours, flow_run_filter=finished, limit=PAGE)
            fresh = [r for r in runs if r.id not in seen]
            if not fresh:
                return deleted
            for run in fresh:
                deleted += await _delete_tree(client, run.id, ours, seen)


async def _delete_tree(client: "PrefectClient", run_id: UUID, ours: "FlowFilter", seen: set[UUID]) -> int:
    """Delete a finished run's subflows (in any state: with the parent over, they are stuck) and then the run."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
    from prefect.exceptions import ObjectNotFound

    seen.add(run_id)
    deleted = 0
    children = FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id]))
    while True:
        page = await client.read_flow_runs(flow_filter=ours, flow_run_filter=children, limit=PAGE)
        fresh = [r for r in page if r.id not in seen]
        if not fresh:
            break
        for child in fresh:
            deleted += await _delete_tree(client, child.id, ours, seen)
    try:
        await client.delete_flow_run(run_id)
    except ObjectNotFound:
        return deleted
    return deleted + 1
