"""One local server for many runs: `cueflow server` leaves a record that `cueflow run` finds by itself.

A running `cueflow server` writes `$CUEFLOW_HOME/server/local.json` (owner-only: it may hold the API credential):
its API URL, the pid and start time of the `cueflow server` process, its database kind and the credential. `cueflow
run` and `cueflow batch` without PREFECT_API_URL read it and use that server when the process is the one recorded
and its API answers within a second; else (no record, a stale one, a server that does not answer) they start their
own ephemeral server as before. Runs then skip the server's start-up and show in its UI. `cueflow server stop`
stops it.
"""

import json
import os
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .environment import SERVER_KIND_VAR, cueflow_home

HEALTH_TIMEOUT = 1.0  # seconds: a resident server answers /api/health in milliseconds


@dataclass(frozen=True)
class ResidentServer:
    api_url: str
    pid: int
    started: int | None  # the process's start time (clock ticks after boot): a reused pid is another process
    database: str  # "sqlite" or "postgresql"
    credential: str | None = None

    @property
    def ui_url(self) -> str:
        return self.api_url.removesuffix("/api")


def record_path() -> Path:
    return cueflow_home() / "server" / "local.json"


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (state first), or [] when there is no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _start_time(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def record(api_url: str, database_url: str, credential: str | None) -> ResidentServer:
    """Record this process as the home's resident server (call once it answers)."""
    server = ResidentServer(
        api_url=api_url,
        pid=os.getpid(),
        started=_start_time(os.getpid()),
        database="sqlite" if database_url.startswith("sqlite") else "postgresql",
        credential=credential,
    )
    path = record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as sink:
        json.dump(asdict(server), sink)
    partial.replace(path)
    return server


def forget() -> None:
    """Remove the record if it is this process's (a newer server's record stays)."""
    found = _read()
    if found is not None and found.pid == os.getpid():
        record_path().unlink(missing_ok=True)


def _read() -> ResidentServer | None:
    try:
        data = json.loads(record_path().read_text())
        return ResidentServer(**data)
    except (OSError, ValueError, TypeError):
        return None


def _alive(server: ResidentServer) -> bool:
    fields = _stat(server.pid)
    if not fields or fields[0] in ("Z", "X"):  # gone, or a zombie its parent has not reaped yet
        return False
    return server.started is None or _start_time(server.pid) == server.started


def _answers(server: ResidentServer) -> bool:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(server.api_url)
    if parts.scheme != "http" or parts.hostname is None:
        return False
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=HEALTH_TIMEOUT)
    try:
        connection.request("GET", f"{parts.path}/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def find_resident() -> ResidentServer | None:
    """The home's resident server when its process is the recorded one and its API answers; else None."""
    server = _read()
    if server is None or not _alive(server) or not _answers(server):
        return None
    return server


def attach() -> ResidentServer | None:
    """Point this process's Prefect client at the resident server, if there is one (before Prefect loads)."""
    server = find_resident()
    if server is None:
        return None
    os.environ["PREFECT_API_URL"] = server.api_url
    os.environ[SERVER_KIND_VAR] = f"local-{server.database}"
    if server.credential:
        os.environ["PREFECT_API_AUTH_STRING"] = server.credential
    return server


def stop_resident(timeout: float = 60.0) -> ResidentServer | None:
    """SIGTERM the resident `cueflow server` (it stops Prefect and its database) and wait until it is gone.
    Returns the server stopped, or None when none was running."""
    server = _read()
    if server is None or not _alive(server):
        record_path().unlink(missing_ok=True)  # stale
        return None
    os.kill(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(server):
        raise TimeoutError(f"the server (pid {server.pid}) did not stop within {timeout:.0f} s")
    record_path().unlink(missing_ok=True)
    return server
