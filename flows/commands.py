"""What every `cueflow` subcommand shares: exit codes, the one-line error, argument types, the plug-in list.

flows/cli.py builds the parser from this; the plug-ins (flows/dmx_commands.py, deployments/commands.py) import
only this module, never flows/cli.py, so no module imports the one that imports it.
"""

import argparse
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report it (SIGTERM: 143)
MAX_ERROR_CHARS = 400  # an error quoting input (a 5 MB line) must stay one readable line

# Modules that add subcommands: each has `register(subparsers)`, which adds its parsers and sets
# `handler=<function(args) -> exit code>` on them. They must import nothing heavy at module level.
COMMAND_MODULES = (
    "flows.dmx_commands",
    "flows.rig_commands",
    "flows.export_commands",
    "deployments.commands",
    "flows.clean_command",
)


def fail(message: str, code: int) -> int:
    """Print the one-line error users see, and return the exit code. Never more than one short line."""
    flat = " ".join(str(message).split())
    if len(flat) > MAX_ERROR_CHARS:
        flat = flat[: MAX_ERROR_CHARS - 1] + "…"
    print(f"cueflow: error: {flat}", file=sys.stderr)
    return code


def bounded(convert: Callable[[str], float], kind: str, low: float, high: float, low_open: bool = False) -> Callable[[str], Any]:
    """An argparse type: `convert` the text, then require low <= value <= high (low < value when low_open)."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {kind}: {text!r}") from None
        if not (low < value if low_open else low <= value) or value > high:
            span = f"({low:g}, {high:g}]" if low_open else f"{low:g}..{high:g}"
            raise argparse.ArgumentTypeError(f"must lie within {span}, not {text}")
        return value

    return parse


speed_factor = bounded(float, "a number", 0, 10000, low_open=True)  # --dmx-speed
universe_number = bounded(int, "a whole number", 1, 63999)  # --universe: an OLA universe
