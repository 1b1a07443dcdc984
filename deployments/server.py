"""`cueflow server`: a local Prefect server (API and UI) on 127.0.0.1, with cueflow's settings.

The database defaults to SQLite under $CUEFLOW_HOME/server (separate from the ephemeral runs' database, so the
two never contend for one SQLite lock). PostgreSQL is the production option: pass its URL.
"""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from flows.environment import EPHEMERAL_DEFAULTS, SERVER_DEFAULTS, cueflow_home

HOST = "127.0.0.1"
DATABASE_URL_VAR = "PREFECT_API_DATABASE_CONNECTION_URL"


def default_database_url() -> str:
    folder = cueflow_home() / "server"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{folder / 'prefect.db'}"


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


AUTH_VAR = "PREFECT_SERVER_API_AUTH_STRING"  # Prefect 3.9: the server's basic-auth credential (user:password)


def server_environment(database_url: str | None, auth_string: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # `import flows` applied the ephemeral defaults to this process; a server keeps events and API logs (the UI shows them).
    for key, value in EPHEMERAL_DEFAULTS.items():
        if env.get(key) == value:
            env.pop(key)
    for key, value in SERVER_DEFAULTS.items():
        env.setdefault(key, value)
    env[DATABASE_URL_VAR] = database_url or env.get(DATABASE_URL_VAR) or default_database_url()
    env.pop("PREFECT_API_URL", None)  # the server must not try to talk to another server
    if auth_string:
        env[AUTH_VAR] = auth_string
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    return env


def redact(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    if ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def run_server(port: int, database_url: str | None, auth_string: str | None = None) -> int:
    """Run `prefect server start` in the foreground until interrupted; returns its exit code."""
    env = server_environment(database_url, auth_string)
    print(f"cueflow: Prefect server on http://{HOST}:{port} (UI), database {redact(env[DATABASE_URL_VAR])}", file=sys.stderr)
    print(f"cueflow: in other shells: export PREFECT_API_URL=http://{HOST}:{port}/api", file=sys.stderr)
    if auth_string:
        print("cueflow: basic auth on: clients need PREFECT_API_AUTH_STRING (the same user:password)", file=sys.stderr)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen(command, env=env)
    signal.signal(signal.SIGTERM, _interrupt)  # stop the server too, not only this wrapper
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
