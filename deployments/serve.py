"""`cueflow deploy` and `cueflow serve`: register the deployments, and execute their runs until stopped.

serve runs Prefect's Runner itself rather than `prefect.serve`, to control how it ends:
- Ctrl-C or SIGTERM: pause its deployments (so the schedule does not pile up runs nobody executes), in a few
  seconds at most, and exit;
- the server stops answering: one line and exit 1 within a few seconds (Prefect's own client would retry for
  about 75 s and print a traceback per retry);
- another `cueflow serve` already polls the same deployments: refuse to start (two would split the runs, and
  stopping either would pause both).
"""

import asyncio
import logging
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

from flows.api_access import api_is_up, auth_headers
from flows.entrypoints import INPUT_ROOTS_VAR, OUTPUT_ROOT_VAR

from .definitions import DeploymentSettings, build_deployments, settings_from_server

HEALTH_EVERY = 1.0  # seconds between checks that the server still answers
LOST_AFTER = 3  # failed checks in a row before serve gives up
RECENT_POLL = 15.0  # a deployment polled this recently may have another serve behind it
TIDY_EVERY = 30.0  # seconds between looks for subflows left unfinished by a run that ended


class ServeError(RuntimeError):
    """serve cannot start or went on without its server; the message is the line the user sees."""


def read_deployment(api_url: str, name: str) -> dict[str, Any] | None:
    import httpx

    response = httpx.get(f"{api_url.rstrip('/')}/deployments/name/{quote(name)}", headers=auth_headers(), timeout=10)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.json()


def registered_settings(api_url: str) -> DeploymentSettings | None:
    return settings_from_server(lambda name: read_deployment(api_url, name))


def resolve_settings(api_url: str, **options: Any) -> tuple[DeploymentSettings, list[str]]:
    """What is registered (else the defaults), changed by the options given; and a line per change."""
    stored = registered_settings(api_url)
    base = stored or DeploymentSettings()
    chosen = base.updated(**options)
    changes = []
    if stored is not None:
        for name, before in vars(stored).items():
            after = getattr(chosen, name)
            if after != before:
                changes.append(f"{name.replace('_', ' ')}: {before!r} -> {after!r}")
    return chosen, changes


def register(settings: DeploymentSettings) -> list[str]:
    """Create or update every deployment on the server at PREFECT_API_URL; returns their names."""
    names = []
    for deployment in build_deployments(settings):
        deployment.apply()
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names


def set_roots(input_roots: list[str], output_root: str | None) -> tuple[list[Path], Path]:
    """Fix the parameter roots for this process and the runs it starts (they inherit the environment)."""
    if input_roots:
        os.environ[INPUT_ROOTS_VAR] = os.pathsep.join(str(Path(p).expanduser().resolve()) for p in input_roots)
    if output_root:
        os.environ[OUTPUT_ROOT_VAR] = str(Path(output_root).expanduser().resolve())
    from flows.entrypoints import input_roots as current_inputs
    from flows.entrypoints import output_root as current_output

    os.environ[INPUT_ROOTS_VAR] = os.pathsep.join(str(p) for p in current_inputs())
    os.environ[OUTPUT_ROOT_VAR] = str(current_output())
    return current_inputs(), current_output()


def _polled(deployment: dict[str, Any] | None) -> datetime | None:
    stamp = (deployment or {}).get("last_polled")
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def check_not_served(api_url: str, names: list[str]) -> None:
    """Refuse when another serve polls any of these deployments now (its polls keep moving last_polled on)."""
    recent = {}
    for name in names:
        polled = _polled(read_deployment(api_url, name))
        if polled and (datetime.now(UTC) - polled).total_seconds() < RECENT_POLL:
            recent[name] = polled
    if not recent:
        return
    time.sleep(3)  # a live serve polls every second (PREFECT_RUNNER_POLL_FREQUENCY=1)
    for name, before in recent.items():
        after = _polled(read_deployment(api_url, name))
        if after and after > before:
            raise ServeError(f"{name} is already served by another `cueflow serve` (it polled just now): stop that one first")


async def _watch_server(api_url: str, lost: asyncio.Event) -> None:
    import httpx

    failures = 0
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            await asyncio.sleep(HEALTH_EVERY)
            try:
                ok = (await client.get(f"{api_url.rstrip('/')}/health")).status_code == 200
            except httpx.HTTPError:
                ok = False
            failures = 0 if ok else failures + 1
            if failures >= LOST_AFTER:
                lost.set()
                return


