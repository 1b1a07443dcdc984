"""Debian's headless Chromium driven by Playwright for Python, for the preview, cue-sheet and UI tests and the benches.

No browser download: Playwright launches /usr/bin/chromium (or $CUEFLOW_CHROMIUM) through `executable_path`, and this
fails loudly when it is missing. One Playwright driver serves the whole process; each `Chromium` is its own browser
with a fresh profile. `Page` keeps the small API the tests were written against (evaluate, goto, screenshot, the
requests, errors and log lines the page made, and raw DevTools calls), with the Playwright page as `page.pw`.
"""

import atexit
import io
import os
import shutil
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Browser, ConsoleMessage, Error, Playwright, Request, sync_playwright
from playwright.sync_api import Page as PlaywrightPage

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    # WebGL without a GPU: ANGLE on SwiftShader, which Chromium no longer falls back to by itself.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
START_TIMEOUT_MS = 30_000
CALL_TIMEOUT_MS = 30_000

_driver: Playwright | None = None
_open_browsers = 0  # the driver stops with the last browser: Playwright's sync API holds an event loop while it runs


class BrowserMissingError(RuntimeError):
    pass


def chromium_path() -> str:
    path = os.environ.get("CUEFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not Path(path).exists():
        raise BrowserMissingError("Chromium is not installed: `make system-deps` installs Debian's chromium package")
    return path


def _playwright() -> Playwright:
    global _driver
    if _driver is None:
        _driver = sync_playwright().start()
        atexit.register(_stop_driver)
    return _driver


def _stop_driver() -> None:
    global _driver
    if _driver is not None:
        _driver.stop()
        _driver = None


def launch(extra_flags: list[str] | None = None) -> Browser:
    """A headless Debian Chromium; close it with `release` when done (`Chromium` does)."""
    global _open_browsers
    flags = [f for f in FLAGS if f not in (extra_flags or [])] + list(extra_flags or [])
    try:
        browser = _playwright().chromium.launch(
            executable_path=chromium_path(), args=flags, headless=True, timeout=START_TIMEOUT_MS, chromium_sandbox=False
        )
    except Error as exc:
        if not _open_browsers:
            _stop_driver()
        raise BrowserMissingError(f"Chromium did not start: {str(exc).splitlines()[0]}") from exc
    _open_browsers += 1
    return browser


def release(browser: Browser) -> None:
    """Close a browser; the last one closed stops the driver, so asyncio.run works again in this process."""
    global _open_browsers
    try:
        browser.close()
    finally:
        _open_browsers -= 1
        if not _open_browsers:
            _stop_driver()


class Page:
    """One tab, recording the requests it made, the exceptions it threw and what it logged."""

    def __init__(self, page: PlaywrightPage) -> None:
        self.pw = page
        self._requests: list[str] = []
        self._exceptions: list[dict[str, Any]] = []
        self._logs: list[dict[str, Any]] = []
        self._cdp: Any = None
        page.set_default_timeout(CALL_TIMEOUT_MS)
        page.on("request", self._on_request)
        page.on("pageerror", lambda error: self._exceptions.append({"message": str(error), "stack": error.stack}))
        page.on("console", self._on_console)

    def _on_request(self, request: Request) -> None:
        self._requests.append(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        level = {"warning": "warning", "error": "error"}.get(message.type, message.type)
        self._logs.append({"level": level, "text": message.text})

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited); a page error raises."""
        return self.pw.evaluate(expression)

    def goto(self, url: str) -> None:
        self._requests.clear()
        self.pw.goto(url, wait_until="load")

    def screenshot(self, **options: Any) -> Image.Image:
        return Image.open(io.BytesIO(self.pw.screenshot(type="png", **options))).convert("RGB")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """A raw Chrome DevTools Protocol call, for what Playwright has no API for."""
        if self._cdp is None:
            self._cdp = self.pw.context.new_cdp_session(self.pw)
        return self._cdp.send(method, params)  # type: ignore[no-any-return]

    def requests(self) -> list[str]:
        return list(self._requests)

    def log_entries(self) -> list[dict[str, Any]]:
        return list(self._logs)

    def exceptions(self) -> list[dict[str, Any]]:
        return list(self._exceptions)


class Chromium:
    """A headless Chromium; use as a context manager, then open_page() for a tab of width x height CSS pixels."""

    def __init__(self, width: int = 1400, height: int = 1000, extra_flags: list[str] | None = None) -> None:
        self.width, self.height = width, height
        self.extra_flags = extra_flags
        self.browser: Browser | None = None

    def __enter__(self) -> "Chromium":
        self.browser = launch(self.extra_flags)
        return self

    def open_page(self) -> Page:
        assert self.browser is not None, "use Chromium as a context manager"
        context = self.browser.new_context(viewport={"width": self.width, "height": self.height}, device_scale_factor=1)
        return Page(context.new_page())

    def __exit__(self, *exc: object) -> None:
        if self.browser is not None:
            release(self.browser)
            self.browser = None
