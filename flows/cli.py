"""The `cueflow` command: run the pipeline on a laptop with ephemeral Prefect, no server to start."""

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from flows.commands import (
    COMMAND_MODULES,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    fail,
    speed_factor,
    universe_number,
)

if TYPE_CHECKING:
    from flows.config import PipelineConfig

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "entry", "fail", "main"]


def _process_age() -> float:
    """Seconds since the kernel started this process (so the wall line includes the interpreter's own start)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, IndexError, ValueError, AttributeError):
        return 0.0


STARTED = time.perf_counter() - _process_age()  # main() called in-process counts from its own start instead
_process_entry = False  # set by entry(): this process is the `cueflow` command, and ends with os._exit
_closing_lines: list[Callable[[float], str]] = []  # printed last, given time.perf_counter() at the exit


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"cueflow {version('cueflow')}"
    except PackageNotFoundError:  # a checkout used without installing it
        return "cueflow (not installed)"


class _Version(argparse.Action):
    """--version, looked up only when asked for (importlib.metadata costs 0.2 s before the server could start)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(_version())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cueflow", description="Turn a script into a lighting plan for a real rig.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--version", action=_Version, help="show cueflow's version and exit")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="plan the lighting for one script")
    run.add_argument("script", help="a .txt, .fountain, .pdf, .docx, .csv or .json script")
    run.add_argument("--out", required=True, help="output directory")
    run.add_argument("--no-emotion", action="store_true", help="skip Phase 2 (emotion)")
    run.add_argument("--rig", metavar="PATH", help="your rig: a cueflow YAML or QLC+ workspace (.qxw)")
    run.add_argument("--send-dmx", action="store_true", help="play the plan to DMX through OLA (Phase 8)")
    run.add_argument("--dmx-speed", type=speed_factor, default=1.0, metavar="FACTOR", help="play DMX FACTOR times faster")
    run.add_argument("--universe", type=universe_number, default=1, metavar="N", help="OLA universe to play to (default 1)")
    run.add_argument("--dry-run", metavar="FILE", help="with --send-dmx: render the DMX frames to FILE, send nothing")
    run.add_argument("--genre", help="the production's genre, e.g. tragedy, comedy, pantomime")
    run.add_argument("--gold", metavar="FILE", help="a designer's prompt-book calls (JSON) to score the cues against")
    run.add_argument("--llm", action="store_true", help="ask an OpenAI-compatible LLM for the looks")
    run.add_argument("--stop-on-scene-failure", action="store_true", help="stop at the first scene that fails")
    run.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="scene subflows in flight at once (default: 4)",
    )
    run.add_argument(
        "--task-runner",
        choices=["default", "dask"],
        default="default",
        help="run per-scene work in this process or on Dask (dask needs PREFECT_API_URL)",
    )
    run.add_argument("--dask-address", help="scheduler address of a running Dask cluster (default: a LocalCluster)")

    batch = sub.add_parser("batch", help="plan every script in a directory, one output folder each")
    batch.add_argument("directory")
    batch.add_argument("--out", required=True, help="output directory (one folder per script)")
    batch.add_argument("--no-emotion", action="store_true")
    batch.add_argument("--rig", metavar="PATH", help="your rig: a cueflow YAML or QLC+ workspace (.qxw)")

    schemas = sub.add_parser("schemas", help="export the contracts' JSON Schemas")
    schemas.add_argument("--check", action="store_true", help="fail when the checked-in schemas are stale")
    for name in COMMAND_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


class _Progress:
    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, event: str, data: dict[str, object]) -> None:
        if event == "parsed":
            print(f"cueflow: {data['scenes']} scenes ({data['script_type']}, confidence {data['confidence']})", file=sys.stderr)
        elif event == "scene":
            done, total = int(data["done"]), int(data["total"])  # type: ignore[call-overload]
            mark = " FAILED" if data["failed"] else ""
            if self.tty:
                end = "\n" if done == total or mark else ""
                print(f"\rcueflow: scenes {done}/{total} {data['scene_id']}{mark}   ", end=end, file=sys.stderr, flush=True)
            elif mark or done == total or time.monotonic() - self.last > 2:
                print(f"cueflow: scenes {done}/{total} {data['scene_id']}{mark}", file=sys.stderr)
                self.last = time.monotonic()
        elif event == "warning":
            print(f"cueflow: warning: {data['message']}", file=sys.stderr)
        elif event == "script":
            status = "ok" if data["success"] else f"FAILED: {data['error']}"
            print(f"cueflow: {data['script']}: {status}", file=sys.stderr)


