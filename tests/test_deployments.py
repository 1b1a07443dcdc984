"""Deployments on a real Prefect server (SQLite, the default), triggered through the real `prefect` CLI."""

import json
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest

from flows.outputs import output_folder
from phases.work_marker import MARKER

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
    stack.remove()


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
    # The form for a technician: human titles, in order (what to plan, the design choices, then Phase 8 with its
    # DMX settings), the genre a choice of the known genres, and no 'Property is type "None"' branch anywhere.
    ordered = sorted(props, key=lambda name: props[name]["position"])
    assert ordered == ["script_path", "output_dir", "config", "enable_phase_8", "dmx"]
    assert [props[name]["title"] for name in ordered] == [
        "Script",
        "Output folder",
        "What to plan, and the design choices",
        "Play to DMX fixtures (Phase 8)",
        "DMX settings (Phase 8)",
    ]
    fields = options["properties"]
    by_position = sorted(fields, key=lambda name: fields[name]["position"])
    assert by_position[:2] == ["enable_phase_1", "enable_phase_2"]
    assert by_position.index("genre") > by_position.index("enable_phase_7")
    assert fields["enable_phase_4"]["title"] == "Design the cues (Phase 4)"
    assert "llm_base_url" not in fields  # the serving machine's choice: it would send its API key there
    assert fields["genre"]["enum"] == ["comedy", "pantomime", "romance", "tragedy"]
    dmx = schema["definitions"]["DmxOptions"]["properties"]
    assert sorted(dmx) == ["dmx_speed", "dmx_universe", "olad_host", "olad_port"] and dmx["olad_host"]["title"] == "olad host"
    assert '"null"' not in json.dumps(schema) and "Enable Phase" not in json.dumps(schema)
    assert "cueflow serve" in on_demand["description"]  # the hint: runs start only while serve runs
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
    # Named after the script, tagged by it; scene subflows named after the script and the scene's heading.
    assert run["name"] == "keepers light.txt" and "script:keepers light.txt" in run["tags"]
    headings = [" ".join(s["heading"].split())[:80] for s in json.loads((out / "scenes.json").read_text())]
    scenes = [r for r in served.child_runs(run_id) if r["name"].startswith("keepers light.txt · ")]
    assert sorted(r["name"] for r in scenes) == sorted(f"keepers light.txt · {h}" for h in headings)
    assert all("script:keepers light.txt" in r["tags"] for r in scenes)
    keys = {a["key"] for a in served.artifacts(run_id)}
    assert {"cueflow-outputs-keepers-light", "cueflow-summary-keepers-light", "cueflow-cues-keepers-light"} <= keys
    artifact = next(a for a in served.artifacts(run_id) if a["key"] == "cueflow-outputs-keepers-light")
    assert "lighting_instructions.json" in artifact["data"]


