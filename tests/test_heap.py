"""A run's process freezes what its imports left alive, so full collections stop walking it."""

import os
import subprocess
import sys
import textwrap


def _in_fresh_process(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "PREFECT__FLOW_RUN_ID"} | env
    command = [sys.executable, "-c", textwrap.dedent(code)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environ)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


IMPORT_ENTRY_MODULE = """
    import gc
    import flows.entrypoints
    gc.collect()
    print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))
    """


def test_a_served_runs_process_freezes_the_imported_heap() -> None:
    # Prefect's engine process for a served run is told its run in PREFECT__FLOW_RUN_ID
    out = _in_fresh_process(IMPORT_ENTRY_MODULE, PREFECT__FLOW_RUN_ID="0b7d3c52-6c3e-4f0e-9d64-2f0cfc7a3a11")
    frozen, still_tracked = map(int, out.split())
    assert frozen > 100_000  # Prefect, pydantic and the phases
    assert still_tracked < frozen // 10


def test_other_processes_that_import_the_flows_are_left_alone() -> None:
    # `cueflow serve`, tests, a Python caller: long-lived, so their garbage cycles must stay collectable
    frozen, still_tracked = map(int, _in_fresh_process(IMPORT_ENTRY_MODULE).split())
    assert frozen == 0
    assert still_tracked > 100_000


def test_freezing_happens_once_per_process() -> None:
    out = _in_fresh_process(
        """
        import gc
        from flows.heap import freeze_long_lived
        freeze_long_lived()
        first = gc.get_freeze_count()
        kept = [[i] for i in range(50_000)]
        freeze_long_lived()
        print(first, gc.get_freeze_count())
        """
    )
    first, second = map(int, out.split())
    assert first > 0
    assert second == first  # objects made after the first call stay collectable