def _summary(result: object) -> str:
    from phases.contracts import PipelineResult

    assert isinstance(result, PipelineResult)
    rows: dict[int, list[object]] = {}
    for p in result.phases:
        row = rows.setdefault(p.phase, [p.name, 0, 0, 0, 0.0])
        row[1 + ("completed", "failed", "skipped").index(p.status if p.status != "degraded" else "completed")] += 1  # type: ignore[operator]
        row[4] += p.duration  # type: ignore[operator]
    lines = [f"{'phase':<14}{'ok':>5}{'failed':>8}{'skipped':>9}{'time':>10}"]
    for phase, (name, ok, failed, skipped, seconds) in sorted(rows.items()):
        lines.append(f"{phase} {name:<12}{ok:>5}{failed:>8}{skipped:>9}{seconds:>9.3f}s")
    out = result.final_output
    if out:
        lines.append(
            f"scenes {out.scene_count}, instructions {out.instruction_count}, failed scenes {len(out.failed_scenes)}, "
            f"evaluation {out.evaluation_verdict or 'not run'}"
        )
    if out:
        lines.append(f"outputs in {out.output_dir}: {', '.join(Path(f).name for f in out.files.values())}")
    return "\n".join(lines)


def _wall_line(result: object, wall: float, exiting: float) -> str:
    """What the user waited, from the process's start to its exit: start-up (imports, input checks, the server's
    start, the flow's set-up and tear-down), the pipeline's orchestration and phase work, and the exit."""
    from phases.contracts import PipelineResult

    assert isinstance(result, PipelineResult)
    orchestration = max(0.0, result.total_duration - result.phase_work_duration)
    startup = max(0.0, wall - exiting - result.total_duration)
    return (
        f"wall {wall:.2f}s = start-up {startup:.2f}s + orchestration {orchestration:.2f}s"
        f" + phase work {result.phase_work_duration:.2f}s + exit {exiting:.2f}s"
    )


def _run(args: argparse.Namespace) -> int:
    if args.concurrency is not None and not 1 <= args.concurrency <= 16:
        return fail("--concurrency must be between 1 and 16", EXIT_BAD_INPUT)
    from flows.outputs import OutputFolderBusyError, OutputTargetError, check_file_target, check_output_dir, folder_lock

    from .dry_run_target import record_opened_files

    record_opened_files()  # so --dry-run can never be a file this run reads
    script = Path(args.script)
    try:
        out = check_output_dir(Path(args.out), script=script)  # a bad --out is found now, not after planning the whole show
        dry_run = check_file_target(Path(args.dry_run)) if args.dry_run else None
    except OutputTargetError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    named = [script] + [Path(p) for p in (args.rig, args.gold) if p]
    if dry_run is not None and (problem := _dry_run_problem(args, named, out)):
        return fail(problem, EXIT_BAD_INPUT)  # refused before a server starts for a run that will not happen
    _prefect_server()  # starts now, while the script is read and Prefect and the phases import
    from phases.parsing import ParseError, parse_file

    try:
        parse_file(script)  # fail fast on bad input, before the flow starts
    except ParseError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    rig = _rig(args)
    if isinstance(rig, int):
        return rig
    if args.gold:
        from phases.evaluation import GoldFileError, load_gold

        try:
            load_gold(Path(args.gold))
        except GoldFileError as exc:
            return fail(str(exc), EXIT_BAD_INPUT)
    unreachable = _server_problem()
    if unreachable:
        return fail(*unreachable)
    if dry_run is not None and (problem := _dry_run_problem(args, named, out)):
        return fail(problem, EXIT_BAD_INPUT)  # again: reading the script and the rig opened more files
    try:
        # Held for the whole run (the pipeline takes it again, re-entrantly): a second run into the same folder
        # fails at once instead of interleaving its files with this one's.
        with folder_lock(out):
            return _run_locked(args, script, out, dry_run, rig)
    except OutputFolderBusyError as exc:
        return fail(str(exc), EXIT_FAILED)


def _dry_run_problem(args: argparse.Namespace, reads: list[Path], out: Path) -> str | None:
    from .dry_run_target import dry_run_problem

    return dry_run_problem("--dry-run", Path(args.dry_run), reads, out=out)


