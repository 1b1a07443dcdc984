"""What `cueflow run` and `batch` show on the terminal: progress and one line per failure, not Prefect's logs.

In ephemeral mode Prefect logs every failed task and flow run to the console with its traceback (loggers
`prefect.task_runs` and `prefect.flow_runs`), so a Phase 5 or 8 failure printed a traceback before cueflow's
own one-line error. The CLI quiets those loggers unless --debug; the result and result.json keep the error.
"""

import logging

RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs", "prefect.task_engine", "prefect.flow_engine")


def quiet_prefect_console(debug: bool) -> None:
    """Call after Prefect has loaded (its logging setup would reset the levels)."""
    if debug:
        return
    import prefect  # noqa: F401  (loads Prefect's logging configuration first)

    for name in RUN_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
