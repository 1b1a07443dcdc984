"""The documented production option: the Prefect server on PostgreSQL (a private cluster of Debian's postgresql)."""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from deployments.postgres_cluster import PostgresCluster

from .conftest import EXAMPLE
from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def postgres_stack():
    cluster = PostgresCluster()
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-deploy-pg-")), database_url=cluster.url)
    try:
        cluster.start()
        stack.start()
        yield stack, cluster
    finally:
        stack.stop()
        cluster.stop()
        shutil.rmtree(stack.base, ignore_errors=True)


def test_on_demand_on_a_postgresql_server(postgres_stack):
    stack, cluster = postgres_stack
    done = stack.cueflow("deploy", "--cron", "0 0 1 1 *")
    assert done.returncode == 0, done.stderr
    stack.serve("--cron", "0 0 1 1 *")
    shutil.copy(EXAMPLE, stack.inputs / "play.txt")
    run_id, done = stack.trigger("lighting-pipeline/on-demand", 'script_path="play.txt"', watch=True)
    assert done.returncode == 0, done.stdout + done.stderr
    run = stack.wait_for_run(run_id)
    assert run["state"]["type"] == "COMPLETED"
    assert run["parameters"].get("enable_phase_8", False) is False
    from flows.outputs import output_folder

    folder = output_folder(stack.outputs, stack.inputs / "play.txt")
    result = json.loads((folder / "result.json").read_text())
    assert result["success"] and result["flow_run_id"] == run_id
    assert (folder / "lighting_instructions.json").is_file()
    # The run's record lives in PostgreSQL, not in a SQLite file.
    assert cluster.query(f"select state_type from flow_run where id = '{run_id}'") == "COMPLETED"
    assert not list((stack.base / "home").rglob("*.db"))
