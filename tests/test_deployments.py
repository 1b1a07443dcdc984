"""Deployments on a real Prefect server (SQLite, the default), triggered through the real `prefect` CLI."""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from flows.outputs import output_folder

from .conftest import EXAMPLE
from .prefect_stack import PrefectStack, free_port

pytestmark = pytest.mark.prefect

NEVER = "0 0 1 1 *"  # the batch's cron in tests: no scheduled run fires while they run
ONE_SCENE = EXAMPLE.read_text().split("SCENE II.")[0]  # a short play keeps the batch runs quick


@pytest.fixture(scope="module")
def stack():
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-deploy-")))
    stack.start()
    yield stack
    stack.stop()
    shutil.rmtree(stack.base, ignore_errors=True)


@pytest.fixture(scope="module")
def served(stack):
    """`cueflow deploy` then `cueflow serve --with-show`, serving until the module's tests are done."""
    stack.serve("--cron", NEVER, "--with-show")
    stack.wait_for_deployments("lighting-pipeline/on-demand", "directory-batch/scheduled", "show/play")
    return stack


def test_commands_need_a_server(tmp_path):
    stack = PrefectStack(tmp_path)
    for command in (["deploy"], ["serve"]):
        done = stack.cueflow(*command, api=False)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("cueflow: error: PREFECT_API_URL is not set") and "Traceback" not in done.stderr
    stack.port = 9  # nothing listens there
    done = stack.cueflow("deploy")
    assert done.returncode == 1 and "no Prefect server answers" in done.stderr


def test_server_refuses_a_busy_port(stack):
    done = stack.cueflow("server", "--port", str(stack.port), api=False)
    assert done.returncode == 2 and "already in use" in done.stderr


def test_deploy_registers_every_deployment_and_show_only_when_asked(stack):
    done = stack.cueflow("deploy", "--cron", NEVER)
    assert done.returncode == 0, done.stderr
    on_demand = stack.deployment("lighting-pipeline/on-demand")
    scheduled = stack.deployment("directory-batch/scheduled")
    assert on_demand is not None and scheduled is not None
    assert stack.deployment("show/play") is None

    schema = on_demand["parameter_openapi_schema"]
    props = schema["properties"]
    assert schema["required"] == ["script_path"]
    assert props["enable_phase_8"]["default"] is False and props["enable_phase_8"]["type"] == "boolean"
    assert "DMX" in props["enable_phase_8"]["description"]
    assert "input roots" in props["script_path"]["description"]
    options = schema["definitions"]["PipelineOptions"]
    assert options["additionalProperties"] is False
    assert "use_llm" in options["properties"] and "enable_phase_2" in options["properties"]
    # Only the serving machine sets these: a path the run writes to, and where the LLM key comes from.
    assert not {"enable_phase_8", "output_dir", "dmx_dry_run_path", "llm_api_key_env"} & set(options["properties"])
    assert [s["schedule"]["cron"] for s in scheduled["schedules"]] == [NEVER]
    assert scheduled["parameters"] == {"inbox": "inbox", "output_dir": "batch"}

    done = stack.cueflow("deploy", "--cron", NEVER, "--with-show")
    assert done.returncode == 0, done.stderr
    show = stack.deployment("show/play")
    assert show is not None and show["parameters"] == {"hardware": False}
    assert show["parameter_openapi_schema"]["properties"]["hardware"]["default"] is False


def test_on_demand_through_prefect_deployment_run(served):
    script = served.inputs / "keepers light.txt"
    shutil.copy(EXAMPLE, script)
    run_id, done = served.trigger("lighting-pipeline/on-demand", f"script_path={json.dumps(str(script))}", watch=True)
    assert done.returncode == 0, str(served.wait_for_run(run_id)["state"])
    assert "Flow run finished successfully in 'Completed'" in done.stdout
    run = served.wait_for_run(run_id)
    assert run["state"]["type"] == "COMPLETED"
    assert run["parameters"].get("enable_phase_8", False) is False  # not given: the schema's default
    out = output_folder(served.outputs, script)
    for name in ("scenes.json", "lighting_instructions.json", "report.json", "preview.html", "result.json"):
        assert (out / name).is_file(), name
    result = json.loads((out / "result.json").read_text())
    assert result["success"] and result["flow_run_id"] == run_id
    phase_8 = [p for p in result["phases"] if p["phase"] == 8]
    assert [p["status"] for p in phase_8] == ["skipped"]
    scenes = [r for r in served.child_runs(run_id) if r["name"].startswith("scene_")]
    assert len(scenes) == len(json.loads((out / "scenes.json").read_text()))
    artifact = next(a for a in served.artifacts(run_id) if a["key"] == "lighting-plan")
    assert "lighting_instructions.json" in artifact["data"]


