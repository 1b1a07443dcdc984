"""A real olad for tests: the Dummy plugin only, a private config dir, no HTTP, on 127.0.0.1:9010.

Started as the `olad` user when the tests run as root (olad refuses root). Raises RuntimeError (so the
test fails, never skips) when olad is missing or does not become ready.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PORT = 9010
UNIVERSE = 1
DISABLED_PLUGINS = (
    "artnet e131 espnet ftdidmx gpio karate kinet milinst opendmx openpixelcontrol osc pathport renard sandnet "
    "shownet spi stageprofi uartdmx usbdmx usbserial"
).split()
READY_TIMEOUT = 10.0


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class OladServer:
    def __init__(self, port: int = PORT) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        self.config_dir = Path(tempfile.mkdtemp(prefix="cueflow-olad-"))
        self.log = self.config_dir / "olad.log"

    def _write_config(self) -> None:
        (self.config_dir / "ola-dummy.conf").write_text("enabled = true\n")
        for plugin in DISABLED_PLUGINS:
            (self.config_dir / f"ola-{plugin}.conf").write_text("enabled = false\n")
        (self.config_dir / "ola-port.conf").write_text(f"1-1-O-0 = {UNIVERSE}\n")
        if os.geteuid() == 0:
            olad = pwd.getpwnam("olad")
            for path in [self.config_dir, *self.config_dir.iterdir()]:
                os.chown(path, olad.pw_uid, olad.pw_gid)

    def start(self) -> "OladServer":
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> "OladServer":
        binary = shutil.which("olad")
        if binary is None:
            raise RuntimeError("olad is not installed: `make system-deps` installs ola and ola-python")
        if _port_open(self.port):
            raise RuntimeError(f"something already listens on 127.0.0.1:{self.port}; stop it before the OLA tests")
        self._write_config()
        command = [
            binary,
            "--config-dir",
            str(self.config_dir),
            "--no-http",
            "--no-register-with-dns-sd",
            "--log-level",
            "2",
            "--rpc-port",
            str(self.port),
        ]
        if os.geteuid() == 0:
            command = ["setpriv", "--reuid=olad", "--regid=nogroup", "--init-groups", *command]
        log = self.log.open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"olad exited with {self.process.returncode} at start: {self._tail()}")
            if _port_open(self.port) and self._universe_listed():
                return self
            time.sleep(0.05)
        raise RuntimeError(f"olad did not become ready within {READY_TIMEOUT:g} s: {self._tail()}")

    def _universe_listed(self) -> bool:
        # ola_uni_info talks to the default RPC port only.
        if self.port != PORT:
            return True
        result = subprocess.run(["ola_uni_info", "--list-universe-ids"], capture_output=True, text=True, timeout=5)
        return str(UNIVERSE) in result.stdout.split()

    def _tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-5:])
        except OSError:
            return "(no log)"

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.config_dir, ignore_errors=True)

    def __enter__(self) -> "OladServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
