"""Trigger to completion through a real deployment: `python -m bench.deployment_trigger [--runs 3]`.

Starts `cueflow server` (its default database: PostgreSQL when installed; `--sqlite` for SQLite) on a free port,
registers the deployments, starts `cueflow serve`, then
triggers `lighting-pipeline/on-demand` on Macbeth with `prefect deployment run --watch` and prints each run's
created-to-end time from the API, the medians, and the server's 503 answers (SQLite "database is locked": each
one makes the client sleep 2 s or more).
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.prefect_stack import PrefectStack

MACBETH = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "scripts" / "plays" / "macbeth.txt"


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true", help="the server on SQLite (default: PostgreSQL when installed)")
    args = parser.parse_args(argv)
    # The server logs every request it answers 503 (retryable database errors): count those lines.
    os.environ["PREFECT_API_LOG_RETRYABLE_ERRORS"] = "true"
    stack = PrefectStack(base=Path(tempfile.mkdtemp(prefix="cueflow-trigger-")), server_args=["--sqlite"] if args.sqlite else [])
    stack.start()
    try:
        shutil.copy(MACBETH, stack.inputs / MACBETH.name)
        deployed = stack.cueflow("deploy")
        if deployed.returncode != 0:
            raise SystemExit(deployed.stderr)
        stack.serve()
        time.sleep(4)
        walls, server, startup = [], [], []
        for i in range(args.runs):
            start = time.perf_counter()
            run_id, _ = stack.trigger(
                "lighting-pipeline/on-demand", f'script_path="{MACBETH.name}"', f'output_dir="run-{i}"', watch=True
            )
            walls.append(time.perf_counter() - start)
            run = stack.wait_for_run(run_id)
            server.append((_at(run["end_time"]) - _at(run["created"])).total_seconds())  # type: ignore[arg-type]
            # created -> start: the runner's poll and the new run process (importing Prefect and cueflow)
            startup.append((_at(run["start_time"]) - _at(run["created"])).total_seconds())  # type: ignore[arg-type]
            print(
                f"run {i}: {run['state']['type']}, created->end {server[-1]:.1f} s (start-up {startup[-1]:.1f} s),"  # type: ignore[index]
                f" --watch wall {walls[-1]:.1f} s"
            )
    finally:
        stack.stop()
    log = (stack.base / "server.log").read_text(errors="replace")
    result = {
        "created_to_end_median_s": statistics.median(server),
        "watch_wall_median_s": statistics.median(walls),
        "startup_median_s": statistics.median(startup),
        "retry_503": log.count("Encountered retryable exception in request"),
    }
    print(
        f"median created->end {result['created_to_end_median_s']:.1f} s (start-up {result['startup_median_s']:.1f} s),"
        f" --watch wall {result['watch_wall_median_s']:.1f} s,"
        f" 503s {result['retry_503']}"
    )
    return result


if __name__ == "__main__":
    main()
