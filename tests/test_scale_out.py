"""Per-scene work on Dask (prefect-dask, a LocalCluster) gives exactly the default runner's plan."""

import json
import tempfile
from pathlib import Path

import pytest

from .conftest import EXAMPLE
from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def stack():
    base = Path(tempfile.mkdtemp(prefix="cueflow-dask-"))
    stack = PrefectStack(base=base)
    stack.start()
    yield stack
    stack.remove()


def _outputs(folder: Path) -> dict[str, object]:
    return {
        name: json.loads((folder / name).read_text()) for name in ("scenes.json", "lighting_instructions.json", "report.json")
    }


def test_dask_runner_gives_the_default_runners_results(stack, macbeth):
    default = stack.cueflow("run", str(macbeth), "--out", str(stack.base / "default"), timeout=600)
    assert default.returncode == 0, default.stderr[-3000:]
    dask = stack.cueflow("run", str(macbeth), "--out", str(stack.base / "dask"), "--task-runner", "dask", timeout=600)
    assert dask.returncode == 0, dask.stderr[-3000:]
    assert _outputs(stack.base / "dask") == _outputs(stack.base / "default")
    result = json.loads((stack.base / "dask" / "result.json").read_text())
    names, frontier = [], [result["flow_run_id"]]
    while frontier:  # pipeline -> scenes-on-dask -> one subflow per scene, run by the Dask workers
        children = [child for run_id in frontier for child in stack.child_runs(run_id)]
        names += [child["name"] for child in children]
        frontier = [child["id"] for child in children]
    headings = {" ".join(s["heading"].split())[:80] for s in json.loads((stack.base / "dask" / "scenes.json").read_text())}
    assert len([n for n in names if n.split(" · ")[-1] in headings]) == 26, names


def test_dask_runner_refuses_ephemeral_mode(tmp_path):
    from flows import PipelineConfig, run

    result = run(EXAMPLE, PipelineConfig(output_dir=str(tmp_path / "out"), task_runner="dask"))
    assert not result.success
    assert "needs a real Prefect server" in result.error
