"""Whether the Prefect server at PREFECT_API_URL answers, and accepts our credential, found before Prefect loads.

Without this, `cueflow run`, `batch` or `clean` against a server that wants basic auth died in a 401 traceback deep
inside Prefect's client. Every command that talks to the server asks here first and gives one line instead.
Plain httpx: importing Prefect costs seconds.
"""

import base64
import os

from .commands import EXIT_BAD_INPUT, EXIT_FAILED

AUTH_VAR = "PREFECT_API_AUTH_STRING"  # Prefect 3.9's client credential (user:password)


def api_url() -> str | None:
    url = os.environ.get("PREFECT_API_URL")
    return url.rstrip("/") if url else None


def auth_headers() -> dict[str, str]:
    """Basic auth for cueflow's own calls to the API, from PREFECT_API_AUTH_STRING (as Prefect's client does)."""
    credential = os.environ.get(AUTH_VAR)
    return {"Authorization": "Basic " + base64.b64encode(credential.encode()).decode()} if credential else {}


def api_is_up(url: str, timeout: float = 5) -> bool:
    import httpx

    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def api_accepts_us(url: str) -> bool:
    """False when the server wants basic auth and PREFECT_API_AUTH_STRING is missing or wrong (/health is open)."""
    import httpx

    try:
        return httpx.get(f"{url.rstrip('/')}/admin/version", headers=auth_headers(), timeout=5).status_code != 401
    except httpx.HTTPError:
        return True  # not an auth problem; the real call reports it


def server_problem(url: str) -> tuple[str, int] | None:
    """The one line and exit code when the server is not there or refuses us; None when it is fine."""
    if not api_is_up(url):
        return f"no Prefect server answers at {url}: start it with `cueflow server`, or unset PREFECT_API_URL", EXIT_FAILED
    if not api_accepts_us(url):
        return (
            f"the Prefect server at {url} refused our credentials (HTTP 401): set PREFECT_API_AUTH_STRING to the"
            " server's user:password (`cueflow deploy` and `serve` also take --auth-string-env VAR)",
            EXIT_BAD_INPUT,
        )
    return None