def test_bad_parameters_end_the_run_failed_naming_the_parameter(served):
    (served.inputs / "play.txt").write_text(ONE_SCENE)
    cases = {
        "script_path": {"script_path": "../../etc/passwd"},
        "script_path: 'missing.txt' is not an existing file": {"script_path": "missing.txt"},
        "output_dir": {"script_path": "play.txt", "output_dir": "../../../tmp/elsewhere"},
        "config.bogus": {"script_path": "play.txt", "config": {"bogus": 1}},
        "enable_phase_8": {"script_path": "play.txt", "enable_phase_8": "maybe"},
    }
    runs = {expected: served.create_run("lighting-pipeline/on-demand", **params) for expected, params in cases.items()}
    for expected, run_id in runs.items():
        run = served.wait_for_run(run_id)
        assert run["state"]["type"] == "FAILED", (expected, run["state"])
        assert expected in run["state"]["message"], (expected, run["state"]["message"])
    # Given explicitly, enable_phase_8 reaches the run: here no olad listens, so the run fails before planning,
    # and the folder's earlier good result is left alone.
    earlier = served.outputs / "dmx-on"
    earlier.mkdir()
    (earlier / "result.json").write_text('{"earlier": true}')
    dmx = served.create_run(
        "lighting-pipeline/on-demand",
        script_path="play.txt",
        output_dir="dmx-on",
        enable_phase_8=True,
        config={"olad_port": free_port()},
    )
    run = served.wait_for_run(dmx)
    assert run["parameters"]["enable_phase_8"] is True
    assert run["state"]["type"] == "FAILED" and run["state"]["message"].startswith("enable_phase_8:"), run["state"]
    assert "olad" in run["state"]["message"].lower()
    assert sorted(p.name for p in earlier.iterdir()) == ["result.json"]
    assert json.loads((earlier / "result.json").read_text()) == {"earlier": True}
    passwd = served.wait_for_run(runs["script_path"])["state"]["message"]
    assert "outside the allowed roots" in passwd
    assert not output_folder(served.outputs, served.inputs / "play.txt").exists()  # no default in place of a bad value


def test_scheduled_batch_plans_only_new_or_changed_scripts(served):
    inbox = served.inputs / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(ONE_SCENE)
    (inbox / "bad.txt").write_text("")  # fails: reported, and does not block the rest
    batch = served.outputs / "batch"
    batch.mkdir()
    a, b, bad = (output_folder(batch, inbox / name) for name in ("a.txt", "b.txt", "bad.txt"))
    (batch / f".{a.name}.work-deadbeef").mkdir()  # what a crashed run leaves behind
    (batch / f".{a.name}.work-deadbeef" / "scenes.json").write_text("[]")

    first, _ = served.trigger("directory-batch/scheduled")  # the real CLI once; then as the UI does
    run = served.wait_for_run(first)
    assert run["state"]["type"] == "FAILED" and "bad.txt" in run["state"]["message"]
    assert sorted(p for p in batch.iterdir() if not p.name.startswith(".")) == [a, bad]
    assert not list(batch.glob(".*.work-*"))
    assert json.loads((a / "result.json").read_text())["success"] is True
    assert "empty" in json.loads((bad / "result.json").read_text())["error"]
    record = (a / "source.json").read_text()
    assert json.loads(record)["sha256"] and json.loads(record)["success"] is True

    (inbox / "b.txt").write_text(ONE_SCENE)
    second = served.create_run("directory-batch/scheduled")
    run = served.wait_for_run(second)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    planned = [r["name"] for r in served.child_runs(second)]
    assert planned == ["b.txt"]
    assert (a / "source.json").read_text() == record
    assert (b / "lighting_instructions.json").is_file()
    result = json.loads((b / "result.json").read_text())
    assert result["final_output"]["output_dir"] == str(b)  # not the work folder it was built in

    # A crash between moving a result aside and putting its replacement in place (where the file system has no
    # atomic exchange): the complete earlier result is put back, not lost.
    b.rename(batch / f".{b.name}.old-deadbeef")
    (inbox / "a.txt").write_text(ONE_SCENE + "\n[Blackout.]\n")  # changed content
    third = served.create_run("directory-batch/scheduled")
    assert served.wait_for_run(third)["state"]["type"] == "COMPLETED"
    assert sorted(r["name"] for r in served.child_runs(third)) == ["a.txt"]
    assert sorted(p for p in batch.iterdir() if not p.name.startswith(".")) == [a, b, bad]
    assert not list(batch.glob(".*.old-*")) and not list(batch.glob(".*.work-*"))
    assert (a / "source.json").read_text() != record and (b / "lighting_instructions.json").is_file()


def test_show_play_is_a_dry_run_unless_hardware_is_on(served):
    folder = output_folder(served.outputs, served.inputs / "keepers light.txt")
    if not (folder / "lighting_instructions.json").is_file():
        pytest.fail("needs the plan from test_on_demand_through_prefect_deployment_run (run the module in order)")
    run_id = served.create_run("show/play", plan_dir=folder.name, speed=1000)
    run = served.wait_for_run(run_id)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    assert "dry run" in run["state"]["message"]
    assert run["parameters"]["hardware"] is False
    frames = (folder / "dmx_frames.jsonl").read_text().splitlines()
    assert json.loads(frames[0])["format"] == "cueflow-dmx-frames" and len(frames) > 1

    outside = served.create_run("show/play", plan_dir="../../")
    run = served.wait_for_run(outside)
    assert run["state"]["type"] == "FAILED" and run["state"]["message"].startswith("plan_dir:")


@pytest.mark.parametrize("typed", ['"yes"', '"true"', "1", "True"])
def test_the_hardware_gate_opens_only_for_a_json_true(served, typed):
    """Through the real CLI: a string or a number never opens Phase 8; the run fails before Phase 1, naming it."""
    (served.inputs / "gate.txt").write_text(ONE_SCENE)
    out = "gate-" + "".join(c for c in typed if c.isalnum())
    # -p values are JSON; `True` is not, so Prefect passes it on as the string "True".
    run_id, done = served.trigger(
        "lighting-pipeline/on-demand", 'script_path="gate.txt"', f'output_dir="{out}"', f"enable_phase_8={typed}"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = served.wait_for_run(run_id)
    assert run["state"]["type"] == "FAILED", run["state"]
    assert run["state"]["message"].startswith("enable_phase_8: must be the JSON boolean true or false"), run["state"]
    assert not (served.outputs / out).exists()  # nothing was planned, nothing was sent
    assert not [r for r in served.child_runs(run_id) if r["name"].startswith("scene")]
