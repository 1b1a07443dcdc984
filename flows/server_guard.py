"""The ephemeral Prefect server must not outlive the process that started it.

Prefect 3.9 starts it in `SubprocessASGIServer._run_uvicorn_command` (prefect/server/api/server.py): a plain
`subprocess.Popen` of `python -m uvicorn ...`, stopped only by an `atexit` hook, so a SIGKILLed `cueflow run`
left a 250 MB server listening for good. Here the same command runs under a few lines of Python that watch the
parent's pid and stop the server when the parent is gone. (PR_SET_PDEATHSIG would fire when the *thread* that
started the server ends, and Prefect may start it from a worker thread, so the guard polls instead.)
"""

import os
import sys
from typing import Any

# Runs as `python -c GUARD PARENT_PID uvicorn-args...` so it needs nothing importable from this repository.
GUARD = """
import os, runpy, signal, sys, threading, time
parent = int(sys.argv[1])
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down cleanly on SIGTERM
    time.sleep(10)
    os._exit(1)
threading.Thread(target=watch, daemon=True).start()
sys.argv = ["uvicorn", *sys.argv[2:]]
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""

_installed = False


def guard_ephemeral_server() -> None:
    """Make every ephemeral server this process starts stop when this process dies, even by SIGKILL."""
    global _installed
    if _installed:
        return
    import subprocess

    import prefect
    from prefect.server.api import server
    from prefect.settings import get_current_settings

    def guarded(self: Any) -> "subprocess.Popen[Any]":
        # Prefect 3.9.1's command and environment, verbatim, behind the guard.
        server_env = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        uvicorn_args = [
            "--app-dir",
            str(prefect.__module_path__.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        return subprocess.Popen(
            args=[sys.executable, "-c", GUARD, str(os.getpid()), *uvicorn_args],
            env={**os.environ, **server_env, **get_current_settings().to_environment_variables(exclude_unset=True)},
        )

    server.SubprocessASGIServer._run_uvicorn_command = guarded  # type: ignore[method-assign]
    _installed = True


def stop_ephemeral_servers(timeout: float = 5.0) -> None:
    """Kill the ephemeral servers now (a process about to os._exit does not run Prefect's atexit hook).

    SIGKILL, not SIGTERM: a graceful stop mid-run prints its services' cancelled-flush tracebacks onto the user's
    terminal (the server shares it), and the server's SQLite database is crash-safe."""
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
