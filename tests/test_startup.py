"""Issue 24, a laptop run at Prefect's floor, through the real CLI: the ephemeral server starts while Prefect imports,
the client never imports Prefect's server module, a server that dies while starting is one line, the fast exit
leaves complete files and complete run records, and a run uses a resident `cueflow server` it finds by itself."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.prefect_stack import PrefectStack

from .conftest import EXAMPLE, ROOT

pytestmark = pytest.mark.prefect
HANG_GUARD = 300.0  # seconds: a stuck process fails the test instead of hanging the suite (not a speed check)

# Runs the real `cueflow` entry point with an import watcher. When `import prefect` begins (its first submodule:
# find_spec("prefect") alone, which cueflow uses to locate Prefect, imports nothing) it notes this process's uvicorn
# children; as the process exits (the fast exit runs the atexit hooks) it notes the modules loaded.
DRIVER = """
import atexit, json, os, sys
report, path = {}, sys.argv[1]

def servers():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            parent = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]
            if parent == str(os.getpid()) and b"uvicorn" in open(f"/proc/{pid}/cmdline", "rb").read():
                found.append(int(pid))
        except OSError:
            pass
    return found

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name.startswith("prefect.") and "at_prefect_import" not in report:
            report["at_prefect_import"] = servers()
        return None

def done():
    report["server_module_loaded"] = "prefect.server.api.server" in sys.modules
    report["prefect_loaded"] = "prefect.flows" in sys.modules
    with open(path, "w") as sink:
        json.dump(report, sink)

