"""Prefect vs the bare phases on the same scripts, in one process per workload.

`python -m bench.pipeline_bench SCRIPT [--runs N]` (or `--directory DIR`) prints one JSON line:
scene count, bare seconds, Prefect start-up seconds, orchestrated seconds, overhead per scene, ratio,
503 back-offs, CPU per scene in this process and in the Prefect server it started, and peak RSS.
bench/__main__.py runs it for every workload and prints the table.
"""

import argparse
import asyncio
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flows.environment import configure_prefect

configure_prefect()


class _RetryCounter(logging.Handler):
    """Counts the Prefect client's 'retryable status code' back-offs (logged at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "retryable" in record.getMessage():
            self.count += 1


def server_cpu_seconds() -> float:
    """CPU time of this process's children: the ephemeral Prefect server (and nothing else here)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def bare_run(script: Path, out: Path) -> int:
    """Every phase the pipeline runs (1, 2, 3, 4, 5, 7), called directly, writing the same files."""
    from flows.outputs import write_bytes_atomic, write_json_atomic, write_text_atomic
    from phases.decision import LightingDecisionEngine
    from phases.emotion import detect_emotion
    from phases.evaluation import evaluate
    from phases.knowledge import ScenePosition, load_knowledge, retrieve
    from phases.parsing import parse_file
    from phases.preview import render_preview, timeline_png

    kb = load_knowledge()
    engine = LightingDecisionEngine(kb)
    parsed = parse_file(script)
    scenes = [s.model_copy(update={"emotion": detect_emotion(s)}) for s in parsed.scenes]
    knowledge = [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    plan = engine.plan(scenes, knowledge)
    colours = list(kb.colours.values())
    write_json_atomic(out / "scenes.json", scenes)
    write_json_atomic(out / "lighting_instructions.json", plan)
    write_text_atomic(out / "preview.html", render_preview(script.name, scenes, plan, kb.rig, colours))
    write_bytes_atomic(out / "timeline.png", timeline_png(script.name, scenes, plan, kb.rig))
    report = evaluate(scenes, plan, kb.rig, colours, list(kb.rules), second_plan=engine.plan(scenes, knowledge))
    write_json_atomic(out / "report.json", report)
    write_text_atomic(out / "preview.html", render_preview(script.name, scenes, plan, kb.rig, colours, report))
    return len(scenes)


def _median_time(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def measure(script: Path | None, directory: Path | None, runs: int, concurrency: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="cueflow-bench-"))
    scripts = sorted(p for p in directory.iterdir() if p.is_file()) if directory else [script]
    assert all(s is not None for s in scripts)

    def bare() -> int:
        return sum(bare_run(s, work / "bare" / s.name) for s in scripts)  # type: ignore[arg-type]

    scenes = bare()  # warm caches (knowledge, BM25 index) so neither side pays them
    bare_median, bare_times = _median_time(bare, runs)

    from prefect import flow

    from flows.batch import run_directory_flow
    from flows.config import PipelineConfig
    from flows.runner import run_async

    counter = _RetryCounter()
    client_logger = logging.getLogger("prefect.client")
    client_logger.setLevel(logging.DEBUG)
    client_logger.addHandler(counter)
    client_logger.propagate = False

    @flow(name="bench-warm-up", persist_result=False)
    async def warm_up() -> None:
        return None

    start = time.perf_counter()
    asyncio.run(warm_up())
    startup = time.perf_counter() - start

    # The comparison runs uncached: the bare phases recompute everything, so the flow must too.
    fresh = PipelineConfig(output_dir=str(work / "flow"), scene_concurrency=concurrency, cache_scene_work=False)
    cached = fresh.model_copy(update={"cache_scene_work": True})

    def orchestrated(config: PipelineConfig = fresh) -> None:
        if directory:
            summary = asyncio.run(run_directory_flow(str(directory), str(work / "flow"), config))
            assert summary.failed == 0, summary
        else:
            result = asyncio.run(run_async(script_path=script, config=config))
            assert result.success, result.error

    orchestrated()  # the first pipeline run also registers the flows; not timed
    counter.count = 0
    client_cpu, server_cpu = time.process_time(), server_cpu_seconds()
    flow_median, flow_times = _median_time(orchestrated, runs)
    client_cpu, server_cpu = time.process_time() - client_cpu, server_cpu_seconds() - server_cpu
    retries = counter.count
    orchestrated(cached)  # fills the cache
    rerun_median, _ = _median_time(lambda: orchestrated(cached), max(1, runs - 1))
    return {
        "workload": directory.name if directory else script.name,  # type: ignore[union-attr]
        "scripts": len(scripts),
        "scenes": scenes,
        "runs": runs,
        "bare_s": round(bare_median, 4),
        "prefect_startup_s": round(startup, 3),
        "orchestrated_s": round(flow_median, 4),
        "overhead_ms_per_scene": round(1000 * (flow_median - bare_median) / max(scenes, 1), 1),
        "ratio": round(flow_median / bare_median, 2) if bare_median else None,
        "retry_503": retries,
        "client_cpu_ms_per_scene": round(1000 * client_cpu / runs / max(scenes, 1), 1),
        "server_cpu_ms_per_scene": round(1000 * server_cpu / runs / max(scenes, 1), 1),
        "cached_rerun_s": round(rerun_median, 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bare_runs_s": [round(t, 4) for t in bare_times],
        "orchestrated_runs_s": [round(t, 3) for t in flow_times],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("script", nargs="?", type=Path)
    parser.add_argument("--directory", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args(argv)
    if (args.script is None) == (args.directory is None):
        parser.error("give a script or --directory")
    print(json.dumps(measure(args.script, args.directory, args.runs, args.concurrency)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
