"""`cueflow deploy` and `cueflow serve`: register the deployments, and execute their runs until stopped."""

import os
import sys
from pathlib import Path

from flows.entrypoints import INPUT_ROOTS_VAR, OUTPUT_ROOT_VAR

from .definitions import DeploymentSettings, build_deployments


def api_is_up(api_url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def api_accepts_us(api_url: str) -> bool:
    """False when the server wants basic auth and PREFECT_API_AUTH_STRING is missing or wrong (/health is open)."""
    import base64

    import httpx

    headers = {}
    credential = os.environ.get("PREFECT_API_AUTH_STRING")
    if credential:
        headers["Authorization"] = "Basic " + base64.b64encode(credential.encode()).decode()
    try:
        return httpx.get(f"{api_url.rstrip('/')}/admin/version", headers=headers, timeout=5).status_code != 401
    except httpx.HTTPError:
        return True  # not an auth problem; the real call reports it


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


def serve_forever(settings: DeploymentSettings, limit: int) -> None:
    """Register the deployments and run their triggered and scheduled runs until interrupted.

    PREFECT_RUNNER_POLL_FREQUENCY must be set before Prefect loads: deployments.commands does it.
    """
    from prefect import serve

    from flows.run_records import SERVE_PID_VAR, crash_orphaned_runs

    os.environ[SERVE_PID_VAR] = str(os.getpid())  # the runs it starts record their process under it
    marked = crash_orphaned_runs("its process was gone when `cueflow serve` started")
    if marked:
        print(f"cueflow: marked {len(marked)} run(s) Crashed whose process had died", file=sys.stderr)
    deployments = build_deployments(settings)
    names = ", ".join(f"{d.flow_name}/{d.name}" for d in deployments)
    print(f"cueflow: serving {names}; Ctrl-C stops", file=sys.stderr)
    try:
        serve(*deployments, limit=limit, print_starting_message=False)
    finally:
        marked = crash_orphaned_runs("`cueflow serve` stopped while it ran", stopping_serve_pid=os.getpid())
        if marked:
            print(f"cueflow: marked {len(marked)} unfinished run(s) Crashed", file=sys.stderr)
