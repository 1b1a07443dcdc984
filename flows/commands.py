"""What every `cueflow` subcommand shares: exit codes, the one-line error, argument types, the plug-in list.

flows/cli.py builds the parser from this; the plug-ins (flows/dmx_commands.py, deployments/commands.py) import
only this module, never flows/cli.py, so no module imports the one that imports it.
"""

import argparse
import sys

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


def speed_factor(text: str) -> float:
    """argparse type for --dmx-speed: a factor in (0, 10000]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 10000:
        raise argparse.ArgumentTypeError(f"must lie within (0, 10000], not {text}")
    return value


def universe_number(text: str) -> int:
    """argparse type for --universe: an OLA universe 1..63999."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 63999:
        raise argparse.ArgumentTypeError(f"must lie within 1..63999, not {text}")
    return value
