"""Drive Debian's headless Chromium over the Chrome DevTools Protocol (a websocket), for the preview tests.

No browser download: it runs /usr/bin/chromium (or $CUEFLOW_CHROMIUM) and fails loudly when it is missing.
"""

import base64
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from PIL import Image
from websockets.sync.client import ClientConnection, connect

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--remote-debugging-port=0",
]
START_TIMEOUT = 30.0
CALL_TIMEOUT = 30.0


class BrowserMissingError(RuntimeError):
    pass


def chromium_path() -> str:
    path = os.environ.get("CUEFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not Path(path).exists():
        raise BrowserMissingError("Chromium is not installed: `make system-deps` installs Debian's chromium package")
    return path


class Page:
    """One page target with the Network, Page, Runtime and Log domains on, recording every event."""

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        call_id = self._next_id
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + CALL_TIMEOUT
        while True:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for_event(self, method: str, timeout: float = CALL_TIMEOUT) -> dict[str, Any]:
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message
        raise TimeoutError(f"no {method} event within {timeout} s")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for_event("Page.loadEventFired")

    def screenshot(self) -> Image.Image:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def log_entries(self) -> list[dict[str, Any]]:
        return [e["params"]["entry"] for e in self.events if e["method"] == "Log.entryAdded"]

    def exceptions(self) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e["method"] == "Runtime.exceptionThrown"]


class Chromium:
    """A headless Chromium with a fresh profile; use as a context manager, then open_page()."""

    def __init__(self, width: int = 1400, height: int = 1000) -> None:
        self.width, self.height = width, height
        self._profile = Path(tempfile.mkdtemp(prefix="cueflow-chromium-"))
        self._proc: subprocess.Popen[bytes] | None = None
        self._sockets: list[ClientConnection] = []
        self.port = 0

    def __enter__(self) -> "Chromium":
        args = [chromium_path(), *FLAGS, f"--user-data-dir={self._profile}", f"--window-size={self.width},{self.height}"]
        self._proc = subprocess.Popen([*args, "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        active = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_TIMEOUT
        while not (active.exists() and active.read_text().strip()):
            if self._proc.poll() is not None:
                raise BrowserMissingError(f"Chromium exited at start with code {self._proc.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not open its DevTools port")
            time.sleep(0.05)
        self.port = int(active.read_text().split()[0])
        return self

    def open_page(self) -> Page:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as response:
            targets = json.load(response)
        target = next(t for t in targets if t["type"] == "page")
        ws = connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self._sockets.append(ws)
        page = Page(ws)
        for domain in ("Page", "Network", "Runtime", "Log"):
            page.call(f"{domain}.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height, deviceScaleFactor=1, mobile=False)
        return page

    def __exit__(self, *exc: object) -> None:
        for ws in self._sockets:
            ws.close()
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        shutil.rmtree(self._profile, ignore_errors=True)