async def _serve(deployments: list[Any], limit: int, api_url: str) -> bool:
    """Serve until cancelled (Ctrl-C, SIGTERM) or the server is lost; returns whether it was lost."""
    from prefect.runner import Runner

    # Its websocket drops whenever the server restarts or goes; it then polls, so the traceback it logs is noise.
    logging.getLogger("prefect.FlowRunCancellingObserver").setLevel(logging.ERROR)
    runner = Runner(limit=limit, pause_on_shutdown=False)
    # Prefect's runner answers SIGTERM by cancelling its runs (they ended Cancelled, with tracebacks); serve stops
    # on SIGTERM as on Ctrl-C instead: its runs are stopped and marked Crashed, their subflows with them.
    runner.handle_sigterm = _sigterm_as_ctrl_c  # type: ignore[method-assign]
    signal.signal(signal.SIGTERM, _sigterm_as_ctrl_c)  # the runner installs it only once started: also while registering
    for deployment in deployments:
        await runner.add_deployment(deployment)
    lost = asyncio.Event()
    serving = asyncio.create_task(runner.start())
    watching = asyncio.create_task(_watch_server(api_url, lost))
    tidying = asyncio.create_task(_end_stranded_subflows_every(TIDY_EVERY))
    try:
        await asyncio.wait({serving, watching}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if lost.is_set():
            # Prefect's client would now retry each call for about a minute and log a traceback per retry.
            logging.getLogger("prefect").setLevel(logging.CRITICAL + 1)
        for task in (serving, watching, tidying):
            task.cancel()
        await asyncio.wait({serving, watching, tidying}, timeout=5)
    return lost.is_set()


def _sigterm_as_ctrl_c(*args: object) -> None:
    os.kill(os.getpid(), signal.SIGINT)


async def _end_stranded_subflows_every(seconds: float) -> None:
    """While serving: subflows of runs that ended (a cancel from the UI, a crash) do not stay Running."""
    from prefect.client.orchestration import get_client

    from flows.run_records import end_stranded_subflows

    def tidy() -> None:
        with get_client(sync_client=True) as client:
            end_stranded_subflows(client)

    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(tidy)
        except Exception:  # the server restarting, say: the next round, or serve's stop, tidies up
            continue


def _deployment_ids(api_url: str, names: list[str]) -> list[UUID]:
    return [UUID(found["id"]) for name in names if (found := read_deployment(api_url, name))]


def _pause(api_url: str, names: list[str]) -> None:
    """Pause the deployments (no scheduled runs pile up while nothing serves them); skipped if the server is gone."""
    import httpx

    if not api_is_up(api_url, timeout=2):
        return
    for name in names:
        found = read_deployment(api_url, name)
        if found:
            httpx.post(f"{api_url.rstrip('/')}/deployments/{found['id']}/pause_deployment", headers=auth_headers(), timeout=5)


def serve_forever(settings: DeploymentSettings, limit: int, api_url: str) -> None:
    """Register the deployments and run their triggered and scheduled runs until interrupted.

    PREFECT_RUNNER_POLL_FREQUENCY must be set before Prefect loads: deployments.commands does it.
    Raises ServeError when the server is lost.
    """
    from flows.run_records import SERVE_PID_VAR, settle_runs

    deployments = build_deployments(settings)
    names = [f"{d.flow_name}/{d.name}" for d in deployments]
    check_not_served(api_url, names)
    os.environ[SERVE_PID_VAR] = str(os.getpid())  # the runs it starts carry it: how serve finds their processes
    marked, ended = settle_runs(_deployment_ids(api_url, names), "its process was gone when `cueflow serve` started")
    if marked or ended:
        print(f"cueflow: marked {len(marked)} run(s) Crashed whose process was gone, and ended {len(ended)} subflow(s)",
              file=sys.stderr)  # fmt: skip
    print(f"cueflow: serving {', '.join(names)}; Ctrl-C stops", file=sys.stderr)
    lost = False
    try:
        lost = asyncio.run(_serve(deployments, limit, api_url))
    except KeyboardInterrupt:
        pass
    finally:
        if not lost:
            reason = "`cueflow serve` stopped while it ran"
            marked, ended = settle_runs(_deployment_ids(api_url, names), reason, stopping_serve_pid=os.getpid())
            if marked or ended:
                print(f"cueflow: marked {len(marked)} unfinished run(s) Crashed, and ended {len(ended)} subflow(s)",
                      file=sys.stderr)  # fmt: skip
    if lost:
        raise ServeError(f"the Prefect server at {api_url} stopped answering; serve stopped (restart the server, then serve)")
    _pause(api_url, names)
    print(f"cueflow: stopped serving; {', '.join(names)} paused until the next `cueflow serve`", file=sys.stderr)
