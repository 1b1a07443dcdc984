"""Issue 16: a Phase 8 failure (olad killed mid-show) is one line on the console, with no Prefect traceback
before it unless --debug. Real CLI, real ephemeral Prefect, real olad."""

import time

import pytest

from phases.hardware import OlaLink
from tests.ola_server import OladServer

from .conftest import EXAMPLE
from .test_signals import HANG_GUARD, _start


def _lit(port: int) -> int:
    link = OlaLink("127.0.0.1", port, 2.0, 2.0)
    try:
        return sum(1 for v in link.fetch(1) if v)
    finally:
        link.close()


@pytest.mark.prefect
def test_phase_8_failure_is_one_line_without_a_prefect_traceback(tmp_path):
    with OladServer() as olad:  # `cueflow run --send-dmx` talks to olad's default port
        proc, err = _start(tmp_path, "run", str(EXAMPLE), "--out", str(tmp_path / "out"), "--no-emotion", "--send-dmx")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not _lit(olad.port):
            assert proc.poll() is None, err.read_text()[-2000:]
            time.sleep(0.3)
        olad.kill()
        assert proc.wait(HANG_GUARD) == 1
    text = err.read_text()
    assert "Traceback" not in text and "Task run failed" not in text, text[-3000:]
    errors = [line for line in text.splitlines() if line.startswith("cueflow: error: ")]
    assert len(errors) == 1 and errors[0].startswith("cueflow: error: phase 8 failed: PlaybackError: lost the connection"), text
