"""The process `cueflow server` runs: Prefect's own `prefect server start`, with two things added.

- It ends with the `cueflow server` that started it. A SIGKILLed `cueflow server` left `prefect server start`
  answering for good (reparented to pid 1) and its PostgreSQL cluster running; the next start then found the
  database busy. Here a thread watches the parent's pid; when the parent is gone the server shuts down, and stops the
  private cluster it was given ($CUEFLOW_SERVER_POSTGRES) too, since nobody else will.
- Request bodies holding a NUL character (`\\u0000` in JSON) are refused with 422 naming the field. PostgreSQL
  cannot store NUL in text or jsonb; Prefect 3.9 turns that database error into 503 "Service Unavailable", and its
  client retries a 503, so a NUL in a deployment parameter made `prefect deployment run` retry for minutes.

    python -m deployments.api_server HOST PORT
"""

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

PARENT_VAR = "CUEFLOW_SERVER_PARENT"  # the `cueflow server` pid this server belongs to
POSTGRES_VAR = "CUEFLOW_SERVER_POSTGRES"  # the private cluster's folder, stopped with the server when orphaned
DATABASE_VAR = "CUEFLOW_SERVER_DATABASE"  # which database this server serves: how the next start finds an orphan
SHUTDOWN_GRACE = 15.0  # seconds for a graceful stop before the process goes anyway

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def nul_field(body: bytes) -> str | None:
    """Where the first NUL character sits in a JSON body (`parameters.script_path`), or None."""
    if b"\\u0000" not in body:  # a raw NUL byte is invalid JSON, which the API refuses by itself
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str) and "\0" in value:
            return where or "the body"
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                if "\0" in str(key):
                    return name.replace("\0", "\\u0000")
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return None


def refuse_nul(app: App) -> App:
    """An ASGI wrapper answering 422 to a request whose JSON body holds a NUL character anywhere."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await app(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        where = nul_field(body)
        if where is not None:
            detail = f"{where}: a NUL character (\\u0000) is not allowed (PostgreSQL cannot store it)"
            payload = json.dumps({"detail": detail}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
            await send({"type": "http.response.start", "status": 422, "headers": headers})
            await send({"type": "http.response.body", "body": payload})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await app(scope, replay, send)

    return guarded


def _stop_private_cluster() -> None:
    folder = os.environ.get(POSTGRES_VAR)
    if folder:
        from .postgres_cluster import PostgresCluster

        PostgresCluster(base=Path(folder), keep=True).stop()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn shuts down cleanly on SIGTERM
    time.sleep(SHUTDOWN_GRACE)
    _stop_private_cluster()
    os._exit(1)


def main(host: str, port: int) -> int:
    parent = int(os.environ.get(PARENT_VAR) or os.getppid())
    if os.getppid() != parent:  # the parent was gone before this process could watch it
        _stop_private_cluster()
        return 1
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="cueflow-parent-watch").start()
    from prefect.cli import app as prefect_cli
    from prefect.server.api import server

    from flows.sqlite_writes import serialise_sqlite_writes

    serialise_sqlite_writes()  # on SQLite, concurrent writers wait for the lock instead of answering 503

    create_app = server.create_app

    def guarded_app(*args: Any, **kwargs: Any) -> Any:
        return refuse_nul(create_app(*args, **kwargs))

    server.create_app = guarded_app  # type: ignore[assignment]  # prefect server start looks it up when it starts
    # uvicorn re-raises the SIGTERM it stopped on once it has shut down; by default that ends the process before
    # it could stop the database below.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.argv = ["prefect", "server", "start", "--host", host, "--port", str(port)]
    try:
        prefect_cli()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        code = 0
    else:
        code = 0
    finally:
        if os.getppid() != parent:
            _stop_private_cluster()
    return code


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