def _error_logs(stack, run_id: str, timeout: float = 90) -> list[str]:
    """The run's error log lines, oldest first (logs reach the server in batches, a moment after the run ends)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        body = {"logs": {"flow_run_id": {"any_": [run_id]}, "level": {"ge_": 40}}, "sort": "TIMESTAMP_ASC"}
        errors = [entry["message"] for entry in stack.post("/logs/filter", body).json()]
        if errors or time.monotonic() > deadline:
            return errors
        time.sleep(0.5)


def test_bad_parameters_end_the_run_failed_naming_the_parameter(served):
    (served.inputs / "play.txt").write_text(ONE_SCENE)
    cases = {
        "script_path": {"script_path": "../../etc/passwd"},
        "script_path: 'missing.txt' is not an existing file": {"script_path": "missing.txt"},
        "output_dir": {"script_path": "play.txt", "output_dir": "../../../tmp/elsewhere"},
        "config.bogus": {"script_path": "play.txt", "config": {"bogus": 1}},
        "config.genre: 'tragedie' is not a genre": {"script_path": "play.txt", "config": {"genre": "tragedie"}},
        "config.scene_concurrency": {"script_path": "play.txt", "config": {"scene_concurrency": "four"}},
        "script_path: expected a text": {"script_path": 7},
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
        dmx={"olad_port": free_port()},
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


def test_parameter_name_problems_are_one_bounded_line():
    from flows.entrypoints import on_demand
    from flows.parameter_names import parameter_name_problem

    assert parameter_name_problem(on_demand.fn, {"script_path": "x.txt", "config": {}}) is None
    both = parameter_name_problem(on_demand.fn, {"output_dir": "o", "bogus\nname": 1})
    assert both == (
        "'script_path': required, and not given; 'bogus\\nname': unknown parameter;"
        " this deployment takes script_path, output_dir, config, enable_phase_8, dmx"
    )
    many = parameter_name_problem(on_demand.fn, {"script_path": "x", **{f"k{i}" * 40: i for i in range(9)}})
    assert many is not None and "\n" not in many and "and 4 more" in many and len(many) < 500


def test_an_unknown_top_level_parameter_ends_failed_naming_it(served):
    """`prefect deployment run` refuses the name itself. Through the REST API (other clients, scripts) a run is
    created; Prefect refuses the name in the run's process (Crashed, exit 1) and serve's on_crashed hook makes it
    Failed, naming it."""
    import time

    (served.inputs / "play.txt").write_text(ONE_SCENE)
    cli = served.prefect("deployment", "run", "lighting-pipeline/on-demand", "-p", 'script_path="play.txt"', "-p", "surprise=1")
    assert cli.returncode == 1 and "'surprise'" in cli.stdout and "UUID" not in cli.stdout, cli.stdout
    run_id = served.create_run("lighting-pipeline/on-demand", script_path="play.txt", surprise=1)
    deadline = time.monotonic() + 60
    run = served.wait_for_run(run_id)
    while run["state"]["type"] == "CRASHED" and time.monotonic() < deadline:  # the hook runs after the crash
        time.sleep(0.5)
        run = served.get(f"/flow_runs/{run_id}").json()
    assert run["state"]["type"] == "FAILED", run["state"]
    message = run["state"]["message"]
    assert message.startswith("'surprise': unknown parameter; this deployment takes script_path, output_dir"), message
    assert "\n" not in message
    logs = served.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 50}).json()
    assert any(log["message"] == message for log in logs), [log["message"][:200] for log in logs]


def test_scheduled_batch_plans_only_new_or_changed_scripts(served):
    inbox = served.inputs / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(ONE_SCENE)
    (inbox / "bad.txt").write_text("")  # fails: reported, and does not block the rest
    batch = served.outputs / "batch"
    batch.mkdir()
    a, b, bad = (output_folder(batch, inbox / name) for name in ("a.txt", "b.txt", "bad.txt"))
    crashed = batch / f".{a.name}.work-deadbeef"  # what a crashed run leaves behind: marked, its writer gone
    crashed.mkdir()
    (crashed / "scenes.json").write_text("[]")
    gone = {"made_by": "cueflow", "kind": "work", "for": a.name, "pid": 2**22 + 7, "started": 1, "created": 0.0}
    (crashed / MARKER).write_text(json.dumps(gone))
    kept = batch / f".{a.name}.work-notours"  # no marker: a user's folder, never cueflow's to delete
    kept.mkdir()

    first, _ = served.trigger("directory-batch/scheduled")  # the real CLI once; then as the UI does
    run = served.wait_for_run(first)
    assert run["state"]["type"] == "FAILED" and "bad.txt" in run["state"]["message"]
    assert sorted(p for p in batch.iterdir() if not p.name.startswith(".")) == [a, bad]
    assert list(batch.glob(".*.work-*")) == [kept]
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
    aside = batch / f".{b.name}.old-deadbeef"
    b.rename(aside)
    (aside / MARKER).write_text(json.dumps({**gone, "kind": "old", "for": b.name}))  # as a run marks it, writer gone
    (inbox / "a.txt").write_text(ONE_SCENE + "\n[Blackout.]\n")  # changed content
    third = served.create_run("directory-batch/scheduled")
    assert served.wait_for_run(third)["state"]["type"] == "COMPLETED"
    assert sorted(r["name"] for r in served.child_runs(third)) == ["a.txt"]
    assert sorted(p for p in batch.iterdir() if not p.name.startswith(".")) == [a, b, bad]
    assert not list(batch.glob(".*.old-*")) and list(batch.glob(".*.work-*")) == [kept]
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
    assert not [r for r in served.child_runs(run_id) if any(t.startswith("scene:") for t in r["tags"])]


def test_the_ui_asks_this_server_and_the_cli_reads_runs_and_logs(served):
    """/ui-settings points the browser at this server's port; the CLI's list and log commands work against it."""
    settings = httpx.get(f"http://127.0.0.1:{served.port}/ui-settings", timeout=10).json()
    assert settings["api_url"] == served.api_url
    (served.inputs / "logs.txt").write_text(ONE_SCENE)
    run_id, done = served.trigger("lighting-pipeline/on-demand", 'script_path="logs.txt"', 'config={"bogus": 1}', watch=True)
    assert done.returncode == 1
    # --watch ends with the reason, not only "Flow run finished in state 'Failed'".
    assert "config.bogus: Extra inputs are not permitted" in done.stdout, done.stdout
    listed = served.prefect("deployment", "ls")
    assert listed.returncode == 0 and "lighting-pipeline/on-demand" in listed.stdout, listed.stdout + listed.stderr
    runs = served.prefect("flow-run", "ls", "--limit", "50")
    assert runs.returncode == 0 and "logs.txt" in runs.stdout, runs.stdout + runs.stderr
    logs = served.prefect("flow-run", "logs", run_id)
    assert logs.returncode == 0 and "config.bogus: Extra inputs are not permitted" in logs.stdout, logs.stdout + logs.stderr
    # The reason is the run's first error line: the UI shows it, not "This run didn't generate logs".
    errors = _error_logs(served, run_id)
    assert errors and errors[0].startswith("config.bogus: Extra inputs are not permitted"), errors


def test_version_and_a_bad_cron_are_one_line(stack):
    version = stack.cueflow("--version", api=False)
    assert version.returncode == 0 and version.stdout.startswith("cueflow ")
    for cron in ("61 * * * *", "every day", "* * * * * *"):
        for command in ("deploy", "serve"):
            done = stack.cueflow(command, "--cron", cron)
            assert done.returncode == 2, (command, cron, done.stderr)
            assert done.stderr.startswith("cueflow: error: --cron:") and len(done.stderr.splitlines()) == 1, done.stderr


def test_one_source_of_truth_and_one_serve(served):
    """serve keeps what deploy set; a second serve for the same deployments is refused with one line."""
    done = served.cueflow("deploy", "--cron", "0 0 2 1 *", "--batch-out", "elsewhere")
    assert done.returncode == 0, done.stderr
    assert "cron: '0 0 1 1 *' -> '0 0 2 1 *'" in done.stderr  # says what it changed
    scheduled = served.deployment("directory-batch/scheduled")
    assert scheduled["parameters"]["output_dir"] == "elsewhere"
    second = served.cueflow("serve", "--input-root", str(served.inputs), timeout=120)
    assert second.returncode == 1, second.stderr
    assert second.stderr.splitlines()[-1].startswith("cueflow: error: ") and "already served" in second.stderr
    assert "Traceback" not in second.stderr
    # The refused serve changed nothing: the settings deploy set, and show/play, are still registered and served.
    scheduled = served.deployment("directory-batch/scheduled")
    assert [s["schedule"]["cron"] for s in scheduled["schedules"]] == ["0 0 2 1 *"]
    assert scheduled["parameters"]["output_dir"] == "elsewhere" and not scheduled["paused"]
    assert served.deployment("show/play") is not None
    done = served.cueflow("deploy", "--cron", NEVER, "--batch-out", "batch")  # back to the module's settings
    assert done.returncode == 0, done.stderr


def _click(page, expression: str) -> None:
    """A real mouse click (through DevTools input events) on the element the JavaScript expression finds."""
    box = page.evaluate(
        f"(() => {{ const e = {expression}; if (!e) return null; e.scrollIntoView({{block: 'center'}});"
        " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    assert box, f"nothing on the page matches {expression}:\n{page.evaluate('document.body.innerText')[:3000]}"
    for kind in ("mousePressed", "mouseReleased"):
        page.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)


def _click_until(page, expression: str, text: str, timeout: float = 60) -> str:
    """Click, and again every few seconds, until the text shows: a click that lands while the page is still
    hydrating its tabs is dropped (the run page stayed on its Logs tab once in a CI run)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        _click(page, expression)
        try:
            return _wait_for_text(page, text, timeout=min(5.0, max(0.1, deadline - time.monotonic())))
        except pytest.fail.Exception:
            if time.monotonic() >= deadline:
                raise


