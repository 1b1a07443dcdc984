"""Plan a script with the phases alone, no Prefect: Phases 1 to 4 in-process, called as the pipeline calls them."""

from pathlib import Path

from phases.contracts import LightingInstruction, Scene
from phases.decision import LightingDecisionEngine
from phases.emotion import read_scene_emotion
from phases.knowledge import KnowledgeBase, ScenePosition, retrieve
from phases.parsing import parse_file

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PLAYS = SHARED / "scripts" / "plays"
GOLD = SHARED / "gold"


def plan_script(
    path: Path, kb: KnowledgeBase, engine: LightingDecisionEngine
) -> tuple[list[Scene], list, list[LightingInstruction]]:
    """(scenes with their emotion and beats, each scene's knowledge, the cue list): what `cueflow run` plans."""
    scenes = [read_scene_emotion(s) for s in parse_file(path).scenes]
    knowledge = [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    return scenes, knowledge, engine.plan(scenes, knowledge)