def _prefect_server() -> None:
    """Choose the Prefect server before Prefect loads: PREFECT_API_URL when set, else a resident `cueflow server`
    (flows/resident.py), else this run's own ephemeral server, started now (flows/server_guard.py)."""
    if os.environ.get("PREFECT_API_URL"):
        return
    from .resident import attach

    resident = attach()
    if resident is not None:
        print(f"cueflow: using the local Prefect server at {resident.ui_url}", file=sys.stderr)
        return
    from .server_guard import start_ephemeral_server
    from .template_db import seed_database

    seed_database()  # a new home starts from the migrated template (make setup built it)
    start_ephemeral_server()


def _server_ready() -> int | None:
    """Wait for the ephemeral server this process started, if any; an exit code when it died while starting."""
    from .environment import startup_timeout
    from .server_guard import ServerStartError, wait_for_servers

    try:
        wait_for_servers(startup_timeout())
    except ServerStartError as exc:
        return fail(str(exc), EXIT_FAILED)
    return None


def _config(
    model: "type[PipelineConfig]", args: argparse.Namespace, out: Path, dry_run: Path | None, rig: str | None
) -> "PipelineConfig":
    return model(
        output_dir=str(out),
        enable_phase_2=not args.no_emotion,
        rig=rig,
        # A dry run renders frames to a file and sends nothing, so it needs no --send-dmx.
        enable_phase_8=args.send_dmx or bool(args.dry_run),
        dmx_speed=args.dmx_speed,
        dmx_universe=args.universe,
        dmx_dry_run_path=str(dry_run) if dry_run else None,
        genre=args.genre,
        gold_file=str(Path(args.gold).resolve()) if args.gold else None,
        use_llm=args.llm,
        continue_on_scene_failure=not args.stop_on_scene_failure,
        scene_concurrency=args.concurrency,
        task_runner=args.task_runner,
        dask_address=args.dask_address,
    )


def _run_locked(args: argparse.Namespace, script: Path, out: Path, dry_run: Path | None, rig: str | None) -> int:
    from pydantic import ValidationError

    from flows import PipelineConfig, run
    from flows.progress import set_listener

    try:
        config = _config(PipelineConfig, args, out, dry_run, rig)
    except ValidationError as exc:  # e.g. a genre the knowledge has no rules for
        first = exc.errors()[0]
        option = {"genre": "--genre"}.get(str(first["loc"][0]) if first["loc"] else "", str(first["loc"]))
        return fail(f"{option}: {first['msg'].removeprefix('Value error, ')}", EXIT_BAD_INPUT)
    if args.send_dmx and not args.dry_run:
        from phases.hardware import olad_problem

        problem = olad_problem(config.olad_host, config.olad_port)
        if problem:  # find out now, not after planning the whole show
            return fail(problem, EXIT_FAILED)
    from .console import quiet_prefect_console
    from .heap import freeze_long_lived
    from .signals import keep_sigterm_in_flow_runs

    keep_sigterm_in_flow_runs()
    quiet_prefect_console(args.debug or bool(os.environ.get("CUEFLOW_DEBUG")))
    set_listener(_Progress())
    dead = _server_ready()
    if dead is not None:
        return dead
    if _process_entry:  # the `cueflow` command, which ends with this run: everything it needs is imported by now
        freeze_long_lived()
    result = run(script.resolve(), config)
    returned = time.perf_counter()
    print(_summary(result), file=sys.stderr)
    # The wall line goes last, once the process is about to exit (main's caller, or main itself in-process).
    _closing_lines.append(lambda now: _wall_line(result, now - STARTED, now - returned))
    if not result.success:
        return fail(result.error or "the run failed", EXIT_FAILED)
    return EXIT_OK


def _rig(args: argparse.Namespace) -> str | None | int:
    """The --rig path, resolved and checked before Prefect starts; an exit code when it cannot be used."""
    if not args.rig:
        return None
    from flows.rig_commands import rig_problem

    problem = rig_problem(args.rig)
    return fail(problem, EXIT_BAD_INPUT) if problem else str(Path(args.rig).resolve())


def _server_problem() -> tuple[str, int] | None:
    """With PREFECT_API_URL set, a server that is not there or wants a credential we lack: one line, before Prefect.
    Not for this run's own ephemeral server (still starting: _server_ready() waits for it)."""
    from .api_access import api_url, server_problem
    from .environment import SERVER_KIND_VAR

    url = api_url()
    if not url or os.environ.get(SERVER_KIND_VAR) == "ephemeral":
        return None
    return server_problem(url)


