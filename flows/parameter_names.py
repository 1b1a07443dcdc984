"""A deployment run whose parameter names do not fit its flow ends Failed, naming the parameter.

Prefect binds a run's parameters to the flow function in the run's own process, before the flow body (where
cueflow checks every value) runs. An unknown name, or a missing required one (the UI's form submits without an
empty required field), raises there: the process exits 1 and the runner marks the run Crashed ("Process exited
with status code: 1"). The runner (`cueflow serve`) then calls the flow's on_crashed hooks: this one finds the
names, logs the reason on the run, and moves the run from Crashed to Failed.
"""

import asyncio
import inspect
from typing import Any

from prefect import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.logging.handlers import APILogHandler
from prefect.logging.loggers import flow_run_logger
from prefect.states import Failed, State


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(name[:60]) for name in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def parameter_name_problem(fn: Any, parameters: dict[str, Any]) -> str | None:
    """The one-line reason, or None when the names bind: none unknown and every required one given."""
    signature = inspect.signature(fn).parameters
    missing = [name for name, p in signature.items() if p.default is inspect.Parameter.empty and name not in parameters]
    unknown = sorted(set(parameters) - set(signature))
    problems = []
    if missing:
        problems.append(f"{_names(missing)}: required, and not given")
    if unknown:
        problems.append(f"{_names(unknown)}: unknown parameter{'s' if len(unknown) > 1 else ''}")
    if not problems:
        return None
    return f"{'; '.join(problems)}; this deployment takes {', '.join(signature)}"


async def fail_on_bad_parameter_names(flow: Any, flow_run: FlowRun, state: State) -> None:
    """on_crashed hook: a crash caused by parameter names that do not bind becomes Failed, the reason in its log."""
    message = parameter_name_problem(flow.fn, flow_run.parameters or {})
    if message is None:
        return
    flow_run_logger(flow_run, flow).error(message)
    try:  # the line first, then the state: `prefect deployment run --watch` stops reading logs at the final state
        await asyncio.wait_for(APILogHandler.aflush(), timeout=5)
    except (TimeoutError, RuntimeError):
        pass
    async with get_client() as client:
        await client.set_flow_run_state(flow_run.id, Failed(message=message), force=True)
