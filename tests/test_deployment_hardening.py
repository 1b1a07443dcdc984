"""Issue 16 on a real Prefect server with basic auth and a real `cueflow serve`: the server refuses callers without
the credential; a run's parameters cannot send the serving machine's LLM key elsewhere, point it at an arbitrary
Dask scheduler or ask for 64 workers; bad paths end Failed naming the parameter."""

import os
import tempfile
from pathlib import Path

import httpx
import pytest

from .conftest import EXAMPLE
from .llm_server import ScriptedLlmServer
from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect

NEVER = "0 0 1 1 *"
ONE_SCENE = EXAMPLE.read_text().split("SCENE II.")[0]
SECRET_KEY = "sk-serving-machine-secret-0123456789"
AUTH = "cueflow-ops:correct-horse-battery-staple"


@pytest.fixture(scope="module")
def listener():
    server = ScriptedLlmServer().start()  # stands in for whoever the caller would send the key to
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(listener):
    stack = PrefectStack(
        Path(tempfile.mkdtemp(prefix="cueflow-harden-")), auth_string=AUTH, extra_env={"CUEFLOW_LLM_API_KEY": SECRET_KEY}
    )
    stack.start()
    (stack.inputs / "one.txt").write_text(ONE_SCENE)
    stack.serve("--cron", NEVER)
    stack.wait_for_deployments("lighting-pipeline/on-demand")
    yield stack
    stack.remove()


def _failed_with(stack: PrefectStack, **parameters: object) -> str:
    run = stack.wait_for_run(stack.create_run("lighting-pipeline/on-demand", **parameters))
    assert run["state"]["type"] == "FAILED", run["state"]
    return str(run["state"]["message"])


def test_the_server_refuses_an_unauthenticated_trigger_and_accepts_the_credential(stack):
    deployment = stack.deployment("lighting-pipeline/on-demand")
    assert deployment is not None
    url = f"{stack.api_url}/deployments/{deployment['id']}/create_flow_run"
    body = {"parameters": {"script_path": "one.txt", "enable_phase_8": True}}
    assert httpx.post(url, json=body, timeout=30).status_code == 401
    assert httpx.post(url, json=body, timeout=30, auth=("cueflow-ops", "wrong")).status_code == 401
    assert httpx.get(f"{stack.api_url}/health", timeout=10).status_code == 200  # probes stay open
    # The real `prefect` CLI without the credential is refused too.
    env = {k: v for k, v in stack.env().items() if k != "PREFECT_API_AUTH_STRING"}
    import subprocess
    import sys

    prefect = Path(sys.executable).parent / "prefect"
    done = subprocess.run(
        [str(prefect), "deployment", "run", "lighting-pipeline/on-demand", "-p", 'script_path="one.txt"'],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "401" in done.stdout + done.stderr
    # With it, the run is created and served to the end.
    run = stack.wait_for_run(stack.create_run("lighting-pipeline/on-demand", script_path="one.txt"))
    assert run["state"]["type"] == "COMPLETED", run["state"]


def test_cueflow_deploy_without_the_credential_is_one_line(stack):
    env_auth = stack.auth_string
    stack.auth_string = None  # a client that does not know the credential
    try:
        done = stack.cueflow("deploy", "--cron", NEVER)
    finally:
        stack.auth_string = env_auth
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "HTTP 401" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_batch_and_clean_without_the_credential_are_one_line(stack, tmp_path):
    """Issue 23: before, each ended in a 401 traceback from inside Prefect's client."""
    env_auth = stack.auth_string
    stack.auth_string = None  # a client that does not know the credential
    try:
        runs = [
            stack.cueflow("run", str(stack.inputs / "one.txt"), "--out", str(tmp_path / "o")),
            stack.cueflow("batch", str(stack.inputs), "--out", str(tmp_path / "b")),
            stack.cueflow("clean", "--older-than", "0"),
        ]
    finally:
        stack.auth_string = env_auth
    for done in runs:
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert "refused our credentials (HTTP 401)" in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "b").exists()


def test_server_auth_variable_must_be_set(stack):
    done = stack.cueflow("server", "--port", "1", "--auth-string-env", "CUEFLOW_NO_SUCH_VARIABLE", api=False)
    assert done.returncode == 2 and "CUEFLOW_NO_SUCH_VARIABLE is not set" in done.stderr


def test_a_run_cannot_send_the_llm_key_to_its_own_endpoint(stack, listener):
    listener.reset()
    message = _failed_with(
        stack, script_path="one.txt", config={"use_llm": True, "llm_base_url": listener.base_url, "llm_model": "good"}
    )
    assert message.startswith("config.llm_base_url: not a run parameter"), message
    assert listener.requests == [] and listener.authorizations == []  # no request, so no key, left the server


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"task_runner": "dask", "dask_address": "tcp://127.0.0.1:9"}, "config.dask_address: not a run parameter"),
        ({"dask_workers": 64}, "config.dask_workers:"),
        ({"llm_api_key_env": "HOME"}, "config.llm_api_key_env: not a run parameter"),
    ],
)
def test_server_only_settings_are_refused_naming_the_parameter(stack, config, named):
    assert _failed_with(stack, script_path="one.txt", config=config).startswith(named)


def test_a_symlink_loop_or_a_256_character_name_ends_failed_naming_the_parameter(stack):
    loop = stack.inputs / "loop.txt"
    if not loop.is_symlink():
        os.symlink(loop, loop)
    assert _failed_with(stack, script_path="loop.txt").startswith("script_path: 'loop.txt' is a symlink loop")
    message = _failed_with(stack, script_path="x" * 256 + ".txt")
    assert message.startswith("script_path: ") and "File name too long" in message and len(message) < 400
    message = _failed_with(stack, script_path="one.txt", output_dir="y" * 256)
    assert message.startswith("output_dir: ") and "File name too long" in message
