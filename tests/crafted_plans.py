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
        text=f"Scene {n}. " + " ".join(cues or []),
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


def final_blackout(last: Scene, fade: float = 3.0) -> LightingInstruction:
    """The last scene's closing cue: a fade to black over its last seconds (a structure cue)."""
    window = last.time_window
    dark = instruction(last, level=0.0, transition=Transition(type="fade", duration=fade))
    return dark.model_copy(
        update={
            "cue_number": dark.cue_number + 0.5,
            "label": "Final blackout",
            "called_on": CueTrigger(kind="structure", moment="final_blackout"),
            "time_window": TimeWindow(start=window.end - fade, end=window.end),
        }
    )


def good(n_scenes: int = 4, ending: bool = True) -> Crafted:
    """A plan every metric passes: a steady serene look, with one script cue honoured in scene 2, then a
    final fade to black. Cue k is scene k's look; the blackout (when `ending`) comes last."""
    scenes = [scene(n, cues=[GOOD_CUE] if n == 2 else None) for n in range(1, n_scenes + 1)]
    plan = [instruction(s, honoured=list(s.explicit_lighting)) for s in scenes]
    if ending:
        last = plan[-1]
        plan[-1] = last.model_copy(
            update={"time_window": TimeWindow(start=last.time_window.start, end=last.time_window.end - 3.0)}
        )
        plan.append(final_blackout(scenes[-1]))
    return Crafted(scenes, plan)


def with_scene(crafted: Crafted, n: int, make: Callable[[Scene], LightingInstruction]) -> Crafted:
    """The crafted plan with scene n's look (cue n) replaced; the cues after the scenes' looks are kept."""
    looks = [make(s) if k == n - 1 else i for k, (s, i) in enumerate(zip(crafted.scenes, crafted.plan, strict=False))]
    return Crafted(crafted.scenes, looks + crafted.plan[len(crafted.scenes) :])


def split(crafted: Crafted, n: int, looks: list[float], kind: str = "follow") -> Crafted:
    """Scene n played as several cues of its own (levels `looks`), each called as `kind` (follow, direction...)."""
    sc = crafted.scenes[n - 1]
    base = crafted.plan[n - 1]
    window = base.time_window
    span = window.duration / len(looks)
    cues = []
    for k, level in enumerate(looks):
        cue = instruction(sc, level=level, honoured=list(sc.explicit_lighting))
        called = (
            CueTrigger(kind="follow", follow_wait=0)
            if kind == "follow"
            else CueTrigger(kind=kind, text="A direction.", char_offset=k * 10)  # type: ignore[arg-type]
        )
        cues.append(
            cue.model_copy(
                update={
                    "cue_number": base.cue_number + k / 10,
                    "called_on": called if k else base.called_on,
                    "time_window": TimeWindow(start=window.start + k * span, end=window.start + (k + 1) * span),
                }
            )
        )
    plan = [*crafted.plan[: n - 1], *cues, *crafted.plan[n:]]
    return Crafted(crafted.scenes, plan)


def stretched(crafted: Crafted, factor: float) -> Crafted:
    """Every scene and cue `factor` times as long."""

    def longer(window: TimeWindow) -> TimeWindow:
        return TimeWindow(start=window.start * factor, end=window.end * factor)

    scenes = [s.model_copy(update={"time_window": longer(s.time_window)}) for s in crafted.scenes]
    plan = [c.model_copy(update={"time_window": longer(c.time_window)}) for c in crafted.plan]
    return Crafted(scenes, plan)


# The faults of design-review.md in one plan: one look per scene held for 20 minutes, flat levels, night as
# bright as day, the key below back light and specials, a dozen back and side colours, no show structure,
# and the last look held at the end.
REVIEW_BACK_SIDE = [
    ("flame_red", "lime_green"),
    ("steel_blue", "lavender"),
    ("bastard_amber", "medium_blue"),
    ("light_pink", "primary_green"),
    ("congo_blue", "straw"),
    ("dark_magenta", "sky_blue"),
    ("medium_amber", "slate_blue"),
    ("bright_pink", "spring_yellow"),
]


def design_review_plan() -> Crafted:
    times = ["day", "night", "morning", "night", "afternoon", "midnight", "day", "night"]
    scenes = []
    plan = []
    for n, time in enumerate(times, start=1):
        sc = scene(n, emotion="tension").model_copy(update={"time_of_day": time})
        sc = sc.model_copy(update={"time_window": TimeWindow(start=(n - 1) * 1200.0, end=n * 1200.0)})
        scenes.append(sc)
        back, side = REVIEW_BACK_SIDE[n - 1]
        flat = 0.42 if time in ("night", "midnight") else 0.40  # night no darker than day
        level = {
            "front_wash": flat - 0.07,
            "back_light": flat + 0.08,
            "side_fill": flat,
            "specials": flat + 0.05,
            "ambient": flat,
        }
        colour = {"front_wash": "neutral_white", "back_light": back, "side_fill": side, "specials": "warm_white", "ambient": back}
        plan.append(instruction(sc, level=level, colour=colour))
    return Crafted(scenes, plan)
