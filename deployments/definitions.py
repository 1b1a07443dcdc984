"""The deployments cueflow registers, defined in code (no prefect.yaml): one list for `deploy` and `serve`."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

ON_DEMAND = "lighting-pipeline/on-demand"
SCHEDULED = "directory-batch/scheduled"
SHOW = "show/play"


@dataclass(frozen=True)
class DeploymentSettings:
    """What `cueflow deploy` and `cueflow serve` register: the batch's inbox, output folder and schedule."""

    inbox: str = "inbox"
    batch_output: str = "batch"
    cron: str = "*/15 * * * *"
    with_show: bool = False  # show/play drives real hardware: only registered when asked for


def build_deployments(settings: DeploymentSettings) -> list["RunnerDeployment"]:
    from prefect.deployments.runner import EntrypointType

    from flows.entrypoints import on_demand, play_show, scheduled_batch

    # Module entrypoints: the served runs import the installed package, whatever the working directory.
    # Parameters are checked by the flow run itself (not refused at trigger time), so a bad value ends a visible
    # Failed run whose message names the parameter, whether it came from the UI, the CLI or the API.
    common = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": ["cueflow"], "enforce_parameter_schema": False}
    deployments = [
        on_demand.to_deployment(
            name="on-demand",
            description="Plan one script. Trigger from the UI or `prefect deployment run 'lighting-pipeline/on-demand'`.",
            **common,
        ),
        scheduled_batch.to_deployment(
            name="scheduled",
            description="Plan the inbox's new or changed scripts on a schedule; unchanged ones are skipped.",
            cron=settings.cron,
            parameters={"inbox": settings.inbox, "output_dir": settings.batch_output},
            **common,
        ),
    ]
    if settings.with_show:
        deployments.append(
            play_show.to_deployment(
                name="play",
                description="Play a finished plan to DMX through OLA. hardware=false only checks the plan.",
                parameters={"hardware": False},
                **common,
            )
        )
    return deployments
