"""The laptop's Prefect server: started by `cueflow` itself, early, and never outliving it.

Left to Prefect, the client started its ephemeral server on its first API call: after importing Prefect, the phases
and `prefect.server.api.server` (1.6 s of imports for a module only the server needs), and then waited about 3 s
for it. Here `cueflow run` starts the same server (Prefect 3.9's own uvicorn command and environment) as soon as
its arguments are checked, in parallel with those imports and the input checks, and the client reaches it by URL
(PREFECT_API_URL), as it would a real server. A server that exits while starting is reported at once with one line
(Prefect's own wait loop only notices exit code 3 and otherwise waits out its 120 s time-out).

The server runs under a few lines of Python that watch the parent's pid and stop it when the parent is gone, so a
SIGKILLed `cueflow run` leaves no 250 MB server listening. (PR_SET_PDEATHSIG would fire when the *thread* that
started the server ends; the guard polls instead.) Its output goes to an unnamed temporary file, not the
terminal: the last line of it is what the one-line error quotes.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path
from typing import IO

from .environment import SERVER_KIND_VAR

# Runs as `python -c GUARD PARENT_PID SQLITE_WRITES_PY uvicorn-args...`. Of this repository it loads only the SQLite
# fix, by its path: the server runs in the user's folder, where another package may be named like ours.
GUARD = """
import importlib.util, os, runpy, signal, sys, threading, time
parent = int(sys.argv[1])
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down cleanly on SIGTERM (a second one changes nothing)
    time.sleep(10)
    os._exit(1)
threading.Thread(target=watch, daemon=True).start()
spec = importlib.util.spec_from_file_location("cueflow_sqlite_writes", sys.argv[2])
fix = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fix)
fix.serialise_sqlite_writes()
sys.argv = ["uvicorn", *sys.argv[3:]]
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""
SQLITE_WRITES = Path(__file__).with_name("sqlite_writes.py")
HOST = "127.0.0.1"
# What Prefect 3.9.1's SubprocessASGIServer adds to the environment of the ephemeral server it starts.
EPHEMERAL_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
STARTUP_FAILURE = 3  # uvicorn's exit code when it cannot bind or the app's start-up fails
POLL_SECONDS = 0.1
STOP_TIMEOUT = 10.0  # seconds for a clean stop (about 0.4 s here); Prefect's own atexit hook waited 5
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*:")


class ServerStartError(RuntimeError):
    """The ephemeral server exited, or never answered, while starting. The message is one line."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _app_dir() -> str:
    """Where Prefect is installed, found without importing it (0.65 s)."""
    spec = find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise ServerStartError("Prefect is not installed in this Python")
    return os.path.dirname(next(iter(spec.submodule_search_locations)))


class EphemeralServer:
    """One Prefect server process for this `cueflow` process, reached at `api_url`."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment
        self.log: IO[bytes] = tempfile.TemporaryFile(prefix="cueflow-server-")
        self.started = time.monotonic()
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._spawn()

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.port}/api"

    def _spawn(self) -> None:
        self.port = _free_port()
        uvicorn = ["--app-dir", _app_dir(), "--factory", "prefect.server.api.server:create_app", "--host", HOST]
        uvicorn += ["--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        self.process = subprocess.Popen(
            [sys.executable, "-c", GUARD, str(os.getpid()), str(SQLITE_WRITES), *uvicorn],
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )

    def wait_until_ready(self, timeout: float) -> None:
        """Return once /api/health answers 200; raise ServerStartError (one line) the moment the server exits."""
        if self._ready:
            return
        import http.client

        deadline = time.monotonic() + timeout
        retried = False
        while True:
            assert self.process is not None
            code = self.process.poll()
            if code is not None:
                if code == STARTUP_FAILURE and not retried and "address already in use" in self._log_text().lower():
                    retried = True  # another process took the port between our probe and the server's bind
                    self._spawn()
                    continue
                raise ServerStartError(f"the Prefect server stopped while starting (exit {code}): {self._last_line()}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=1)
            try:
                connection.request("GET", "/api/health")
                if connection.getresponse().status == 200:
                    self._ready = True
                    return
            except OSError:
                pass
            finally:
                connection.close()
            if time.monotonic() > deadline:
                self.kill()
                raise ServerStartError(f"the Prefect server did not answer within {timeout:.0f} s: {self._last_line()}")
            time.sleep(POLL_SECONDS)

    def _log_text(self) -> str:
        self.log.flush()
        self.log.seek(0)
        text = self.log.read()[-20000:].decode("utf-8", errors="replace")
        self.log.seek(0, os.SEEK_END)
        return text

    def _last_line(self) -> str:
        """The server's last exception line (`sqlite3.DatabaseError: file is not a database`), else its last line."""
        lines = [line.strip() for line in self._log_text().splitlines() if line.strip()]
        errors = [line for line in lines if EXCEPTION_LINE.match(line)]
        return (errors or lines or ["it printed nothing"])[-1][:200]

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the server cleanly and wait for it: it writes the task-run states it still holds (up to 10 s of
        them) as it stops, so the run's record is whole when `cueflow` returns. After `timeout` it is left to
        finish alone (its guard ends it within 10 s of this process's exit)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def close(self) -> None:
        """At exit: a server the run used stops cleanly; one it never waited for (bad input found after the server
        started) holds no run and is killed, rather than waited for through its start-up."""
        if self._ready:
            self.stop()
        else:
            self.kill()

    def kill(self, timeout: float = 5.0) -> None:
        """Stop it now. SIGKILL: a graceful stop mid-run prints its services' cancelled-flush tracebacks, and its
        SQLite database is crash-safe."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.kill()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass


_servers: list[EphemeralServer] = []


def start_ephemeral_server() -> EphemeralServer:
    """Start this process's Prefect server now and point the client at it (PREFECT_API_URL). Call before Prefect
    loads, after flows.environment has set cueflow's defaults (and flows.template_db has seeded a new home); the
    first API call must wait_until_ready() first."""
    environment = {**os.environ, **EPHEMERAL_SERVER_ENV}
    for key in ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING", SERVER_KIND_VAR):
        environment.pop(key, None)
    server = EphemeralServer(environment)
    _servers.append(server)
    os.environ["PREFECT_API_URL"] = server.api_url
    os.environ[SERVER_KIND_VAR] = "ephemeral"
    import atexit

    atexit.register(server.close)  # registered before Prefect's hooks, so it runs after them (they drain events)
    return server


def wait_for_servers(timeout: float) -> None:
    for server in _servers:
        server.wait_until_ready(timeout)


def stop_ephemeral_servers(timeout: float = 5.0) -> None:
    """Kill the ephemeral servers now (a process about to os._exit on a signal runs no atexit hook): cueflow's own,
    and any Prefect started itself in this process (a library caller of flows.run without PREFECT_API_URL)."""
    for server in _servers:
        server.kill(timeout)
    module = sys.modules.get("prefect.server.api.server")
    if module is None:
        return
    for instance in list(module.SubprocessASGIServer._instances.values()):
        process = getattr(instance, "server_process", None)
        if process is None or process.poll() is not None:
            continue
        process.kill()
        try:
            process.wait(timeout=timeout)
        except Exception:
            pass
