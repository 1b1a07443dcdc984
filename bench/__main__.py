"""`python -m bench [--runs N] [--quick] [--only pipeline|components]`: print every benchmark's figures.

Pipeline workloads each run in their own process (so Prefect start-up and peak RSS are per workload):
the plays in ../shared/data, generated plays of 25/100/200 scenes (scaling), and a directory of 20 scripts.
Then Macbeth and the 200-scene play again with the ephemeral server on a private PostgreSQL cluster, one
scene at a time and four at once: SQLite allows only one writer, PostgreSQL shows what is left.
Component benchmarks (parsing, emotion, decision, the preview in headless Chromium, DMX frame timing, export,
`cueflow run` as a whole process beside Prefect's floor for the same shape (bench/laptop.py: ephemeral server warm
and on a fresh home, a resident `cueflow server` on SQLite and on PostgreSQL, the slope per scene), and a
deployment's trigger to completion through a real server and `cueflow serve` beside a same-shape trivial
deployment) run after, when present.
"""

import argparse
import importlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.generate import write_play

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "scripts" / "plays"
COMPONENTS = (
    "bench.parse_bench",
    "bench.emotion_bench",
    "bench.decision_bench",
    "bench.plays_metrics",
    "bench.cue_points",
    "bench.cue_list_bench",
    "bench.preview_bench",
    "bench.dmx_bench",
    "bench.export_bench",
    "bench.laptop",
    "bench.deployment_trigger",
)
COLUMNS = [
    ("workload", "{:<24}"),
    ("scenes", "{:>7}"),
    ("bare_s", "{:>9}"),
    ("prefect_startup_s", "{:>9}"),
    ("orchestrated_s", "{:>10}"),
    ("overhead_ms_per_scene", "{:>12}"),
    ("ratio", "{:>7}"),
    ("retry_503", "{:>6}"),
    ("client_cpu_ms_per_scene", "{:>8}"),
    ("server_cpu_ms_per_scene", "{:>8}"),
    ("cached_rerun_s", "{:>9}"),
    ("peak_rss_mb", "{:>8}"),
]
HEADERS = [
    "workload",
    "scenes",
    "bare s",
    "start s",
    "flow s",
    "ms/scene",
    "ratio",
    "503s",
    "cli CPU",
    "srv CPU",
    "cached s",
    "RSS MB",
]


def _workloads(tmp: Path, quick: bool) -> list[list[str]]:
    plays = sorted(SHARED.glob("*.txt"))
    sizes = [25, 200] if quick else [25, 100, 200]
    generated = [write_play(tmp / f"generated_{n}_scenes.txt", n) for n in sizes]
    batch = tmp / "batch_of_20"
    batch.mkdir()
    for i in range(20):
        write_play(batch / f"play_{i:02d}.txt", 8, seed=i)
    return [[str(p)] for p in plays + generated] + [["--directory", str(batch)]]


def _run_workloads(
    workloads: list[list[str]], runs: int, concurrency: int, home: Path, extra_env: dict[str, str] | None = None
) -> list[dict[str, object]]:
    rows = []
    for args in workloads:
        env = {**os.environ, "CUEFLOW_HOME": str(home), **(extra_env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "bench.pipeline_bench", *args, "--runs", str(runs), "--concurrency", str(concurrency)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        if proc.returncode != 0:
            print(f"bench: {args[-1]} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        if concurrency > 1:
            row["workload"] = f"{row['workload']} x{concurrency}"
        rows.append(row)
        print(" ".join(fmt.format(str(row[key])) for key, fmt in COLUMNS), flush=True)
    return rows


def _run_pipeline(runs: int, quick: bool, concurrency: int) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="cueflow-bench-") as tmp:
        return _run_workloads(_workloads(Path(tmp), quick), runs, concurrency, Path(tmp) / "home")


def _run_postgres(runs: int) -> list[dict[str, object]]:
    from deployments.postgres_cluster import PostgresCluster, PostgresError

    cluster = PostgresCluster()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="cueflow-bench-pg-") as tmp:
        workloads = [[str(SHARED / "macbeth.txt")], [str(write_play(Path(tmp) / "generated_200_scenes.txt", 200))]]
        try:
            cluster.start()
            env = {"PREFECT_API_DATABASE_CONNECTION_URL": cluster.url}
            for concurrency in (1, 4):
                rows += _run_workloads(workloads, runs, concurrency, Path(tmp) / "home", env)
        except PostgresError as exc:
            print(f"bench: {exc}", file=sys.stderr)
        finally:
            cluster.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per workload; medians are reported")
    parser.add_argument("--quick", action="store_true", help="fewer workloads, for a fast look")
    parser.add_argument("--concurrency", type=int, default=1, help="scene subflows in flight")
    parser.add_argument("--only", choices=["pipeline", "components"])
    args = parser.parse_args(argv)
    if args.only != "components":
        print("Prefect pipeline vs bare phases (medians of", args.runs, "runs; start-up measured apart)")
        print(" ".join(fmt.format(h) for h, (_, fmt) in zip(HEADERS, COLUMNS, strict=True)))
        _run_pipeline(args.runs, args.quick, args.concurrency)
        if not args.quick:
            print("\nThe same, with the ephemeral server on PostgreSQL (x4: four scene subflows at once)")
            _run_postgres(args.runs)
    if args.only != "pipeline":
        for name in COMPONENTS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            print(f"\n== {name}")
            takes_argv = "argv" in inspect.signature(module.main).parameters
            module.main([]) if takes_argv else module.main()  # its own defaults, not this command's options
    return 0


if __name__ == "__main__":
    sys.exit(main())