def _wait_for_text(page, text: str, timeout: float = 60) -> str:
    import time

    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        body = page.evaluate("document.body ? document.body.innerText : ''") or ""
        if text in body:
            return body
        time.sleep(0.3)
    pytest.fail(f"{text!r} did not appear on {page.evaluate('location.href')}:\n{body[:3000]}")


def _new_run(served, deployment: dict, before: set[str], timeout: float = 60) -> dict:
    """The one run of the deployment created since `before` (the ids already seen)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = served.post("/flow_runs/filter", {"limit": 200}).json()
        created = [r for r in runs if r["id"] not in before and r["deployment_id"] == deployment["id"]]
        if created:
            assert len(created) == 1, created
            return created[0]
        time.sleep(0.5)
    pytest.fail("Submit created no run")


def test_the_ui_custom_run_form_starts_a_run_named_after_the_script(served):
    """Headless Chromium on the real UI: the form's human labels, Submit, and the run page's subflows by heading."""
    import time

    from .browser import Chromium

    shutil.copy(EXAMPLE, served.inputs / "lantern.txt")
    deployment = served.deployment("lighting-pipeline/on-demand")
    before = {r["id"] for r in served.post("/flow_runs/filter", {"limit": 200}).json()}
    with Chromium() as browser:  # fails loudly when Chromium is missing
        page = browser.open_page()
        page.goto(f"http://127.0.0.1:{served.port}/deployments/deployment/{deployment['id']}/run")
        body = _wait_for_text(page, "Play to DMX fixtures (Phase 8)")
        for label in ("Script", "Output folder", "What to plan, and the design choices", "Design the cues (Phase 4)", "Genre"):
            assert label in body, label
        assert "DMX settings (Phase 8)" in body and "Enable Phase" not in body and "Property is type" not in body
        assert body.index("Play to DMX fixtures (Phase 8)") < body.index("OLA universe") < body.index("olad port")
        script_box = (
            "[...document.querySelectorAll('label')].find(l => l.innerText.trim() === 'Script')"
            ".closest('div').parentElement.querySelector('textarea, input')"
        )
        # Submit with the Script box left empty: the UI sends the form without the required field, Prefect cannot bind
        # it in the run's process (Crashed, exit 1), and serve's on_crashed hook ends the run Failed, naming it.
        _click(page, "[...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Submit')")
        empty = served.wait_for_run(_new_run(served, deployment, before)["id"])
        deadline = time.monotonic() + 60
        while empty["state"]["type"] == "CRASHED" and time.monotonic() < deadline:
            time.sleep(0.5)
            empty = served.get(f"/flow_runs/{empty['id']}").json()
        assert empty["state"]["type"] == "FAILED", empty["state"]
        assert empty["state"]["message"].startswith("'script_path': required, and not given;"), empty["state"]
        before.add(empty["id"])

        page.goto(f"http://127.0.0.1:{served.port}/deployments/deployment/{deployment['id']}/run")
        _wait_for_text(page, "Play to DMX fixtures (Phase 8)")
        # Type until the box keeps the name for a second: what lands before the form has mounted, or before it loads
        # the deployment's defaults into its fields, is lost (the form then sends no script_path).
        kept = 0
        for _ in range(30):
            if page.evaluate(f"{script_box}.value") != "lantern.txt":
                kept = 0
                _click(page, script_box)
                page.evaluate(f"{script_box}.select()")  # what is typed next replaces whatever landed before
                page.call("Input.insertText", text="lantern.txt")
            else:
                kept += 1
                if kept == 3:
                    break
            time.sleep(0.5)
        assert kept == 3, page.evaluate(f"{script_box}.value")
        _click(page, "[...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Submit')")
        run = served.wait_for_run(_new_run(served, deployment, before)["id"])
        assert run["state"]["type"] == "COMPLETED", run["state"]
        assert run["name"] == "lantern.txt" and run["parameters"]["script_path"] == "lantern.txt"

        scenes = json.loads((output_folder(served.outputs, served.inputs / "lantern.txt") / "scenes.json").read_text())
        headings = [" ".join(s["heading"].split())[:80] for s in scenes]
        page = browser.open_page()  # a fresh DevTools connection: the first one went unread while the run ran
        page.goto(f"http://127.0.0.1:{served.port}/runs/flow-run/{run['id']}")
        _wait_for_text(page, "lantern.txt")
        _wait_for_text(page, "Subflow Runs")
        tab = "[...document.querySelectorAll('*')].filter(e => (e.innerText || '').trim() === 'Subflow Runs').pop()"
        body = _click_until(page, tab, f"lantern.txt · {headings[0]}")
        for heading in headings:
            assert f"lantern.txt · {heading}" in body, heading


def test_stopping_the_server_first_stops_serve_promptly_with_one_line(served):
    """Last in the module: the server goes before serve; then it restarts on its existing database."""
    import time

    from .prefect_stack import _stop

    before = len((served.base / "serve.log").read_text())  # what the module's runs logged is not this test's business
    started = time.monotonic()
    _stop(served.server)
    served.serve_process.wait(timeout=30)
    took = time.monotonic() - started
    log = (served.base / "serve.log").read_text()[before:]
    assert served.serve_process.returncode == 1
    assert (
        log.splitlines()[-1] == f"cueflow: error: the Prefect server at {served.api_url} stopped answering; serve stopped"
        " (restart the server, then serve)"
    )
    assert "Traceback" not in log, log[-3000:]
    assert took < 30  # the wait above bounds it; Prefect's own retries took about 75 s

    (served.base / "server.log").rename(served.base / "server-1.log")
    served.start()  # the same home, so the same database
    restarted = (served.base / "server.log").read_text()
    assert "database is locked" not in restarted and "Traceback" not in restarted, restarted[-3000:]
    assert served.deployment("lighting-pipeline/on-demand") is not None  # the records survived the restart
