"""Prefect's floor for cueflow's shape: a trivial flow that makes the same Prefect calls and does no lighting work.

`python -m bench.floor --scenes N [--name macbeth.txt]` runs it as a whole process, the way a plain Prefect user
would (import Prefect, run the flow, let the interpreter exit): the parent flow runs eight tasks (cueflow's parse,
sequence, export, two previews, timeline, replan, evaluate), and one subflow a scene, as many at once as cueflow's,
named from the script and the scene (a computed run name, as cueflow's) and tagged `scene:` and `script:`, each
running three tasks that return their input. Those tasks carry no tags, as cueflow's scene tasks do not: a tagged
task makes Prefect start a concurrency-slot service and ask the server for slots. It uses cueflow's Prefect
settings (flows/environment.py), and the ephemeral server unless PREFECT_API_URL is set. `--serve` serves it as the
deployment `floor/trivial` instead (bench/deployment_trigger.py triggers it beside cueflow's). bench/laptop.py runs
it beside `cueflow run`, interleaved.
"""

import argparse
import asyncio
import sys

# isort: off
from flows.environment import default_scene_concurrency  # cueflow's Prefect settings, before Prefect loads
from prefect import flow, tags, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TagsContext
from prefect.runtime import flow_run

# isort: on

# As cueflow: 4 on a server (PREFECT_API_URL), 1 on Prefect's own ephemeral server, whose SQLite writes collide.
SCENE_CONCURRENCY = default_scene_concurrency()
LEAN = {"persist_result": False, "cache_policy": NO_CACHE, "log_prints": False}


@task(name="floor-parent", **LEAN)
async def parent_step(value: int) -> int:
    return value


@task(name="floor-scene", task_run_name="floor-scene-{value}", **LEAN)
async def scene_step(value: int) -> int:
    return value


def scene_name() -> str:
    script = next((t.removeprefix("script:") for t in sorted(flow_run.tags) if t.startswith("script:")), "")
    return f"{script} · scene {flow_run.parameters.get('index')}"


@flow(name="floor-scene", flow_run_name=scene_name, persist_result=False, validate_parameters=False, log_prints=False)
async def scene(index: int) -> int:
    with TagsContext(current_tags=set()):  # as cueflow's scene subflow: its tasks do not inherit the scene's tags
        for _ in range(3):
            await scene_step(index)
    return index


@flow(name="floor", persist_result=False, log_prints=False)
async def floor(scenes: int = 26, name: str = "macbeth.txt", concurrency: int = SCENE_CONCURRENCY) -> int:
    await parent_step(0)  # parse
    limit = asyncio.Semaphore(concurrency)

    async def one(index: int) -> int:
        async with limit:
            with tags(f"scene:scene_{index:03d}"):
                return await scene(index)

    with tags(f"script:{name}"):
        done = await asyncio.gather(*(one(i) for i in range(scenes)))
    for step in range(7):  # sequence, export, preview, timeline, replan, evaluate, preview again
        await parent_step(step)
    return len(done)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenes", type=int, default=26)
    parser.add_argument("--name", default="macbeth.txt")
    parser.add_argument("--concurrency", type=int, default=SCENE_CONCURRENCY)
    parser.add_argument("--serve", action="store_true", help="serve it as the deployment floor/trivial until stopped")
    args = parser.parse_args(argv)
    if args.serve:
        from prefect import serve

        serve(floor.to_deployment(name="trivial", parameters={"concurrency": args.concurrency}), limit=2)
        return 0
    done = asyncio.run(floor(args.scenes, args.name, args.concurrency))
    return 0 if done == args.scenes else 1


if __name__ == "__main__":
    sys.exit(main())
