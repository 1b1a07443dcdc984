"""A private PostgreSQL cluster for a local Prefect server: Debian's binaries, reachable by its owner only.

Temporary (the default: a fresh data directory, removed on stop, no fsync) for tests and benchmarks, or
persistent (`PostgresCluster.persistent(folder)`: `cueflow server`'s default database when PostgreSQL is
installed; created once, kept across restarts, crash-safe settings). A production server uses a managed database.

Who can reach it: no TCP listener at all (listen_addresses = ''), one Unix socket in a folder only the cluster's
OS user may enter (0700), and peer authentication: the kernel's word for who connects. The OS user running this
code logs in as `cueflow_prefect`, a role that is no superuser and owns the `prefect` database and nothing else
(so it cannot run `COPY ... TO PROGRAM`); the superuser `postgres` is for the cluster's own OS user. As root the
cluster runs as Debian's postgres user (initdb refuses root). Every start rewrites the access files, so a cluster
made by an older cueflow (trust, TCP) is closed too.

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
import signal
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

APP_ROLE = "cueflow_prefect"  # the application's role: owns the prefect database, nothing more
ADMIN_ROLE = "postgres"  # the cluster's superuser: its own OS user only
DATABASE = "prefect"
PORT = 5432  # only names the socket file (.s.PGSQL.5432) in the cluster's private folder; nothing listens on TCP
SOCKET_PATH_MAX = 107  # sun_path, less its NUL


class PostgresError(RuntimeError):
    """PostgreSQL is missing, would not start, or its folder is not safe to use; the message is one line."""


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


def data_folder(folder: Path) -> Path:
    """Where a persistent cluster meant for `folder` lives: there, or as root, when the postgres user cannot reach it,
    in /var/tmp under a name derived from it."""
    folder = folder.resolve()
    if os.geteuid() == 0 and not _owner_can_reach(folder):
        digest = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
        return Path("/var/tmp") / f"cueflow-pg-{digest}"
    return folder


def _cluster_user() -> pwd.struct_passwd:
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())


def _private_folder(folder: Path) -> None:
    """Create `folder` (0700), or accept an existing one only when it is a real folder that this user or the cluster's
    user owns and nobody else can write. /var/tmp is everybody's: a folder or symlink planted at the name is refused."""
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = folder.lstat()
    owners = {os.geteuid(), _cluster_user().pw_uid}
    if not stat.S_ISDIR(info.st_mode) or info.st_uid not in owners or info.st_mode & 0o022:
        raise PostgresError(
            f"{folder} is not a private folder of this user (owner uid {info.st_uid}, mode {stat.filemode(info.st_mode)}):"
            " remove it, or set CUEFLOW_HOME"
        )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]
    except OSError:
        return False


# Run by the cluster's superuser after each start: the application's role and database, and the ownership of what an
# older cueflow created as the superuser (its tables, sequences, types and functions; an extension's stay as they are).
_ROLE_SQL = f"""
SELECT 'CREATE ROLE {APP_ROLE} LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') \\gexec
ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD NULL;
SELECT 'CREATE DATABASE {DATABASE} OWNER {APP_ROLE}'
    WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{DATABASE}') \\gexec
ALTER DATABASE {DATABASE} OWNER TO {APP_ROLE};
REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC;
\\connect {DATABASE}
ALTER SCHEMA public OWNER TO {APP_ROLE};
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT format('ALTER %s %s OWNER TO {APP_ROLE}',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                     WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                      c.oid::regclass) AS command
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner <> '{APP_ROLE}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype IN ('a', 'i', 'e'))
        UNION ALL
        SELECT format('ALTER TYPE %s OWNER TO {APP_ROLE}', t.oid::regtype)
        FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typowner <> '{APP_ROLE}'::regrole
          AND (t.typtype IN ('e', 'd', 'r', 'm')
               OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                          AND d.deptype = 'e')
        UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO {APP_ROLE}', p.oid::regprocedure)
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> '{APP_ROLE}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
    LOOP
        EXECUTE item.command;
    END LOOP;
END
$$;
"""


