"""A connection to olad through OLA's Python client, with a timeout on every call.

The client's own ClientWrapper runs timers on wall-clock time and blocks; here the socket is driven
directly: select on it, then let the client read. A closed socket is detected with a peek, because the
Debian client compares recv()'s bytes with '' and never notices the end of the stream on Python 3.
"""

import select
import socket
import time
from array import array
from collections.abc import Callable
from typing import Any

from .errors import PlaybackError


def _client_class() -> Any:
    try:
        from ola.OlaClient import OlaClient
    except ImportError as exc:
        raise PlaybackError(
            f"OLA's Python client is not importable ({exc}); install ola-python with apt and run `make setup`"
        ) from None
    return OlaClient


def _text(message: object) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


class OlaLink:
    def __init__(self, host: str, port: int, connect_timeout: float, call_timeout: float) -> None:
        client_class = _client_class()
        self.where = f"{host}:{port}"
        self.call_timeout = call_timeout
        try:
            self._socket = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise PlaybackError(f"olad is not running on {self.where} ({reason}); start olad and try again") from None
        self._socket.settimeout(call_timeout)
        self._client = client_class(our_socket=self._socket)
        self.closed = False
        self.stalled = False  # olad stopped answering (SIGSTOP, a hung host): the socket is open, replies are not coming

    def _lost(self, why: str) -> PlaybackError:
        self.close()
        return PlaybackError(f"lost the connection to olad on {self.where} ({why})")

    def pump(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for data from olad and hand it to the client."""
        if self.closed:
            raise PlaybackError(f"the connection to olad on {self.where} is closed")
        try:
            ready, _, _ = select.select([self._socket], [], [], max(0.0, timeout))
            if not ready:
                return
            if self._socket.recv(1, socket.MSG_PEEK) == b"":
                raise self._lost("olad closed it")
            self._client.SocketReady()
        except OSError as exc:
            raise self._lost(exc.strerror or type(exc).__name__) from None

    def _call(self, what: str, start: Callable[[Callable[..., None]], bool]) -> tuple[Any, ...]:
        replies: list[tuple[Any, ...]] = []
        try:
            sent = start(lambda *args: replies.append(args))
        except Exception as exc:  # OLADNotRunningException wraps socket errors
            raise self._lost(f"{what}: {type(exc).__name__}") from None
        if not sent:
            raise self._lost(f"{what}: the client has no socket")
        deadline = time.monotonic() + self.call_timeout
        while not replies:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                # Kept open: whatever is queued behind the unanswered call still lands, in order, if olad resumes.
                self.stalled = True
                raise PlaybackError(f"olad on {self.where} did not answer {what} within {self.call_timeout:g} s")
            self.pump(remaining)
        status = replies[0][0]
        if not status.Succeeded():
            raise PlaybackError(f"olad refused {what}: {_text(status.message)}")
        return replies[0]

    def send(self, universe: int, frame: bytes) -> None:
        data = array("B", frame)
        self._call(f"the frame for universe {universe}", lambda done: self._client.SendDmx(universe, data, done))

    def queue(self, universe: int, frame: bytes) -> bool:
        """Write a frame without waiting for olad's answer (for a stalled olad); False when it could not be written."""
        if self.closed:
            return False
        try:
            return bool(self._client.SendDmx(universe, array("B", frame), lambda *args: None))
        except Exception:  # OLADNotRunningException wraps socket errors; best effort only
            return False

    def fetch(self, universe: int) -> bytes:
        reply = self._call(f"the read-back of universe {universe}", lambda done: self._client.FetchDmx(universe, done))
        return bytes(reply[2])

    def register(self, universe: int, on_frame: Callable[[bytes], None]) -> None:
        """Receive every frame olad gets for the universe; the callback runs inside pump()."""
        self._call(
            f"the registration for universe {universe}",
            lambda done: self._client.RegisterUniverse(universe, 1, lambda data: on_frame(bytes(data)), done),
        )

    def close(self) -> None:
        if not self.closed:
            self.real_close()

    def real_close(self) -> None:
        """Close the socket even when `closed` was set by a caller that handed the link over."""
        self.closed = True
        try:
            self._socket.close()
        except OSError:
            pass


def olad_problem(host: str, port: int, timeout: float = 2.0) -> str | None:
    """Why olad at host:port cannot take DMX right now, or None when it answers."""
    try:
        OlaLink(host, port, connect_timeout=timeout, call_timeout=timeout).close()
    except PlaybackError as exc:
        return str(exc)
    return None
