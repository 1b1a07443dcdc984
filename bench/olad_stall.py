"""How long after olad is SIGSTOPped mid-show the player reports it (the promise: within 2 s). Needs olad.

PYTHONPATH=. .venv/bin/python -m bench.olad_stall [RUNS]
"""

import os
import signal
import statistics
import sys

from phases.hardware.player import wait_for_blackouts
from tests.ola_server import OladServer
from tests.test_olad_stall import PORT, _lit_channels, _play_until_stalled


def main(runs: int) -> None:
    delays, dark = [], 0
    for _ in range(runs):
        with OladServer(port=PORT) as olad:
            _, after = _play_until_stalled(olad)
            delays.append(after)
            os.kill(olad.process.pid, signal.SIGCONT)
            wait_for_blackouts(10)
            dark += _lit_channels() == 0
    print(f"error after SIGSTOP: median {statistics.median(delays):.3f} s, max {max(delays):.3f} s over {runs} runs")
    print(f"stage dark after resume: {dark} of {runs}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
