"""A real headless QLC+ with a workspace loaded, and its WebSocket API (ws://127.0.0.1:PORT/qlcplusWS)."""

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import websockets
import websockets.exceptions

START_TIMEOUT = 60.0
T = TypeVar("T")


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run(make()), in a thread of its own when this thread already runs an event loop (Playwright's
    sync API keeps one running in the test's thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class QlcPlus:
    def __init__(self, port: int) -> None:
        self.port = port

    def ask(self, *commands: str) -> list[str]:
        """Send `QLC+API|<command>` for each command; the answers, without the echoed `QLC+API|<name>|`."""

        async def run() -> list[str]:
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/qlcplusWS", open_timeout=10, close_timeout=0.2) as ws:
                answers = []
                for command in commands:
                    await ws.send(f"QLC+API|{command}")
                    name = command.split("|", 1)[0]
                    while True:  # skip widget/state broadcasts
                        reply = str(await asyncio.wait_for(ws.recv(), 10))
                        if reply.startswith(f"QLC+API|{name}|"):
                            answers.append(reply[len(f"QLC+API|{name}|") :])
                            break
                return answers

        return run_async(run)

    def start_function(self, function_id: int, running: bool = True) -> None:
        """Start (or stop) a function; QLC+ sends no answer."""

        async def run() -> None:
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/qlcplusWS", open_timeout=10, close_timeout=0.2) as ws:
                await ws.send(f"QLC+API|setFunctionStatus|{function_id}|{int(running)}")

        run_async(run)

    def press(self, widget_id: int, command: str) -> None:
        """Operate a virtual-console widget as the web remote does: a Cue List's NEXT is its GO."""

        async def run() -> None:
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/qlcplusWS", open_timeout=10, close_timeout=0.2) as ws:
                await ws.send(f"{widget_id}|{command}")

        run_async(run)

    def page(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=10) as response:
            return response.read().decode("utf-8")


@contextmanager
def qlcplus(workspace: Path, operate: bool = False) -> Iterator[QlcPlus]:
    """QLC+ running headless on the workspace until the block ends. A missing QLC+ fails the test.

    operate: start in operate mode, as at a show (virtual-console widgets such as a Cue List's GO only work then).
    """
    binary = shutil.which("qlcplus")
    if binary is None:
        pytest.fail("QLC+ is not installed (apt-get install qlcplus): the export tests need the real program")
    port = _free_port()
    runtime = tempfile.mkdtemp(prefix="qlcplus-run-")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": runtime, "HOME": runtime}
    log = open(Path(runtime) / "qlcplus.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [binary, "-n", "-m", *(["-p"] if operate else []), "-o", str(workspace), "-w", "-wp", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    server = QlcPlus(port)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"QLC+ exited with {process.returncode}: {(Path(runtime) / 'qlcplus.log').read_text()[-2000:]}")
            try:
                server.ask("getFunctionsNumber")  # answers once the web interface is up, after -o has loaded
                break
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"QLC+ did not answer on port {port} within {START_TIMEOUT:.0f} s")
            time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(runtime, ignore_errors=True)
