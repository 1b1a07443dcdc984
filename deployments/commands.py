"""CLI plug-in: `cueflow server`, `cueflow deploy` and `cueflow serve` (loaded by flows/cli.py).

Nothing heavy at module level: Prefect loads inside the handlers, after the environment is set.
"""

import argparse
import os
import sys

from flows.api_access import api_url, server_problem
from flows.commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, fail

from .definitions import SHOW, DeploymentSettings

DEFAULT_PORT = 4200
NO_SERVER = "PREFECT_API_URL is not set: start `cueflow server`, then export PREFECT_API_URL=http://127.0.0.1:{port}/api"


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    server = sub.add_parser(
        "server",
        help="start a local Prefect server (API and UI) on 127.0.0.1; `cueflow run` uses it while it runs",
        description="`cueflow server` starts it in the foreground; `cueflow server stop` stops the one running for this"
        " $CUEFLOW_HOME; `cueflow server status` says whether one runs, and where.",
    )
    server.add_argument("action", nargs="?", choices=["start", "stop", "status"], default="start")
    server.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    server.add_argument(
        "--database-url",
        help="SQLAlchemy URL, e.g. postgresql+asyncpg://user:pass@127.0.0.1:5432/prefect"
        " (default: a private PostgreSQL cluster when PostgreSQL is installed, else SQLite)",
    )
    server.add_argument(
        "--auth-string-env",
        metavar="VAR",
        help="require HTTP basic auth: the credential (user:password) is in environment variable VAR, never on the"
        " command line; clients set PREFECT_API_AUTH_STRING to the same value",
    )
    server.add_argument("--sqlite", action="store_true", help="use SQLite under $CUEFLOW_HOME/server, not PostgreSQL")
    server.set_defaults(handler=_server)

    deploy = sub.add_parser("deploy", help="register the deployments with the server at PREFECT_API_URL")
    _deployment_options(deploy)
    deploy.set_defaults(handler=_deploy)

    serve = sub.add_parser("serve", help="register the deployments and execute their runs until stopped")
    _deployment_options(serve)
    serve.add_argument(
        "--input-root",
        action="append",
        default=[],
        help="a directory scripts may be read from (repeatable; default: $CUEFLOW_INPUT_ROOTS, else the current directory)",
    )
    serve.add_argument("--output-root", help="the directory outputs go under (default: $CUEFLOW_OUTPUT_ROOT, else ./out)")
    serve.add_argument("--limit", type=int, default=2, help="runs executed at once (default 2)")
    serve.add_argument(
        "--llm-base-url",
        help="the LLM endpoint runs use (default: $CUEFLOW_LLM_BASE_URL); a run's parameters cannot choose another",
    )
    serve.add_argument(
        "--dask-address",
        help="the Dask scheduler runs use with task_runner=dask (default: $CUEFLOW_DASK_ADDRESS, else a LocalCluster)",
    )
    serve.set_defaults(handler=_serve)


def _cron_problem(cron: str | None) -> str | None:
    """The one line for a --cron value Prefect's scheduler would refuse, or None."""
    if cron is None:
        return None
    if len(cron.split()) != 5:
        return f"--cron: expected 5 fields like '*/15 * * * *', got {cron!r}"
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError:
        return f"--cron: not a valid cron schedule: {cron!r} (minute hour day-of-month month day-of-week)"
    return None


def _deployment_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--auth-string-env",
        metavar="VAR",
        help="the server's basic-auth credential is in environment variable VAR (default: $PREFECT_API_AUTH_STRING)",
    )
    # No defaults here: what the server has registered is the truth, and only the options given change it.
    defaults = DeploymentSettings()
    keep = "default: what is registered, else"
    parser.add_argument("--inbox", help=f"the scheduled batch's inbox ({keep} {defaults.inbox!r})")
    parser.add_argument("--batch-out", help=f"the scheduled batch's output folder ({keep} {defaults.batch_output!r})")
    parser.add_argument("--cron", help=f"the scheduled batch's cron schedule ({keep} {defaults.cron!r})")
    show = parser.add_mutually_exclusive_group()
    show.add_argument(
        "--with-show", dest="with_show", action="store_true", default=None, help=f"also register {SHOW} (plays plans to DMX)"
    )
    show.add_argument("--without-show", dest="with_show", action="store_false", help=f"do not serve {SHOW}")


def _settings(args: argparse.Namespace, api: str) -> DeploymentSettings:
    from .serve import resolve_settings

    settings, changes = resolve_settings(
        api, inbox=args.inbox, batch_output=args.batch_out, cron=args.cron, with_show=args.with_show
    )
    for change in changes:
        print(f"cueflow: changing the registered {change}", file=sys.stderr)
    return settings


