"""Issue 23 on a real Prefect server and a real `cueflow serve`: a deployment's `config.rig` parameter.

A .qxw with a huge channel count took 90 s and 1 GB, then ended Failed with a raw pydantic traceback; a rig under the
input roots naming `definition: /outside/secret.json` was read, and a line of the secret reached the run's error,
its logs and the UI. Now both end Failed within seconds, naming config.rig and the line, and nothing outside the
input roots is read or quoted.
"""

import tempfile
import time
from pathlib import Path

import pytest

from .conftest import EXAMPLE
from .hostile_files import secret_file, workspace_with_channels, yaml_rig
from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect

NEVER = "0 0 1 1 *"
ONE_SCENE = EXAMPLE.read_text().split("SCENE II.")[0]


@pytest.fixture(scope="module")
def stack():
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-rigfiles-")))
    stack.start()
    (stack.inputs / "one.txt").write_text(ONE_SCENE)
    stack.serve("--cron", NEVER)
    stack.wait_for_deployments("lighting-pipeline/on-demand")
    yield stack
    stack.remove()


def _run_with_rig(stack: PrefectStack, rig: str) -> tuple[dict[str, object], str, float]:
    """Trigger a run with config.rig; (the run, every log line of it, seconds from creation to its end)."""
    started = time.monotonic()
    run_id = stack.create_run("lighting-pipeline/on-demand", script_path="one.txt", config={"rig": rig})
    run = stack.wait_for_run(run_id)
    seconds = time.monotonic() - started
    body = {"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200}
    logs = "\n".join(str(line["message"]) for line in stack.post("/logs/filter", body).raise_for_status().json())
    return run, logs, seconds


def test_a_huge_channel_count_ends_failed_in_seconds_naming_the_line(stack):
    rig = workspace_with_channels(stack.inputs, 1_000_000_000, "huge.qxw")
    run, logs, seconds = _run_with_rig(stack, rig.name)
    assert run["state"]["type"] == "FAILED", run["state"]
    message = str(run["state"]["message"])
    assert message.startswith("config.rig: huge.qxw: line 6: fixture 'Dimmer': <Channels> must be 1 to 512"), message
    assert "Traceback" not in logs and "pydantic" not in logs and "validation error" not in logs, logs
    assert seconds < 60, seconds


@pytest.mark.parametrize("field", ["definition", "fixture_library"])
def test_definitions_and_libraries_outside_the_input_roots_are_refused_unread(stack, field):
    outside = Path(tempfile.mkdtemp(prefix="cueflow-outside-"))
    secret, line = secret_file(outside)
    if field == "definition":
        rig = yaml_rig(stack.inputs, "secret_definition.yaml", f"definition: {secret},")
        expected = f"fixture definition {secret} resolves outside the input roots"
    else:
        rig = yaml_rig(stack.inputs, "secret_library.yaml", "manufacturer: Acme, model: Wash,", f"fixture_library: [{outside}]\n")
        expected = f"fixture library {outside} resolves outside the input roots"
    secret.chmod(0o000)  # as root this does not stop a read: the refusal must come before any attempt
    run, logs, _ = _run_with_rig(stack, rig.name)
    assert run["state"]["type"] == "FAILED", run["state"]
    message = str(run["state"]["message"])
    assert message.startswith("config.rig: ") and expected in message, message
    artifacts = " ".join(str(a.get("data")) for a in stack.artifacts(str(run["id"])))
    for text in (message, logs, artifacts):
        assert line not in text and "hunter2" not in text


def test_a_definition_symlinked_out_of_the_roots_is_refused(stack):
    outside = Path(tempfile.mkdtemp(prefix="cueflow-outside-"))
    secret, line = secret_file(outside)
    (stack.inputs / "innocent.json").symlink_to(secret)
    rig = yaml_rig(stack.inputs, "symlinked.yaml", "definition: innocent.json,")
    run, logs, _ = _run_with_rig(stack, rig.name)
    assert run["state"]["type"] == "FAILED" and "resolves outside the input roots" in str(run["state"]["message"])
    assert line not in str(run["state"]["message"]) and line not in logs
