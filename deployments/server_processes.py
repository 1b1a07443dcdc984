"""Prefect servers that `cueflow server` started, found through /proc: the live one, or the orphans of a killed one.

Each server process carries, in its environment, the database it serves and the pid of the `cueflow server` that
started it (deployments/api_server.py). An older cueflow's servers carry only Prefect's own database URL. A server
whose parent is no longer that `cueflow server` is an orphan: the next start stops it rather than leaving its API
answering on a stale port. Only this user's processes can be read, and only they are touched.
"""

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from .api_server import DATABASE_VAR, PARENT_VAR

URL_VAR = "PREFECT_API_DATABASE_CONNECTION_URL"


@dataclass(frozen=True)
class ServerProcess:
    pid: int
    parent: int | None  # the `cueflow server` that started it, when recorded

    @property
    def orphaned(self) -> bool:
        parent = _parent_of(self.pid)
        if parent is None:
            return False  # gone already
        if self.parent is not None:
            return parent != self.parent
        try:  # an older cueflow's server: is its parent still a `cueflow server`?
            command = Path(f"/proc/{parent}/cmdline").read_bytes()
        except OSError:
            return True
        return not (b"server" in command and (b"flows.cli" in command or b"cueflow" in command))


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _environment(pid: int) -> dict[bytes, bytes]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or another user's
        return {}
    pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def servers_of(database: str, urls: set[str] = frozenset()) -> list[ServerProcess]:  # type: ignore[assignment]
    """This user's Prefect server processes for `database` (our key), or whose database URL is one of `urls`."""
    found = []
    wanted, legacy = os.fsencode(database), {os.fsencode(u) for u in urls}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        env = _environment(int(entry.name))
        ours = env.get(os.fsencode(DATABASE_VAR)) == wanted
        if not ours and not (legacy and env.get(os.fsencode(URL_VAR)) in legacy):
            continue
        try:
            command = Path(f"/proc/{entry.name}/cmdline").read_bytes()
        except OSError:
            continue
        if b"server" not in command:  # a client that merely has the variable set
            continue
        parent = env.get(os.fsencode(PARENT_VAR))
        found.append(ServerProcess(int(entry.name), int(parent) if parent and parent.isdigit() else None))
    return found


def stop(pid: int, grace: float = 15.0) -> None:
    """SIGTERM (uvicorn shuts down cleanly), then SIGKILL after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
            os.kill(pid, signal.SIGCONT)  # a stopped process acts on nothing until it runs again
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                return
            if state == "Z":
                return
            time.sleep(0.1)