@dataclass
class PostgresCluster:
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cueflow-pg-")))
    keep: bool = False  # persistent: keep the data on stop, fsync on
    socket_dir: Path = field(init=False)  # base/socket, or a short private folder when that path is too long for one
    stopped_orphan: int | None = None  # set by start(): the pid of a postmaster an earlier run left behind, stopped

    def __post_init__(self) -> None:
        self.socket_dir = self.base / "socket"
        if len(os.fsencode(self.socket_dir / f".s.PGSQL.{PORT}")) > SOCKET_PATH_MAX:  # a deep CUEFLOW_HOME
            self.socket_dir = Path(tempfile.mkdtemp(prefix="cueflow-pgs-"))

    @classmethod
    def persistent(cls, folder: Path) -> "PostgresCluster":
        """A cluster whose data lives in `folder` and survives restarts.

        As root the cluster runs as the postgres user, which often cannot reach `folder` (under /root, or a 0700
        temporary directory): the data then lives in /var/tmp, in a folder named after `folder`.
        """
        folder = data_folder(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        _private_folder(folder)
        return cls(base=folder, keep=True)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL Prefect's server takes in PREFECT_API_DATABASE_CONNECTION_URL: the socket, no password."""
        return f"postgresql+asyncpg://{APP_ROLE}@/{DATABASE}?host={quote(str(self.socket_dir), safe='/')}"

    def _bin(self, name: str) -> str:
        found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
        if not found:
            raise PostgresError(f"PostgreSQL's {name} is missing: install Debian's postgresql package (make system-deps)")
        return str(found[-1])

    def _as_owner(self) -> list[str]:
        # initdb refuses to run as root: run the cluster as the postgres user then.
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([*self._as_owner(), *args], input=stdin, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            detail = " ".join((done.stderr or done.stdout).split())[-300:]
            raise PostgresError(f"PostgreSQL could not start: {Path(args[0]).name} exited {done.returncode}: {detail}")
        return done.stdout

    def _give_to_owner(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = _cluster_user()
            os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)

    def _write_owned(self, path: Path, text: str) -> None:
        """A configuration file in the data folder, readable by the cluster's user only."""
        temporary = path.with_name(f".{path.name}.cueflow")
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        self._give_to_owner(temporary)
        os.replace(temporary, path)

    def _configure(self) -> None:
        """Write who may connect and how, at every start: nothing over TCP, the socket in a 0700 folder, peer only."""
        owner, client = _cluster_user().pw_name, pwd.getpwuid(os.geteuid()).pw_name
        self._write_owned(
            self.data / "pg_hba.conf",
            "# Written by cueflow at each start. Unix socket only; peer: the OS user connecting is the identity.\n"
            f"local  {DATABASE}  {APP_ROLE}  peer  map=cueflow_app\n"
            f"local  all  {ADMIN_ROLE}  peer  map=cueflow_admin\n",
        )
        self._write_owned(
            self.data / "pg_ident.conf",
            f'# Written by cueflow at each start.\ncueflow_app  "{client}"  {APP_ROLE}\ncueflow_admin  "{owner}"  {ADMIN_ROLE}\n',
        )
        settings = {
            "listen_addresses": "''",
            "port": str(PORT),
            "unix_socket_directories": "'" + str(self.socket_dir).replace("'", "''") + "'",
            "unix_socket_permissions": "0700",
            "password_encryption": "'scram-sha-256'",
            "synchronous_commit": "off",  # a crash may lose the last moments of run records, not corrupt them
        }
        if not self.keep:
            settings.update(fsync="off", full_page_writes="off")
        self._write_owned(self.data / "cueflow.conf", "".join(f"{k} = {v}\n" for k, v in settings.items()))
        main = self.data / "postgresql.conf"
        if "include 'cueflow.conf'" not in main.read_text():
            with main.open("a") as handle:  # last, so it wins over anything above it
                handle.write("\n# cueflow's settings (rewritten at each start)\ninclude 'cueflow.conf'\n")

    def running_pid(self) -> int | None:
        """The postmaster's pid when this cluster is running (a stale postmaster.pid does not count)."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if _process_alive(pid) and b"postgres" in command else None

    def start(self) -> None:
        if os.geteuid() == 0:
            self._give_to_owner(self.base)
        fresh = not (self.data / "PG_VERSION").exists()
        if fresh:
            sync = [] if self.keep else ["--no-sync"]
            initdb = [self._bin("initdb"), "-D", str(self.data), "-U", ADMIN_ROLE, "-E", "UTF8", *sync]
            self._run(*initdb, "--auth-local=peer", "--auth-host=reject")
        orphan = self.running_pid()
        if orphan is not None:  # left by a `cueflow server` that was killed: stop it, then start with today's settings
            self._pg_ctl_stop()
            self.stopped_orphan = orphan
        _private_folder(self.socket_dir)
        self._give_to_owner(self.socket_dir)
        self._configure()
        log = self.base / "postgres.log"
        self._run(self._bin("pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "60", "start")
        self._run(self._bin("psql"), *self._connect(ADMIN_ROLE, "postgres"), "-v", "ON_ERROR_STOP=1", "-f", "-", stdin=_ROLE_SQL)

    def _connect(self, role: str, database: str) -> list[str]:
        return ["-X", "-q", "-h", str(self.socket_dir), "-p", str(PORT), "-U", role, "-d", database]

    def query(self, sql: str, database: str = DATABASE, admin: bool = False) -> str:
        """Run one statement: as the application's role from this OS user, or (admin) as the cluster's superuser."""
        command = [self._bin("psql"), *self._connect(ADMIN_ROLE if admin else APP_ROLE, database), "-tAc", sql]
        done = subprocess.run([*self._as_owner(), *command] if admin else command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise PostgresError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def _pg_ctl_stop(self) -> None:
        pid = self.running_pid()
        subprocess.run(
            [*self._as_owner(), self._bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop"],
            capture_output=True,
            timeout=60,
        )
        if pid is not None and _process_alive(pid):  # pg_ctl gave up: the postmaster must not outlive its data
            os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + 10
            while _process_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)

    def stop(self) -> None:
        if self.running_pid() is not None:
            self._pg_ctl_stop()
        if not self.socket_dir.is_relative_to(self.base):
            shutil.rmtree(self.socket_dir, ignore_errors=True)
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)
