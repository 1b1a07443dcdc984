"""Per-scene work on an existing distributed engine: Dask, through prefect-dask's DaskTaskRunner.

The pipeline maps one task per scene over the cluster; each task runs that scene's subflow on its worker,
so every scene is still one subflow run, now executed by a Dask worker. Dask workers report to the
Prefect API, so this needs a real Prefect server (PREFECT_API_URL); ephemeral mode cannot serve them.
"""


from prefect import flow, tags, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from phases.contracts import Scene

from .config import PipelineConfig
from .environment import on_ephemeral_server
from .errors import HardFailureError
from .scene import outcome_of, register_scenes, registered_scene, release_scenes, scene_flow


def dask_task_runner(config: PipelineConfig) -> object:
    """A DaskTaskRunner on the cluster at config.dask_address, or on a LocalCluster of dask_workers processes."""
    if on_ephemeral_server():
        raise HardFailureError("the Dask task runner needs a real Prefect server: start one and set PREFECT_API_URL")
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise HardFailureError("the Dask task runner needs prefect-dask: pip install 'cueflow[dask]'") from None
    if config.dask_address:
        return DaskTaskRunner(address=config.dask_address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": config.dask_workers, "threads_per_worker": 1, "dashboard_address": None})


@task(name="scene-on-worker", task_run_name="scene-on-worker-{scene.scene_id}", persist_result=False, cache_policy=NO_CACHE)
async def scene_on_worker(scene: Scene, index: int, total: int, config: PipelineConfig) -> object:
    # Task parameters reach the worker pickled and are not stored by the server; the subflow's are, so it gets
    # only the scene's id and content key and finds the scene in this worker's registry.
    keys = register_scenes([scene])
    try:
        with tags(f"scene:{scene.scene_id}"):
            state: State = await scene_flow(scene.scene_id, keys[0], index, total, config, return_state=True)
        return await outcome_of(state, scene)
    finally:
        release_scenes(keys)


@flow(name="scenes-on-dask", persist_result=False, log_prints=False, validate_parameters=False)
async def scenes_on_dask(scene_keys: list[str], config: PipelineConfig) -> list[object]:
    """Runs in the pipeline's process, so the scenes registered there are found by their content keys."""
    scenes = [registered_scene(key) for key in scene_keys]
    # No quote() here: on a Dask worker the annotation would arrive unresolved (a tuple, not the Scene).
    futures = [scene_on_worker.submit(scene, index, len(scenes), config) for index, scene in enumerate(scenes)]
    return [future.result() for future in futures]