def _batch(args: argparse.Namespace) -> int:
    from flows.outputs import OutputTargetError, check_output_dir

    directory = Path(args.directory)
    if not directory.is_dir():
        return fail(f"{directory}: not a directory", EXIT_BAD_INPUT)
    try:
        out = check_output_dir(Path(args.out), replaced=False)  # a batch replaces the folders inside it, one by one
    except OutputTargetError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    rig = _rig(args)
    if isinstance(rig, int):
        return rig
    unreachable = _server_problem()
    if unreachable:
        return fail(*unreachable)
    _prefect_server()
    from flows import PipelineConfig, run_directory
    from flows.batch import BatchLockedError
    from flows.progress import set_listener

    from .console import quiet_prefect_console
    from .heap import freeze_long_lived
    from .signals import keep_sigterm_in_flow_runs

    keep_sigterm_in_flow_runs()
    quiet_prefect_console(args.debug or bool(os.environ.get("CUEFLOW_DEBUG")))
    set_listener(_Progress())
    dead = _server_ready()
    if dead is not None:
        return dead
    if _process_entry:
        freeze_long_lived()
    try:
        summary = run_directory(directory.resolve(), out, PipelineConfig(enable_phase_2=not args.no_emotion, rig=rig))
    except BatchLockedError as exc:
        return fail(str(exc), EXIT_FAILED)
    print(
        f"cueflow: {summary.succeeded} of {summary.total} scripts planned, {summary.failed} failed "
        f"({summary.total_duration:.1f}s); outputs in {args.out}",
        file=sys.stderr,
    )
    return EXIT_OK if summary.failed == 0 else EXIT_FAILED


# Commands that run a show or a pipeline in this process: Ctrl-C and SIGTERM end them at once (flows/signals.py).
# `server` and `serve` leave the signals to the processes they run.
SIGNAL_HANDLED = ("run", "batch", "play")


def _wait_for_blackouts() -> None:
    player = sys.modules.get("phases.hardware.player")
    if player is None or player.wait_for_blackouts(0):
        return
    print("cueflow: waiting for olad to take the blackout (Ctrl-C gives up)", file=sys.stderr, flush=True)
    player.wait_for_blackouts(60)


def main(argv: list[str] | None = None) -> int:
    global STARTED
    if not _process_entry:
        STARTED = time.perf_counter()
    _closing_lines.clear()
    args = _parser().parse_args(argv)
    from .signals import Interrupted, finish, restore
    from .signals import install as handle_signals

    previous = {}
    if args.command in SIGNAL_HANDLED and threading.current_thread() is threading.main_thread():
        previous = handle_signals()
    try:
        return _dispatch(args)
    except Interrupted as exc:  # the main thread was playing DMX: its player has blacked out
        finish(exc.signum)
    except KeyboardInterrupt:
        print("cueflow: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug or an environment problem: one line, unless --debug
        if args.debug or os.environ.get("CUEFLOW_DEBUG"):
            raise
        return fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)", EXIT_FAILED)
    finally:
        _wait_for_blackouts()
        restore(previous)
        if not _process_entry:
            _print_closing_lines()


def _print_closing_lines() -> None:
    now = time.perf_counter()
    for line in _closing_lines:
        print(line(now), file=sys.stderr)
    _closing_lines.clear()


def entry() -> NoReturn:
    """The `cueflow` command: main(), then a fast exit.

    Once main() has returned, the outputs are in place and any blackout has been sent. The exit then does what the
    interpreter's own would that matters (join the threads that are not daemons, which drains Prefect's event
    queue to the server; run the atexit hooks, Prefect's and then ours, which stops the ephemeral server cleanly)
    and skips the rest: tearing down about 270 MB of modules took 0.9 s."""
    global _process_entry
    _process_entry = True
    try:
        code = main()
    except SystemExit as exc:  # argparse: --help, --version, a usage error
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
    _fast_exit(code)


def _fast_exit(code: int) -> NoReturn:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        shutdown = getattr(threading, "_shutdown", None)
        if shutdown is not None:
            shutdown()
        import atexit

        atexit._run_exitfuncs()
        _print_closing_lines()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "schemas":
        from phases.contracts.schema_export import main as export

        return export(["--check"] if args.check else [])
    if args.command == "run":
        return _run(args)
    if args.command == "batch":
        return _batch(args)
    if hasattr(args, "handler"):
        return int(args.handler(args))
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    entry()
