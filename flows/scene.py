"""One scene's subflow: Phases 2, 3 and 4 for the scene, then the contract check.

Below flows/pipeline.py (which runs one of these per scene) and flows/scale_out.py (which runs them on Dask
workers), so neither of those imports the other.
"""

import hashlib
from functools import lru_cache
from typing import Any

from prefect import Task, flow
from prefect.context import TagsContext
from prefect.runtime import flow_run as current_flow_run
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

import phases.knowledge
from phases.contracts import LightingInstruction, PhaseResult, Scene, SceneKnowledge

from . import tasks
from .caching import cached
from .config import PipelineConfig
from .contract_check import check_cues
from .failure_rules import SceneFailed, failure_rule
from .phase_results import phase_result


async def _call(task: Task[Any, Any], *args: object) -> tuple[Any, float, bool]:
    """(value, seconds of phase work, whether it came from the cache) of a timed task."""
    state = await task(*args, return_state=True)
    value, seconds = await state.result()
    hit = state.name == "Cached"
    return value, 0.0 if hit else seconds, hit


@lru_cache(maxsize=2)
def _scene_tasks(cache: bool) -> tuple[Task[Any, Any], Task[Any, Any], Task[Any, Any]]:
    chosen = (tasks.read_emotion, tasks.retrieve_knowledge, tasks.decide_lighting)
    return tuple(cached(t) for t in chosen) if cache else chosen  # type: ignore[return-value]


class SceneOutcome:
    """What one scene subflow produced.

    A plain class on purpose: Prefect walks every dataclass and pydantic model a flow returns, field by
    field, looking for futures, and this one holds the scene's whole text, its rules and its cues.
    """

    __slots__ = ("scene", "knowledge", "cues", "phases", "error")

    def __init__(self, scene: Scene, error: str | None = None) -> None:
        self.scene = scene
        self.knowledge: SceneKnowledge | None = None
        self.cues: list[LightingInstruction] | None = None
        self.phases: list[PhaseResult] = []
        self.error = error


# Scenes in flight, by content key. A subflow's parameters are stored in the Prefect database for good, so the
# scene subflow takes the scene's id and the hash of its content, not its text (about 750 KB a Macbeth run
# before), and finds the scene here, in the process that runs it (a Dask worker registers its own copy).
_scenes: dict[str, tuple[Scene, int]] = {}


def scene_key(scene: Scene) -> str:
    return hashlib.sha256(scene.model_dump_json().encode()).hexdigest()[:32]


def register_scenes(scenes: list[Scene]) -> list[str]:
    keys = []
    for scene in scenes:
        key = scene_key(scene)
        _scenes[key] = (scene, _scenes.get(key, (scene, 0))[1] + 1)
        keys.append(key)
    return keys


def registered_scene(key: str) -> Scene:
    return _scenes[key][0]


def release_scenes(keys: list[str]) -> None:
    for key in keys:
        scene, count = _scenes.get(key, (None, 0))
        if count <= 1:
            _scenes.pop(key, None)
        else:
            _scenes[key] = (scene, count - 1)  # type: ignore[assignment]


def script_tag(name: str) -> str:
    """The tag every run of one script carries (the parent run and its scene subflows)."""
    return f"script:{name}"


def _scene_run_name() -> str:
    """A scene subflow's name: the script and the scene's heading, so the Runs list tells plays and scenes apart."""
    parameters = current_flow_run.parameters
    found = _scenes.get(parameters.get("scene_sha256", ""))
    scene = found[0] if found else None
    script = next((t.removeprefix("script:") for t in sorted(current_flow_run.tags) if t.startswith("script:")), None)
    label = (scene.heading or scene.location) if scene else None
    heading = " ".join((label or parameters.get("scene_id", "scene")).split())[:80]
    return f"{script} · {heading}" if script else heading


@flow(name="scene", flow_run_name=_scene_run_name, persist_result=False, validate_parameters=False, log_prints=False)
async def scene_flow(scene_id: str, scene_sha256: str, index: int, total: int, config: PipelineConfig) -> SceneOutcome | State:
    """Phases 2, 3 and 4 for one scene, then the contract check. Fails the subflow when the scene fails."""
    # Short on purpose: Prefect reads and tokenizes a subflow's source on every call. The subflow keeps its
    # scene tag; its tasks must not inherit it.
    with TagsContext(current_tags=set()):
        return await _scene_phases(_scenes[scene_sha256][0], index, total, config)


async def _scene_phases(scene: Scene, index: int, total: int, config: PipelineConfig) -> SceneOutcome | State:
    read_emotion, retrieve_knowledge, decide_lighting = _scene_tasks(config.caches_scene_work)
    outcome = SceneOutcome(scene=scene)
    sid = scene.scene_id
    record = outcome.phases.append
    if not config.enable_phase_2:
        record(phase_result(2, scene_id=sid, status="skipped"))
    with failure_rule("emotion", 2, record, sid):
        if config.enable_phase_2:
            outcome.scene, seconds, hit = await _call(read_emotion, quote(scene))
            emotion = outcome.scene.emotion
            record(phase_result(2, seconds, sid, primary=emotion.primary if emotion else None, cached=hit))
    try:
        with failure_rule("scene", 3, record, sid):
            outcome.knowledge = await _knowledge(retrieve_knowledge, outcome, index, total, config)
        if not config.enable_phase_4:
            record(phase_result(4, scene_id=sid, status="skipped"))
            return outcome
        with failure_rule("scene", 4, record, sid):
            cues, seconds, hit = await _call(decide_lighting, quote(outcome.scene), quote(outcome.knowledge), config)
            kb = phases.knowledge.load_knowledge(rig=config.rig)
            outcome.cues = check_cues(cues, outcome.scene, kb.rig, set(kb.colours))
            record(phase_result(4, seconds, sid, cues=len(outcome.cues), cached=hit))
    except SceneFailed as failed:
        outcome.error = failed.reason
        return Failed(message=outcome.error, data=outcome)
    return outcome


async def _knowledge(
    retrieve_knowledge: Task[Any, Any], outcome: SceneOutcome, index: int, total: int, config: PipelineConfig
) -> SceneKnowledge:
    sid = outcome.scene.scene_id
    if config.enable_phase_3:
        knowledge, seconds, hit = await _call(retrieve_knowledge, quote(outcome.scene), index, total, config)
        outcome.phases.append(phase_result(3, seconds, sid, rules=len(knowledge.rules), cached=hit))
        return knowledge
    kb = phases.knowledge.load_knowledge(rig=config.rig)
    outcome.phases.append(phase_result(3, scene_id=sid, status="skipped"))
    return SceneKnowledge(scene_id=sid, rules=[], fixture_ids=[], kb_version=kb.version)


async def outcome_of(state: State, scene: Scene) -> "SceneOutcome":
    """The SceneOutcome a scene subflow ended with (its data, whether it completed or failed)."""
    result = await state.result(raise_on_failure=False) if state.is_failed() else await state.result()
    if isinstance(result, BaseException):
        raise result
    return result if isinstance(result, SceneOutcome) else SceneOutcome(scene=scene, error=state.message)
