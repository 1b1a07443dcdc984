"""Phase 1 throughput: MB/s of parse_text on the shared plays and on a 1 MB+ concatenation of them.

Run with `.venv/bin/python -m bench.parse_bench`. Figures are medians of several runs; the target for plain
text is at least 2 MB/s.
"""

import statistics
import time
from pathlib import Path

from phases.parsing import parse_text

ROOT = Path(__file__).resolve().parent.parent
PLAYS = ROOT.parent / "shared" / "data" / "scripts" / "plays"
TARGET_MB_PER_S = 2.0
RUNS = 5
BIG_BYTES = 1_100_000


def _mb_per_s(text: str, name: str, runs: int) -> tuple[float, int]:
    size = len(text.encode("utf-8"))
    timings = []
    scenes = 0
    for _ in range(runs):
        started = time.perf_counter()
        parsed = parse_text(text, name=name)
        timings.append(time.perf_counter() - started)
        scenes = len(parsed.scenes)
    return size / 1e6 / statistics.median(timings), scenes


def main() -> dict[str, float]:
    if not PLAYS.is_dir():
        raise SystemExit(f"the shared plays are missing: {PLAYS}")
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(PLAYS.glob("*.txt"))}
    results: dict[str, float] = {}
    for name, text in texts.items():
        rate, scenes = _mb_per_s(text, name, RUNS)
        results[f"{name}_mb_per_s"] = round(rate, 2)
        print(f"{name:<16} {len(text.encode()) / 1e6:6.3f} MB  {scenes:4d} scenes  {rate:6.2f} MB/s")
    joined = "\n\n".join(texts.values())
    big = "\n\n".join([joined] * (BIG_BYTES // len(joined.encode()) + 1))
    rate, scenes = _mb_per_s(big, "concatenation", 3)
    results["concatenation_mb"] = round(len(big.encode()) / 1e6, 3)
    results["concatenation_mb_per_s"] = round(rate, 2)
    results["target_ratio"] = round(rate / TARGET_MB_PER_S, 2)
    print(
        f"{'concatenation':<16} {results['concatenation_mb']:6.3f} MB  {scenes:4d} scenes  {rate:6.2f} MB/s "
        f"({results['target_ratio']:.2f}x the {TARGET_MB_PER_S} MB/s target)"
    )
    return results


if __name__ == "__main__":
    main()
