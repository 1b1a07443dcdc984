"""A private PostgreSQL cluster for a local Prefect server: Debian's binaries, a free loopback port.

Temporary (the default: a fresh data directory, removed on stop, no fsync) for tests and benchmarks, or
persistent (`PostgresCluster.persistent(folder)`: `cueflow server`'s default database when PostgreSQL is
installed; created once, kept across restarts, crash-safe settings). A production server uses a managed database.

    cluster = PostgresCluster()
    cluster.start()
    os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = cluster.url
    ...
    cluster.stop()
"""

import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class PostgresError(RuntimeError):
    """PostgreSQL is missing or would not start."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_installed() -> bool:
    return bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))


def _owner_can_reach(folder: Path) -> bool:
    """Whether the postgres user can enter every directory down to `folder` (as root, /root and mkdtemp's are 0700)."""
    user = pwd.getpwnam("postgres")
    for parent in [*reversed(folder.parents), folder]:
        if not parent.exists():
            return True
        info = parent.stat()
        if info.st_uid == user.pw_uid:
            continue
        mode = info.st_mode
        if not (mode & 0o001 or (mode & 0o010 and info.st_gid == user.pw_gid)):
            return False
    return True


@dataclass
class PostgresCluster:
    port: int = field(default_factory=free_port)
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cueflow-pg-")))
    keep: bool = False  # persistent: keep the data on stop, fsync on

    @classmethod
    def persistent(cls, folder: Path) -> "PostgresCluster":
        """A cluster whose data lives in `folder` and survives restarts.

        As root the cluster runs as the postgres user, which often cannot reach `folder` (under /root, or a 0700
        temporary directory): the data then lives in /var/tmp, in a folder named after `folder`.
        """
        folder = folder.resolve()
        if os.geteuid() == 0 and not _owner_can_reach(folder):
            digest = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
            folder = Path("/var/tmp") / f"cueflow-pg-{digest}"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cls(base=folder, keep=True)

    @property
    def url(self) -> str:
        """The SQLAlchemy URL Prefect's server takes in PREFECT_API_DATABASE_CONNECTION_URL."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/prefect"

    def _bin(self, name: str) -> str:
        found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
        if not found:
            raise PostgresError(f"PostgreSQL's {name} is missing: install Debian's postgresql package (make system-deps)")
        return str(found[-1])

    def _as_owner(self) -> list[str]:
        # initdb refuses to run as root: run the cluster as the postgres user then.
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as_owner(), *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise PostgresError(f"PostgreSQL could not start: {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")

    def start(self) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)
        data = self.base / "data"
        fresh = not (data / "PG_VERSION").exists()
        if fresh:
            sync = [] if self.keep else ["--no-sync"]
            self._run(self._bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", *sync)
        # Loopback only, trust auth: the socket lives in the cluster's own folder, reachable by its owner only.
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base}"
        if not self.keep:
            options += " -c fsync=off -c synchronous_commit=off"
        else:
            options += " -c synchronous_commit=off"  # a crash may lose the last moments of run records, not corrupt them
        self._run(
            self._bin("pg_ctl"), "-D", str(data), "-l", str(self.base / "postgres.log"), "-o", options, "-w", "-t", "60", "start"
        )
        if fresh or self.query("select 1 from pg_database where datname = 'prefect'", database="postgres") != "1":
            self._run(self._bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "prefect")

    def query(self, sql: str, database: str = "prefect") -> str:
        done = subprocess.run(
            [self._bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-tAc", sql],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise PostgresError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def stop(self) -> None:
        data = self.base / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*self._as_owner(), self._bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True, timeout=60
            )
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)
