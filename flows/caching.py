"""Per-scene work that is not new is not redone: Prefect task caching keyed on what decides the result.

The key of a per-scene task (phases 2, 3, 4) hashes the task, the scene's content, the config fields that
change per-scene results, and a fingerprint of everything under phases/ (code, rules, rig, colours, models).
So an unchanged script re-runs from the cache, and any change to the knowledge base or a phase's code
invalidates it. Results persist under $PREFECT_HOME/storage (a folder only its owner can enter: the entries
hold scene text), shared by every process of that user, and expire after CACHE_DAYS days
($CUEFLOW_CACHE_DAYS); `cueflow clean` deletes old files whose names carry cueflow's key prefix.
"""

import hashlib
import json
import os
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import Task
from prefect.cache_policies import CacheKeyFnPolicy
from prefect.context import TaskRunContext
from pydantic import BaseModel

import phases

from .config import PipelineConfig

# Every key (the cache file's name) starts so: `cueflow clean` deletes these files and no others in the folder.
CACHE_KEY_PREFIX = "cueflow-scene-"

# Config fields that cannot change what phases 2-4 decide for a scene.
_NOT_IN_KEY = {
    "output_dir",
    "scene_concurrency",
    "task_runner",
    "dask_address",
    "dask_workers",
    "continue_on_scene_failure",
    "enable_phase_1",
    "enable_phase_5",
    "enable_phase_7",
    "enable_phase_8",
    "max_script_bytes",
    "cache_scene_work",
}


def fingerprint(root: Path) -> str:
    """A hash of every file under root, names and contents."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def phases_fingerprint() -> str:
    """Every file under phases/: code, rules, rig, colour table, fixture profiles, models."""
    return fingerprint(Path(phases.__file__).parent)


def _plain(value: Any) -> Any:
    value = value.unquote() if hasattr(value, "unquote") else value
    if isinstance(value, PipelineConfig):
        plain = value.model_dump(mode="json", exclude=_NOT_IN_KEY)
        if value.rig:  # the rig file's content, not only its path, decides the look
            from phases.rig import load_rig

            plain["rig_digest"] = load_rig(value.rig).digest
        return plain
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def scene_cache_key(context: TaskRunContext, inputs: dict[str, Any]) -> str:
    payload = {name: _plain(value) for name, value in sorted(inputs.items())}
    text = json.dumps([context.task.name, phases_fingerprint(), payload], sort_keys=True, default=str)
    return f"{CACHE_KEY_PREFIX}{hashlib.sha256(text.encode()).hexdigest()}"


def cache_days() -> float:
    try:
        days = float(os.environ.get("CUEFLOW_CACHE_DAYS", "30"))
    except ValueError:
        return 30.0
    return days if 0 < days < 3650 else 30.0


def cached(task: Task[Any, Any]) -> Task[Any, Any]:
    """The same task, with its result persisted and reused whenever its cache key repeats, for cache_days()."""
    return task.with_options(
        cache_policy=CacheKeyFnPolicy(cache_key_fn=scene_cache_key),
        persist_result=True,
        cache_expiration=timedelta(days=cache_days()),
    )
