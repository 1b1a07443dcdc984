"""A private PostgreSQL cluster for a local Prefect server: Debian's binaries, a temporary data directory,
a free loopback port, no fsync. For tests and benchmarks; a production server uses a managed database.

    cluster = PostgresCluster()
    cluster.start()
    os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = cluster.url
    ...
    cluster.stop()
"""

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


@dataclass
class PostgresCluster:
    port: int = field(default_factory=free_port)
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cueflow-pg-")))

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
        self._run(self._bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} -c fsync=off -c synchronous_commit=off"
        self._run(
            self._bin("pg_ctl"), "-D", str(data), "-l", str(self.base / "postgres.log"), "-o", options, "-w", "-t", "60", "start"
        )
        self._run(self._bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "prefect")

    def query(self, sql: str) -> str:
        done = subprocess.run(
            [self._bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "prefect", "-tAc", sql],
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
        shutil.rmtree(self.base, ignore_errors=True)