def _credential(args: argparse.Namespace) -> str | None:
    """The auth string from the variable named by --auth-string-env; "" when that variable is unset or empty."""
    if not args.auth_string_env:
        return None
    return os.environ.get(args.auth_string_env, "")


AUTH_MISSING = "--auth-string-env: environment variable {var} is not set or empty (it holds user:password)"


def _client_auth(args: argparse.Namespace) -> str | None:
    """Set PREFECT_API_AUTH_STRING for this process and its runs (before Prefect loads); an error, or None."""
    credential = _credential(args)
    if credential == "":
        return AUTH_MISSING.format(var=args.auth_string_env)
    if credential:
        os.environ["PREFECT_API_AUTH_STRING"] = credential
    return None


def _server(args: argparse.Namespace) -> int:
    if args.action != "start":
        return _resident_command(args.action)
    from .server import port_is_free, run_server

    credential = _credential(args)
    if credential == "":
        return fail(AUTH_MISSING.format(var=args.auth_string_env), EXIT_BAD_INPUT)
    if not 1 <= args.port <= 65535:
        return fail(f"--port must be between 1 and 65535, got {args.port}", EXIT_BAD_INPUT)
    if not port_is_free(args.port):
        return fail(f"127.0.0.1:{args.port} is already in use (another server?); choose --port", EXIT_BAD_INPUT)
    return run_server(args.port, args.database_url, sqlite=args.sqlite, auth_string=credential)


def _resident_command(action: str) -> int:
    """`cueflow server stop|status`: the resident server recorded under $CUEFLOW_HOME (flows/resident.py)."""
    from flows.resident import find_resident, stop_resident

    if action == "status":
        found = find_resident()
        if found is None:
            print("cueflow: no local cueflow server is running; `cueflow run` starts its own", file=sys.stderr)
            return EXIT_FAILED
        print(f"cueflow: a local server runs at {found.ui_url} (pid {found.pid}, {found.database})", file=sys.stderr)
        return EXIT_OK
    try:
        stopped = stop_resident()
    except TimeoutError as exc:
        return fail(str(exc), EXIT_FAILED)
    if stopped is None:
        print("cueflow: no local cueflow server is running", file=sys.stderr)
        return EXIT_OK
    print(f"cueflow: stopped the server at {stopped.ui_url}", file=sys.stderr)
    return EXIT_OK


def _deploy(args: argparse.Namespace) -> int:
    api = api_url()
    if not api:
        return fail(NO_SERVER.format(port=DEFAULT_PORT), EXIT_BAD_INPUT)
    problem = _client_auth(args) or _cron_problem(args.cron)
    if problem:
        return fail(problem, EXIT_BAD_INPUT)
    from .serve import register

    unreachable = server_problem(api)
    if unreachable:
        return fail(*unreachable)
    for name in register(_settings(args, api)):
        print(f"cueflow: registered {name}", file=sys.stderr)
    print("cueflow: runs wait until `cueflow serve` is running", file=sys.stderr)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    if args.limit < 1:
        return fail("--limit must be at least 1", EXIT_BAD_INPUT)
    api = api_url()
    if not api:
        return fail(NO_SERVER.format(port=DEFAULT_PORT), EXIT_BAD_INPUT)
    problem = _client_auth(args)
    if problem:
        return fail(problem, EXIT_BAD_INPUT)
    # Before Prefect loads: a served run starts within about a second of its trigger (default poll: 10 s).
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "1")
    # The operator's endpoints, for this process and the runs it starts (they inherit the environment).
    if args.llm_base_url:
        os.environ["CUEFLOW_LLM_BASE_URL"] = args.llm_base_url
    if args.dask_address:
        os.environ["CUEFLOW_DASK_ADDRESS"] = args.dask_address
    from .serve import ServeError, serve_forever, set_roots

    problem = _cron_problem(args.cron)
    if problem:
        return fail(problem, EXIT_BAD_INPUT)

    unreachable = server_problem(api)
    if unreachable:
        return fail(*unreachable)
    for root in args.input_root:
        if not os.path.isdir(root):
            return fail(f"--input-root: {root} is not a directory", EXIT_BAD_INPUT)
    inputs, output = set_roots(args.input_root, args.output_root)
    settings = _settings(args, api)
    print(f"cueflow: scripts from {', '.join(map(str, inputs))}; outputs under {output}", file=sys.stderr)
    try:
        serve_forever(settings, args.limit, api)
    except ServeError as exc:
        return fail(str(exc), EXIT_FAILED)
    return EXIT_OK
