"""`python -m bench.export_bench [--cues 150] [--runs 5]`: how long exporting a plan takes.

In-process: reading the plan folder and each format's rendering, in ms (medians). Then the acceptance
figure: `cueflow export` on a 150-cue plan, all four formats, as a whole process (Python start-up and
imports included), median wall time of --runs runs against the 1 s budget.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from phases.export import FORMATS, console_show, load_plan, render, write_files
from tests.export_plans import show, write_plan_dir

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 1.0


def _median_ms(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(cues: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="cueflow-bench-export-") as tmp:
        plan_dir = write_plan_dir(Path(tmp) / "plan", *show(cues))
        n = len(load_plan(plan_dir).cues)
        figures: dict[str, float] = {"cues": n, "load_ms": _median_ms(lambda: console_show(load_plan(plan_dir)), runs)}
        show_ = console_show(load_plan(plan_dir))
        for name in FORMATS:
            figures[f"{name}_ms"] = _median_ms(lambda name=name: render(show_, [name]), runs)
        files = render(show_, list(FORMATS))
        figures["write_ms"] = _median_ms(lambda: write_files(files, Path(tmp) / "out"), runs)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        walls, cpus = [], []
        for i in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "flows.cli", "export", str(plan_dir), "--out", str(Path(tmp) / f"cli{i}")],
                capture_output=True,
                text=True,
                env=env,
            )
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if done.returncode != 0:
                raise SystemExit(f"bench: cueflow export failed: {done.stderr.strip()}")
        figures["process_s"] = statistics.median(walls)
        figures["process_min_s"] = min(walls)
        figures["process_cpu_s"] = statistics.median(cpus)
        figures["load_1min"] = os.getloadavg()[0]
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cues", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv or [])
    f = run(args.cues, args.runs)
    print(f"export: a {int(f['cues'])}-cue plan on the 24-fixture rig (medians of {args.runs} runs)")
    print(f"  read plan + cue list: {f['load_ms']:7.1f} ms")
    for name in FORMATS:
        print(f"  {name:<20}  {f[f'{name}_ms']:7.1f} ms")
    print(f"  write all, atomically: {f['write_ms']:6.1f} ms")
    print(
        f"  `cueflow export` all formats, whole process: {f['process_s']:.2f} s (min {f['process_min_s']:.2f} s; "
        f"budget {BUDGET_S:.0f} s, ratio {f['process_s'] / BUDGET_S:.2f})"
    )
    print(f"  CPU of that process: {f['process_cpu_s']:.2f} s (machine load {f['load_1min']:.1f} over {os.cpu_count()} cores)")
    return f


if __name__ == "__main__":
    main(sys.argv[1:])