sys.meta_path.insert(0, Watch())
atexit.register(done)
from flows.cli import entry
sys.argv = ["cueflow", *sys.argv[2:]]
entry()
"""


def _home(tmp_path: Path, name: str = "home") -> dict[str, str]:
    home = tmp_path / name
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING")}
    env.update({"CUEFLOW_HOME": str(home), "PREFECT_HOME": str(home / "prefect"), "PYTHONPATH": str(ROOT)})
    return env


def _cueflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=HANG_GUARD
    )


def test_the_server_starts_before_prefect_imports_and_the_client_never_loads_its_module(tmp_path):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    report = tmp_path / "report.json"
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(driver), str(report), "run", str(EXAMPLE), "--out", str(out)],
        env=_home(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(report.read_text())
    assert seen["at_prefect_import"], "no Prefect server was running when the client began importing Prefect"
    assert seen["prefect_loaded"] and seen["server_module_loaded"] is False, seen
    assert json.loads((out / "result.json").read_text())["success"] is True


def test_a_server_that_dies_while_starting_is_one_line_and_exit_1(tmp_path):
    env = _home(tmp_path)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "900"  # only noticing the exit can end this early
    database = Path(env["PREFECT_HOME"]) / "prefect.db"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"this is not a SQLite database\n" * 200)  # a damaged database: migrations fail
    started = time.monotonic()
    done = _cueflow(env, "run", str(EXAMPLE), "--out", str(tmp_path / "out"))
    assert done.returncode == 1, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-3000:]
    assert lines[0].startswith("cueflow: error: the Prefect server stopped while starting (exit "), lines
    assert "not a database" in lines[0], lines
    assert time.monotonic() - started < HANG_GUARD
    assert not (tmp_path / "out").exists()


def test_the_fast_exit_leaves_complete_files_and_run_records(tmp_path):
    env = _home(tmp_path)
    out = tmp_path / "out"
    done = _cueflow(env, "run", str(EXAMPLE), "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("wall ") and "start-up" in last and last.endswith("s") and "+ exit " in last, last
    result = json.loads((out / "result.json").read_text())
    assert result["success"] is True
    for name in ("scenes.json", "lighting_instructions.json", "report.json"):
        json.loads((out / name).read_text())  # whole JSON, not cut short
    assert (out / "preview.html").read_text().rstrip().endswith("</html>")
    # cueflow stopped its server cleanly before it exited: the task-run states the server still held are written.
    with sqlite3.connect(Path(env["PREFECT_HOME"]) / "prefect.db", timeout=30) as connection:
        states = connection.execute(
            "SELECT state_type, count(*) FROM task_run WHERE name LIKE 'phase-2-emotion-%' GROUP BY state_type"
        ).fetchall()
    connection.close()
    assert states == [("COMPLETED", 7)], states


def test_bad_input_found_after_the_server_started_is_still_one_line_and_exit_2(tmp_path):
    done = _cueflow(_home(tmp_path), "run", str(EXAMPLE), "--out", str(tmp_path / "out"), "--genre", "opera-buffa")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cueflow: error: --genre"), done.stderr


def test_a_run_uses_the_resident_cueflow_server_and_ignores_a_stale_record(tmp_path, monkeypatch, macbeth):
    monkeypatch.setenv("PREFECT_API_LOG_RETRYABLE_ERRORS", "true")  # the server logs each 503 it answers
    stack = PrefectStack(base=tmp_path, server_args=["--sqlite"])
    stack.start(timeout=HANG_GUARD)
    record = tmp_path / "home" / "server" / "local.json"
    try:
        assert json.loads(record.read_text())["api_url"] == stack.api_url
        assert record.stat().st_mode & 0o077 == 0, "the record may hold a credential: owner-only"
        status = stack.cueflow("server", "status", api=False)
        assert status.returncode == 0 and stack.api_url.removesuffix("/api") in status.stderr, status.stderr
        out = tmp_path / "out" / "resident"
        done = stack.cueflow("run", str(macbeth), "--out", str(out), api=False, timeout=HANG_GUARD)
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"cueflow: using the local Prefect server at {stack.api_url.removesuffix('/api')}" in done.stderr
        run_id = json.loads((out / "result.json").read_text())["flow_run_id"]
        run = stack.get(f"/flow_runs/{run_id}").raise_for_status().json()
        assert run["state"]["type"] == "COMPLETED"
        scenes = stack.child_runs(run_id)
        assert len(scenes) == 26  # its scene subflows, in the server's UI
        # Several scenes in flight on SQLite (flows/sqlite_writes.py), and not one write refused with a 503.
        spans = [(s["start_time"], s["end_time"]) for s in scenes]
        assert max(sum(a <= start < b for a, b in spans) for start, _ in spans) >= 2, spans
        assert "Encountered retryable exception" not in (tmp_path / "server.log").read_text(errors="replace")
        saved = record.read_text()

        stopped = stack.cueflow("server", "stop", api=False)
        assert stopped.returncode == 0 and "stopped the server" in stopped.stderr, stopped.stderr
        assert stack.server is not None
        stack.server.wait(60)
        assert not record.exists()
    finally:
        stack.stop()

    record.write_text(saved)  # as a server killed by SIGKILL leaves it: its pid is gone
    out = tmp_path / "out" / "stale"
    done = stack.cueflow("run", str(EXAMPLE), "--out", str(out), api=False, timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "using the local Prefect server" not in done.stderr
    assert json.loads((out / "result.json").read_text())["success"] is True
    nothing = stack.cueflow("server", "stop", api=False)
    assert nothing.returncode == 0 and "no local cueflow server is running" in nothing.stderr


def test_a_fresh_home_starts_from_the_template_built_for_the_installed_prefect(tmp_path, monkeypatch):
    from flows.template_db import seed_database, template_path

    template = template_path()
    assert template.is_file(), f"no Prefect database template at {template}: `make setup` builds it"
    home = tmp_path / "prefect"
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))
    for var in ("PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_SERVER_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(var, raising=False)
    assert seed_database()
    database = home / "prefect.db"
    assert database.read_bytes() == template.read_bytes()
    assert database.stat().st_mode & 0o777 == 0o600, "the database holds run parameters: owner-only"
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)  # migrated
        assert connection.execute("SELECT count(*) FROM flow_run").fetchone() == (0,)  # and empty
    connection.close()
    database.write_bytes(b"a home's own database")
    assert not seed_database() and database.read_bytes() == b"a home's own database"  # never replaced
    assert [p.name for p in home.iterdir()] == ["prefect.db"]


def test_no_template_for_another_prefect_version_or_a_chosen_database(tmp_path, monkeypatch):
    from flows import template_db

    home = tmp_path / "prefect"
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://u:p@127.0.0.1:5432/prefect")
    assert not template_db.seed_database()
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL")
    monkeypatch.delenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.setattr(template_db, "prefect_version", lambda: "0.0.0")  # Prefect upgraded since `make setup`
    assert not template_db.seed_database()
    assert not list(home.iterdir())  # Prefect creates and migrates the database itself, as on any new home
