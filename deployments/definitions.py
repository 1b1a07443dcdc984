"""The deployments cueflow registers, defined in code (no prefect.yaml): one list for `deploy` and `serve`.

The server is the one source of truth for the settings (the batch's inbox, output folder and schedule, and
whether show/play is registered): `deploy` and `serve` read back what is registered and change only what their
options name, so `serve` never reverts what `deploy --cron ... --batch-out ...` set.
"""

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

ON_DEMAND = "lighting-pipeline/on-demand"
SCHEDULED = "directory-batch/scheduled"
SHOW = "show/play"
NOT_SERVED_HINT = "Runs start only while `cueflow serve` is running; a run triggered before waits for it."


@dataclass(frozen=True)
class DeploymentSettings:
    """What `cueflow deploy` and `cueflow serve` register: the batch's inbox, output folder and schedule."""

    inbox: str = "inbox"
    batch_output: str = "batch"
    cron: str = "*/15 * * * *"
    with_show: bool = False  # show/play drives real hardware: only registered when asked for

    def updated(self, **options: Any) -> "DeploymentSettings":
        """These settings with the options that were given (None: not given, keep what is registered)."""
        return replace(self, **{k: v for k, v in options.items() if v is not None})


def settings_from_server(read: "Any") -> DeploymentSettings | None:
    """The settings registered on the server, or None when nothing is registered yet.

    read: name -> the deployment's JSON (as GET /deployments/name/{name} returns it) or None.
    """
    scheduled = read(SCHEDULED)
    if scheduled is None:
        return None
    defaults = DeploymentSettings()
    parameters = scheduled.get("parameters") or {}
    crons = [s["schedule"]["cron"] for s in scheduled.get("schedules") or [] if "cron" in (s.get("schedule") or {})]
    return DeploymentSettings(
        inbox=parameters.get("inbox", defaults.inbox),
        batch_output=parameters.get("output_dir", defaults.batch_output),
        cron=crons[0] if crons else defaults.cron,
        with_show=read(SHOW) is not None,
    )


def build_deployments(settings: DeploymentSettings) -> list["RunnerDeployment"]:
    from prefect.deployments.runner import EntrypointType
    from prefect.utilities.callables import ParameterSchema

    from flows.entrypoints import on_demand, play_show, scheduled_batch

    from .form import form_schema

    # Module entrypoints: the served runs import the installed package, whatever the working directory.
    # Parameters are checked by the flow run itself (not refused at trigger time), so a bad value ends a visible
    # Failed run whose message names the parameter, whether it came from the UI, the CLI or the API.
    common = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": ["cueflow"], "enforce_parameter_schema": False}
    deployments = [
        on_demand.to_deployment(
            name="on-demand",
            description=f"Plan one script. Trigger from the UI or `prefect deployment run '{ON_DEMAND}'`. {NOT_SERVED_HINT}",
            **common,
        ),
        scheduled_batch.to_deployment(
            name="scheduled",
            description=f"Plan the inbox's new or changed scripts on a schedule; unchanged ones are skipped. {NOT_SERVED_HINT}",
            cron=settings.cron,
            parameters={"inbox": settings.inbox, "output_dir": settings.batch_output},
            **common,
        ),
    ]
    if settings.with_show:
        deployments.append(
            play_show.to_deployment(
                name="play",
                description=f"Play a finished plan to DMX through OLA. hardware=false only checks the plan. {NOT_SERVED_HINT}",
                parameters={"hardware": False},
                **common,
            )
        )
    for deployment in deployments:
        # Prefect titles each field with its Python name; the form a technician sees is rewritten here.
        schema = form_schema(deployment._parameter_openapi_schema.model_dump_for_openapi())
        deployment._parameter_openapi_schema = ParameterSchema(**schema)
    return deployments
