"""`cueflow server`: a local Prefect server (API and UI) on 127.0.0.1, with cueflow's settings.

The database: the URL given (--database-url or PREFECT_API_DATABASE_CONNECTION_URL); else, when Debian's
PostgreSQL is installed, a private PostgreSQL cluster this command starts and stops (data under
$CUEFLOW_HOME/server/postgres): one SQLite writer at a time made the server answer 503 and the clients back off
for 2 s or more. Else, or with --sqlite, SQLite under $CUEFLOW_HOME/server (separate from the ephemeral runs'
database, so the two never contend for one SQLite lock).
"""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from flows import resident
from flows.environment import EPHEMERAL_DEFAULTS, SERVER_DEFAULTS, SQLITE_SERVER_DEFAULTS, cueflow_home

if TYPE_CHECKING:
    from .postgres_cluster import PostgresCluster

HOST = "127.0.0.1"
DATABASE_URL_VAR = "PREFECT_API_DATABASE_CONNECTION_URL"


def default_database_url() -> str:
    from flows.template_db import seed_database

    folder = cueflow_home() / "server"
    folder.mkdir(parents=True, exist_ok=True)
    seed_database(folder / "prefect.db")  # a new database starts migrated (built by `make setup`)
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


def ui_api_url(port: int) -> str:
    return f"http://{HOST}:{port}/api"


def server_environment(database_url: str | None, port: int = 4200, auth_string: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # `import flows` applied the ephemeral defaults to this process; a server keeps events and API logs (the UI shows them).
    for key, value in EPHEMERAL_DEFAULTS.items():
        if env.get(key) == value:
            env.pop(key)
    env[DATABASE_URL_VAR] = database_url or env.get(DATABASE_URL_VAR) or default_database_url()
    sqlite = SQLITE_SERVER_DEFAULTS if env[DATABASE_URL_VAR].startswith("sqlite") else {}  # one writer at a time
    for key, value in {**SERVER_DEFAULTS, **sqlite}.items():
        env.setdefault(key, value)
    env.pop("PREFECT_API_URL", None)  # the server must not try to talk to another server
    if auth_string:
        env[AUTH_VAR] = auth_string
    # The UI (in the browser) asks /ui-settings where the API is; unset, it answers port 4200, so on a shared machine
    # the UI would show and trigger someone else's server.
    for key in ("PREFECT_UI_API_URL", "PREFECT_SERVER_UI_API_URL"):
        env.pop(key, None)
    env["PREFECT_SERVER_UI_API_URL"] = ui_api_url(port)
    env["PREFECT_SERVER_API_HOST"], env["PREFECT_SERVER_API_PORT"] = HOST, str(port)
    # `prefect deployment run --watch` streams the run's logs only when the server publishes them: the flows log
    # why a run failed, and that line then reaches the terminal that triggered the run.
    env.setdefault("PREFECT_SERVER_LOGS_STREAM_OUT_ENABLED", "true")
    env.setdefault("PREFECT_SERVER_LOGS_STREAM_PUBLISHING_ENABLED", "true")
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


def _private_postgres() -> "PostgresCluster | None":
    """Start the private PostgreSQL cluster, or None (SQLite) when PostgreSQL is missing or will not start."""
    from .postgres_cluster import PostgresCluster, PostgresError, postgres_installed

    if not postgres_installed():
        print("cueflow: PostgreSQL is not installed: the server uses SQLite (slower; install postgresql)", file=sys.stderr)
        return None
    cluster = PostgresCluster.persistent(cueflow_home() / "server" / "postgres")
    try:
        cluster.start()
    except PostgresError as exc:
        print(f"cueflow: warning: {exc}; the server uses SQLite instead", file=sys.stderr)
        return None
    return cluster


def run_server(port: int, database_url: str | None, sqlite: bool = False, auth_string: str | None = None) -> int:
    """Run `prefect server start` in the foreground until interrupted; returns its exit code."""
    signal.signal(signal.SIGTERM, _interrupt)  # stop the server (and its database) too, not only this wrapper
    cluster = None
    chosen = database_url or os.environ.get(DATABASE_URL_VAR)
    try:
        if not chosen and not sqlite:
            cluster = _private_postgres()
            chosen = cluster.url if cluster else None
        env = server_environment(chosen, port, auth_string)
        database = redact(env[DATABASE_URL_VAR])
        where = f"private PostgreSQL in {cluster.base}" if cluster else database
        print(f"cueflow: Prefect server on http://{HOST}:{port} (UI), database {where}", file=sys.stderr)
        print(f"cueflow: in other shells: export PREFECT_API_URL={ui_api_url(port)}", file=sys.stderr)
        if auth_string:
            print("cueflow: basic auth on: clients need PREFECT_API_AUTH_STRING (the same user:password)", file=sys.stderr)
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)]
        process = subprocess.Popen(command, env=env)
        resident.record(ui_api_url(port), env[DATABASE_URL_VAR], auth_string)  # `cueflow run` finds it there
        print("cueflow: `cueflow run` uses this server while it runs; `cueflow server stop` stops it", file=sys.stderr)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            return 0
    except KeyboardInterrupt:
        return 0
    finally:
        resident.forget()
        if cluster is not None:
            cluster.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
