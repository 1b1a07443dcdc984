"""Issue 23: the private PostgreSQL behind `cueflow server` is its owner's alone. A real `cueflow server` on its real
cluster; another local user (nobody) tries the socket and TCP; the application's role tries to run a program."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from deployments.postgres_cluster import APP_ROLE, PORT, PostgresCluster, PostgresError, data_folder

from .prefect_stack import PrefectStack

pytestmark = pytest.mark.prefect
NEVER = "0 0 1 1 *"


def _psql() -> str:
    return str(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), key=lambda p: int(p.parts[-3]))[-1])


def _as_nobody(*command: str) -> subprocess.CompletedProcess[str]:
    """A command run as another local user: `nobody`, no groups (root runs the tests; setpriv drops to nobody)."""
    if os.geteuid() != 0:
        pytest.fail("this test switches to the `nobody` user: run it as root (CI does)")
    setpriv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--reset-env"]
    return subprocess.run([*setpriv, *command], capture_output=True, text=True, timeout=30, cwd="/")


def _listening_tcp(pid: int) -> list[str]:
    """The TCP sockets process `pid` listens on, from /proc (no tool to trust)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                listening.append(fields[1])
    return listening


def _psql_as_nobody(host: str, port: int, role: str = "postgres", sql: str = "select 1") -> subprocess.CompletedProcess[str]:
    return _as_nobody(_psql(), "-X", "-h", host, "-p", str(port), "-U", role, "-d", "prefect", "-tAc", sql)


@pytest.fixture(scope="module")
def stack():
    stack = PrefectStack(Path(tempfile.mkdtemp(prefix="cueflow-pgpriv-")))
    stack.start()  # `cueflow server` with its default database: the private cluster
    yield stack
    stack.remove()


def test_the_server_runs_on_the_private_cluster_through_its_socket_only(stack):
    cluster = stack.private_cluster()
    assert f"private PostgreSQL in {cluster.base}" in (stack.base / "server.log").read_text()
    done = stack.cueflow("deploy", "--cron", NEVER)
    assert done.returncode == 0, done.stderr
    assert "on-demand" in cluster.query("select name from deployment").split()  # Prefect wrote it through the socket
    postmaster = cluster.running_pid()
    assert postmaster is not None and _listening_tcp(postmaster) == []
    assert cluster.query("show listen_addresses", admin=True) == ""
    assert oct(cluster.socket_dir.stat().st_mode & 0o777) == "0o700"
    # The Prefect server's database URL names the socket's folder and the application's role, and holds no password.
    url = f"PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://{APP_ROLE}@/prefect?host={cluster.socket_dir}"
    assert any(url.encode() in _environment(pid).split(b"\0") for pid in os.listdir("/proc") if pid.isdigit())


def _environment(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def test_another_local_user_cannot_connect(stack):
    cluster = stack.private_cluster()
    for role in ("postgres", APP_ROLE):
        over_socket = _psql_as_nobody(str(cluster.socket_dir), PORT, role)
        assert over_socket.returncode != 0 and "Permission denied" in over_socket.stderr, over_socket
    over_tcp = _psql_as_nobody("127.0.0.1", PORT)
    assert over_tcp.returncode != 0 and "Connection refused" in over_tcp.stderr, over_tcp


def test_the_application_role_is_no_superuser_and_owns_only_its_database(stack):
    cluster = stack.private_cluster()
    assert cluster.query("select current_user") == APP_ROLE
    attributes = "rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
    assert cluster.query(f"select {attributes} from pg_roles where rolname = current_user") == "f|f|f|f|f"
    assert cluster.query("select count(*) from pg_auth_members where member = current_user::regrole") == "0"
    assert cluster.query("select string_agg(datname, ',') from pg_database where datdba = current_user::regrole") == "prefect"
    with pytest.raises(PostgresError, match="must be superuser or have privileges of the pg_execute_server_program"):
        cluster.query("copy (select 1) to program 'id > /tmp/cueflow-pwned'")
    with pytest.raises(PostgresError, match="permission denied"):
        cluster.query("select pg_read_file('/etc/passwd')")
    assert not Path("/tmp/cueflow-pwned").exists()


def test_a_cluster_an_older_cueflow_made_is_closed_at_its_next_start():
    """An older cueflow made the cluster with trust for everyone, a TCP listener and the superuser owning the data;
    and a killed server left it running."""
    cluster = PostgresCluster()
    old_port = PORT + 1
    try:
        cluster.start()
        cluster.query("create table old_runs (id serial primary key, note text)")
        cluster._pg_ctl_stop()
        (cluster.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        main = cluster.data / "postgresql.conf"
        main.write_text(main.read_text().replace("include 'cueflow.conf'", "") + "listen_addresses = '127.0.0.1'\n")
        (cluster.data / "cueflow.conf").unlink()
        options = f"-p {old_port} -k {cluster.socket_dir}"
        log = str(cluster.base / "postgres.log")
        cluster._run(cluster._bin("pg_ctl"), "-D", str(cluster.data), "-l", log, "-o", options, "-w", "start")
        take_over = "alter database prefect owner to postgres; alter table old_runs owner to postgres"
        trusting = _psql_as_nobody("127.0.0.1", old_port, sql=take_over)
        assert trusting.returncode == 0, trusting.stderr  # the hole, as it was

        cluster.start()  # finds the old postmaster still running, stops it, and closes everything
        assert cluster.stopped_orphan is not None and cluster.running_pid() not in (None, cluster.stopped_orphan)
        refused = _psql_as_nobody("127.0.0.1", old_port)
        assert refused.returncode != 0 and "Connection refused" in refused.stderr
        assert _listening_tcp(cluster.running_pid()) == []
        owners = "select string_agg(distinct pg_get_userbyid(relowner), ',') from pg_class"
        assert cluster.query(f"{owners} where relnamespace = 'public'::regnamespace") == APP_ROLE
        assert cluster.query("select pg_get_userbyid(datdba) from pg_database where datname = 'prefect'") == APP_ROLE
        cluster.query("insert into old_runs (note) values ('still writable')")
    finally:
        cluster.stop()


def test_a_folder_planted_where_the_cluster_would_live_is_refused(tmp_path):
    """As root the data of a home the postgres user cannot reach lives in /var/tmp, which everybody can write."""
    home = tmp_path / "home" / "server" / "postgres"
    target = data_folder(home)
    assert target.parent == Path("/var/tmp")  # tmp_path is 0700, so the postgres user cannot reach it
    try:
        target.mkdir(mode=0o700)
        os.chown(target, 65534, 65534)  # made by nobody before the first `cueflow server`
        with pytest.raises(PostgresError, match="not a private folder"):
            PostgresCluster.persistent(home)
        target.rmdir()
        target.symlink_to(tmp_path)
        with pytest.raises(PostgresError, match="not a private folder"):
            PostgresCluster.persistent(home)
    finally:
        if target.is_symlink():
            target.unlink()
        else:
            shutil.rmtree(target, ignore_errors=True)
