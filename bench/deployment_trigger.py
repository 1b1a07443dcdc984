"""Trigger to completion through a real deployment, beside Prefect's floor: `python -m bench.deployment_trigger`.

Starts `cueflow server` (its default database: PostgreSQL when installed; `--sqlite` for SQLite) on a free port,
registers the deployments, starts `cueflow serve`, and serves the floor (bench/floor.py: a trivial flow of the
same shape and scene count, as the deployment `floor/trivial`, with as many scenes in flight as cueflow's runs
there). Then it triggers `lighting-pipeline/on-demand` on Macbeth and `floor/trivial`, alternately, with
`prefect deployment run --watch`, and prints each run's created-to-end time from the API, the CPU seconds of the
process that ran it (Prefect's runner starts one per run: `python -m prefect.engine`), the medians, the median of
the paired ratios, and the server's 503 answers (SQLite "database is locked": each one makes the client sleep 2 s
or more).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from flows.environment import SERVER_SCENE_CONCURRENCY
from tests.prefect_stack import PrefectStack, _stop

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
    floor = None
    try:
        shutil.copy(MACBETH, stack.inputs / MACBETH.name)
        deployed = stack.cueflow("deploy")
        if deployed.returncode != 0:
            raise SystemExit(deployed.stderr)
        stack.serve()
        concurrency = SERVER_SCENE_CONCURRENCY  # as cueflow's runs on either of `cueflow server`'s databases
        floor = subprocess.Popen(
            [sys.executable, "-m", "bench.floor", "--serve", "--concurrency", str(concurrency)],
            env={**stack.env(), "PREFECT_RUNNER_POLL_FREQUENCY": "1"},  # as `cueflow serve` sets it
            cwd=Path(__file__).resolve().parent.parent,
            stdout=(stack.base / "floor.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.wait_for_deployments("lighting-pipeline/on-demand", "floor/trivial")
        scenes = _scenes()
        time.sleep(4)
        cueflow: dict[str, list[float]] = {"server": [], "startup": [], "walls": [], "cpu": []}
        trivial: dict[str, list[float]] = {"server": [], "startup": [], "walls": [], "cpu": []}
        for i in range(args.runs):
            served = (f'script_path="{MACBETH.name}"', f'output_dir="run-{i}"')
            pair = [(cueflow, "lighting-pipeline/on-demand", served, stack.serve_process.pid)]  # type: ignore[union-attr]
            pair.append((trivial, "floor/trivial", (f"scenes={scenes}", f'name="{MACBETH.name}"'), floor.pid))
            # the process that serves each deployment: a run's process is its child
            for figures, deployment, params, serving in pair if i % 2 == 0 else pair[::-1]:
                cpu_before = _reaped_cpu(serving)
                start = time.perf_counter()
                run_id, _ = stack.trigger(deployment, *params, watch=True)
                figures["walls"].append(time.perf_counter() - start)
                run = stack.wait_for_run(run_id)
                figures["server"].append((_at(run["end_time"]) - _at(run["created"])).total_seconds())  # type: ignore[arg-type]
                # created -> start: the runner's poll and the new run process (importing Prefect and cueflow)
                figures["startup"].append((_at(run["start_time"]) - _at(run["created"])).total_seconds())  # type: ignore[arg-type]
                figures["cpu"].append(_run_process_cpu(serving, cpu_before))
                print(
                    f"run {i} {deployment}: {run['state']['type']}, created->end {figures['server'][-1]:.1f} s"  # type: ignore[index]
                    f" (start-up {figures['startup'][-1]:.1f} s), --watch wall {figures['walls'][-1]:.1f} s,"
                    f" its process {figures['cpu'][-1]:.2f} CPU s",
                    flush=True,
                )
    finally:
        _stop(floor)
        stack.stop()
    log = (stack.base / "server.log").read_text(errors="replace")
    ratios = [c / f for c, f in zip(cueflow["server"], trivial["server"], strict=True)]
    result = {
        "created_to_end_median_s": statistics.median(cueflow["server"]),
        "watch_wall_median_s": statistics.median(cueflow["walls"]),
        "startup_median_s": statistics.median(cueflow["startup"]),
        "floor_created_to_end_median_s": statistics.median(trivial["server"]),
        "floor_startup_median_s": statistics.median(trivial["startup"]),
        "ratio_median": statistics.median(ratios),
        "run_cpu_median_s": statistics.median(cueflow["cpu"]),
        "floor_run_cpu_median_s": statistics.median(trivial["cpu"]),
        "retry_503": log.count("Encountered retryable exception in request"),
        "load": os.getloadavg()[0],
    }
    print(
        f"median created->end {result['created_to_end_median_s']:.1f} s (start-up {result['startup_median_s']:.1f} s),"
        f" --watch wall {result['watch_wall_median_s']:.1f} s; the floor {result['floor_created_to_end_median_s']:.1f} s"
        f" (start-up {result['floor_startup_median_s']:.1f} s); ratio {result['ratio_median']:.2f}"
        f" ({min(ratios):.2f}-{max(ratios):.2f}); CPU of a run's process {result['run_cpu_median_s']:.2f} s, the floor's"
        f" {result['floor_run_cpu_median_s']:.2f} s; 503s {result['retry_503']}; load {result['load']:.1f}"
    )
    return result


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _reaped_cpu(pid: int) -> float:
    """CPU seconds of the children `pid` has waited for (cutime + cstime): how a finished run's process is counted."""
    fields = _stat(pid)
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _run_process_cpu(serving: int, before: float, timeout: float = 30) -> float:
    """The CPU of the run process `serving` started and has now reaped: its reaped total's growth, once it has no
    child left (a run's process outlives its Completed state by the time it takes to flush and exit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(int(p.name)) == serving]
        if not children:
            break
        time.sleep(0.1)
    return _reaped_cpu(serving) - before


def _parent(pid: int) -> int | None:
    try:
        return int(_stat(pid)[1])
    except (OSError, IndexError, ValueError):
        return None


def _scenes() -> int:
    from phases.parsing import parse_file

    return len(parse_file(MACBETH).scenes)


if __name__ == "__main__":
    main()
