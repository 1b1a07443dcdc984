"""Prefect settings this project needs for sane speed on small machines, applied before Prefect loads.

Every value is a default: a variable the user has already set wins. See ../shared/notes/prefect.md
(in the repository's development notes) for the measurements behind each one.
"""

import os
from pathlib import Path

SERVER_DEFAULTS = {
    # Telemetry off: on a fresh database the analytics heartbeat also logged "database is locked".
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Batch task-run state writes: the default batch of one is the biggest source of SQLite lock
    # back-offs (503s with 2-16 s client sleeps) and costs ~25 ms per subflow even on PostgreSQL.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    # Services cueflow does not use, each of which competes for the SQLite write lock.
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_ACTIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    # Fresh databases run migrations first: 7-8 s here, more on a loaded CI machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}

CLIENT_DEFAULTS = {
    # The default thread pool has no bound (500 mapped tasks made ~200 threads).
    "PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS": "4",
    # Task results live in the returned PipelineResult and output files; persisting each costs I/O.
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "PREFECT_CLIENT_CSRF_SUPPORT_ENABLED": "false",
}

# Ephemeral (laptop) runs: the server lives only as long as the run. Nothing reads the event feed, logs go to
# the terminal, and nothing is scheduled, so the background services only compete for SQLite's write lock.
# Flushing task-run states every 10 s instead of every second cut the 503 back-offs on Macbeth from 7 to 1.
EPHEMERAL_DEFAULTS = {
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "10",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "2000",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}

# A resident `cueflow server` on SQLite runs with the laptop's settings: the ephemeral server's, except the
# scheduler, which deployments' cron schedules need. Events stay in memory, task-run states are written in large
# batches every 10 s, and the periodic services that write (late runs, foreman, repossessor...) are off: each
# competes for SQLite's one writer. As shipped before, with Prefect's defaults there and 4 scenes in flight, a
# Macbeth run got 16 503s (each a 2 s back-off in the client).
SQLITE_SERVER_DEFAULTS = {
    key: value
    for key, value in EPHEMERAL_DEFAULTS.items()
    if key.startswith("PREFECT_SERVER_SERVICES_") and key != "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"
}


# Scene subflows in flight when the config leaves it blank. On a Prefect server, 4 overlap this process's work
# with the server's (Macbeth in-process on PostgreSQL: 8.5 s at 1, 7.2 s at 4). On SQLite that holds only where
# writers wait for the lock (flows/sqlite_writes.py, in the servers cueflow starts: Macbeth on a resident SQLite
# server 8.1 s at 1, 7.2 s at 4). Prefect's own ephemeral server answers colliding writes with 503s and 2 s
# back-offs (11.4-16.5 s at 4), so a run it serves goes one scene at a time.
SERVER_SCENE_CONCURRENCY = 4
EPHEMERAL_SCENE_CONCURRENCY = 1


# Which server PREFECT_API_URL points at when `cueflow` chose it: "ephemeral" (its own, started for the run) or
# "local-sqlite" / "local-postgresql" (a resident `cueflow server` it found). Unset: the user's choice, or none.
SERVER_KIND_VAR = "CUEFLOW_PREFECT_SERVER"


def default_scene_concurrency() -> int:
    if not os.environ.get("PREFECT_API_URL"):
        return EPHEMERAL_SCENE_CONCURRENCY  # Prefect's own ephemeral server (in-process callers): one writer
    return SERVER_SCENE_CONCURRENCY


def on_ephemeral_server() -> bool:
    """True when this run's server lives only as long as it (Prefect's own or the one `cueflow` started)."""
    return not os.environ.get("PREFECT_API_URL") or os.environ.get(SERVER_KIND_VAR) == "ephemeral"


def startup_timeout() -> float:
    """Seconds to wait for a starting ephemeral server (migrations on a fresh database take longest)."""
    try:
        return float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
    except ValueError:
        return 120.0


def cueflow_home() -> Path:
    return Path(os.environ.get("CUEFLOW_HOME", Path.home() / ".cueflow")).expanduser()


def configure_prefect(ephemeral: bool | None = None) -> None:
    """Set the defaults. Must run before `import prefect`; flows/__init__.py calls it first."""
    if ephemeral is None:
        ephemeral = not os.environ.get("PREFECT_API_URL")
    ours = "PREFECT_HOME" not in os.environ
    os.environ.setdefault("PREFECT_HOME", str(cueflow_home() / "prefect"))
    home = Path(os.environ["PREFECT_HOME"]).expanduser()
    if ours or not home.exists():  # its database holds every run's parameters; another's folder is left as is
        _owner_only(home)
    home.mkdir(parents=True, exist_ok=True)
    _owner_only(home / "storage")  # the per-scene cache: cloudpickled scenes, their text included
    defaults = {**SERVER_DEFAULTS, **CLIENT_DEFAULTS, **(EPHEMERAL_DEFAULTS if ephemeral else {})}
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def _owner_only(folder: Path) -> None:
    """Create the folder for its owner alone (0700), or tighten one we own; another user's folder is left as is."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    except OSError:
        pass
