"""How `cueflow run`, `batch` and `play` end on Ctrl-C or SIGTERM: at once, dark, with one line.

Left to Prefect, Ctrl-C took up to 72 s while its event and log workers retried a server that was already
gone, and SIGTERM once ended in exit 0. Here either signal: stops any DMX playback (the player blacks out
and says whether it landed), stops the ephemeral Prefect server, prints `cueflow: interrupted` (SIGINT) or
`cueflow: terminated` (SIGTERM), and exits 130 or 143. A second signal exits at once.
"""

import os
import signal
import sys
import threading
from types import FrameType
from typing import NoReturn

from .server_guard import stop_ephemeral_servers

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
WORDS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
BLACKOUT_WAIT = 3.0  # seconds for a playing show to black out before the process goes


class Interrupted(BaseException):
    """Raised in the main thread when it is the one playing DMX, so the player's own blackout runs first."""

    def __init__(self, signum: int) -> None:
        super().__init__(WORDS.get(signum, "interrupted"))
        self.signum = signum


_stopping = False


def install() -> dict[int, object]:
    """For a CLI process only (a served run: install_in_served_run). Returns the handlers it replaced, for restore()."""
    return {signum: signal.signal(signum, _handle) for signum in EXIT_CODES}


def install_in_served_run() -> None:
    """In a served run's process (started by `cueflow serve`'s runner), on import of the deployments' flows.

    SIGTERM (serve stopping, or a cancel from the UI, which Prefect's runner delivers as SIGTERM after its cancel
    intent) ends the run as it ends a CLI run: a playing show blacks out, one line, exit 143. Left to Prefect, it
    printed a traceback per task and subflow in flight onto serve's terminal. The runner then records the run
    Cancelled (a cancel it asked for) or serve marks it Crashed, and serve ends its subflows with it
    (flows/run_records.py). Ctrl-C stays Prefect's: the flow is cancelled, and the DMX task blacks out on that.
    Elsewhere (a CLI process, a test) it does nothing."""
    from .run_records import RUN_ID_VAR, SERVE_PID_VAR

    if os.environ.get(SERVE_PID_VAR) and os.environ.get(RUN_ID_VAR):
        keep_sigterm_in_flow_runs()


def restore(previous: dict[int, object]) -> None:
    """Put back the handlers install() replaced (main() called in-process, by a test or a notebook)."""
    global _stopping
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
    _stopping = False


def keep_sigterm_in_flow_runs() -> None:
    """Call before a flow runs in this (CLI) process; it imports Prefect."""
    # Prefect 3.9's flow engine swaps SIGTERM to its `_prefect_sigterm_handler` for the length of a flow run
    # (prefect/utilities/engine: capture_sigterm), which raised TerminationSignal inside the event loop: exit 1
    # with three tracebacks. capture_sigterm looks the handler up by name at each run, so it installs ours.
    from prefect.utilities import engine

    engine._prefect_sigterm_handler = _handle  # type: ignore[assignment]


def _handle(signum: int, frame: FrameType | None) -> None:
    global _stopping
    if _stopping:
        os._exit(EXIT_CODES.get(signal.Signals(signum), 1))
    _stopping = True
    player = sys.modules.get("phases.hardware.player")
    if player is not None and player.playing_on_thread(threading.main_thread()):
        raise Interrupted(signum)
    finish(signum)


def finish(signum: int) -> NoReturn:
    """Never returns, whatever fails on the way: an exception raised in a signal handler would surface inside
    whatever Prefect code was running, which may swallow it and carry on (a SIGINT once ended in exit 0)."""
    code = EXIT_CODES.get(signal.Signals(signum), 1)
    try:
        player = sys.modules.get("phases.hardware.player")
        if player is not None:
            player.stop_all(BLACKOUT_WAIT)
            player.wait_for_blackouts(BLACKOUT_WAIT)
        print(f"cueflow: {WORDS.get(signal.Signals(signum), 'interrupted')}", file=sys.stderr, flush=True)
        writing = sys.modules.get("phases.atomic_file")
        if writing is not None:  # os._exit skips the writers' own cleanup: no half-written .tmp stays behind
            writing.remove_unfinished()
        stop_ephemeral_servers()
        sys.stdout.flush()
    finally:
        os._exit(code)
