"""Rig import and rendering: `python -m bench.rig_bench [--runs 7]`.

Builds the acceptance test's QLC+ workspace (UKing RGBW pars, a GLP mover in 16-bit mode, a Proel dimmer pack)
and prints medians: reading it with a cold fixture-library index (scanning Debian's 1,358 .qxf heads), with a
warm index, from the path+mtime cache, and one frame_at on the imported rig (its pack as six heads) versus the bundled rig.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from phases.hardware import ShowRenderer, load_profiles
from phases.knowledge import load_knowledge
from phases.rig import library as rig_library
from phases.rig import load_rig
from phases.rig import loading as rig_loading
from tests.hardware_plans import cue
from tests.rig_files import write_workspace


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 3)


def _frames(show: ShowRenderer) -> None:
    for i in range(200):
        show.frame_at(i * 3 / 200)


def run(runs: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="cueflow-rig-bench-"))
    workspace = write_workspace(folder)

    def cold() -> None:
        rig_library._index.cache_clear()
        rig_loading._cached.cache_clear()
        load_rig(workspace)

    def warm_index() -> None:
        rig_loading._cached.cache_clear()
        load_rig(workspace)

    figures = {
        "import_cold_ms": _median_ms(cold, runs),
        "import_warm_index_ms": _median_ms(warm_index, runs),
        "import_cached_ms": _median_ms(lambda: load_rig(workspace), runs),
    }
    loaded, kb = load_rig(workspace), load_knowledge(rig=workspace)
    fade = {"type": "fade", "duration": 1}
    plan = [
        cue(1, 0, 1.5, {"foh_wash": (0.8, "bastard_amber"), "movers": (0.5, "steel_blue")}),
        cue(2, 1.5, 3, {"foh_wash": (0.3, "steel_blue"), "side_booms": (1.0, "warm_white")}, fade),
    ]
    imported = ShowRenderer(plan, kb.rig, kb.colours, loaded.profiles)
    default_kb = load_knowledge()
    groups = {g: (0.6, "bastard_amber") for g in default_kb.rig.group_ids()}
    bundled = ShowRenderer([cue(1, 0, 1.5, groups), cue(2, 1.5, 3, groups)], default_kb.rig, default_kb.colours, load_profiles())
    figures["frame_ms_imported_9_fixtures"] = round(_median_ms(lambda: _frames(imported), runs) / 200, 4)
    figures["frame_ms_bundled_24_fixtures"] = round(_median_ms(lambda: _frames(bundled), runs) / 200, 4)
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    figures = run(parser.parse_args(argv).runs)
    for name, value in figures.items():
        print(f"{name:<32}{value:>10}")
    return figures


if __name__ == "__main__":
    main()
