"""Small hand-made scenes and plans on the real rig, colour table and rules, for the Phase 5 and 7 tests."""

from collections.abc import Callable
from dataclasses import dataclass

import phases.knowledge
from phases.contracts import (
    CueTrigger,
    Emotion,
    GroupInstruction,
    GroupParameters,
    InstructionMetadata,
    LightingInstruction,
    Scene,
    TimeWindow,
    Transition,
)

SCENE_SECONDS = 60.0
# A serene look that sits inside the serenity rule: about 60 % in neutral white (4300 K).
GOOD_LEVEL = 0.6
GOOD_COLOUR = "neutral_white"
GOOD_CUE = "Lights up slowly on the garden."


@dataclass(frozen=True)
class Crafted:
    scenes: list[Scene]
    plan: list[LightingInstruction]


def knowledge() -> phases.knowledge.KnowledgeBase:
    return phases.knowledge.load_knowledge()


def scene(n: int, emotion: str = "serenity", cues: list[str] | None = None) -> Scene:
    return Scene(
        scene_id=f"scene_{n:03d}",
        script_type="raw_drama",
        time_window=TimeWindow(start=(n - 1) * SCENE_SECONDS, end=n * SCENE_SECONDS),
        text=f"Scene {n}.",
        heading=f"SCENE {n}",
        emotion=Emotion(primary=emotion, primary_confidence=0.8, valence=0.5, arousal=0.2, method="test"),
        explicit_lighting=cues or [],
    )


def instruction(
    sc: Scene,
    level: float | dict[str, float] = GOOD_LEVEL,
    colour: str | dict[str, str] = GOOD_COLOUR,
    transition: Transition | dict[str, Transition] | None = None,
    honoured: list[str] | None = None,
) -> LightingInstruction:
    """One look for every group of the default rig; per-group dicts override the common value."""
    groups = []
    for group_id in knowledge().rig.group_ids():
        groups.append(
            GroupInstruction(
                group_id=group_id,
                parameters=GroupParameters(
                    intensity=level[group_id] if isinstance(level, dict) else level,
                    color=colour[group_id] if isinstance(colour, dict) else colour,
                ),
                transition=(transition.get(group_id) if isinstance(transition, dict) else transition)
                or Transition(type="fade", duration=3.0),
            )
        )
    return LightingInstruction(
        scene_id=sc.scene_id,
        cue_number=float(int(sc.scene_id.split("_")[1])),
        label=sc.heading or sc.scene_id,
        called_on=CueTrigger(kind="scene_start"),
        time_window=sc.time_window,
        groups=groups,
        metadata=InstructionMetadata(method="rules", honoured_cues=honoured or []),
    )


def good(n_scenes: int = 4) -> Crafted:
    """A plan every metric passes: a steady serene look, with one script cue honoured in scene 2."""
    scenes = [scene(n, cues=[GOOD_CUE] if n == 2 else None) for n in range(1, n_scenes + 1)]
    plan = [instruction(s, honoured=list(s.explicit_lighting)) for s in scenes]
    return Crafted(scenes, plan)


def with_scene(crafted: Crafted, n: int, make: Callable[[Scene], LightingInstruction]) -> Crafted:
    """The crafted plan with scene n's instruction replaced."""
    plan = [make(s) if k == n - 1 else i for k, (s, i) in enumerate(zip(crafted.scenes, crafted.plan, strict=True))]
    return Crafted(crafted.scenes, plan)
