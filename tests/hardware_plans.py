"""Small lighting plans for the Phase 8 tests, built from the contracts."""

from phases.contracts import LightingInstruction
from phases.hardware import ShowRenderer, load_profiles
from phases.knowledge import load_knowledge


def cue(scene: int, start: float, end: float, groups: dict[str, tuple[float, str]], transition: dict | None = None, **extra):
    return LightingInstruction.model_validate(
        {
            "scene_id": f"scene_{scene:03d}",
            "cue_number": scene,
            "label": f"cue {scene}",
            "called_on": {"kind": "scene_start"},
            "time_window": {"start": start, "end": end},
            "groups": [
                {
                    "group_id": group,
                    "parameters": {"intensity": level, "color": colour, **extra.get(group, {})},
                    **({"transition": transition} if transition else {}),
                }
                for group, (level, colour) in groups.items()
            ],
        }
    )


ALL_GROUPS = ("front_wash", "back_light", "side_fill", "specials", "ambient")


def two_cue_fade_plan() -> list[LightingInstruction]:
    """Cue 1 (0-2 s): front wash at half in warm white, cut. Cue 2 (2-4 s): a 1 s fade to full steel blue."""
    return [
        cue(1, 0, 2, {"front_wash": (0.5, "warm_white"), "back_light": (0.25, "steel_blue")}),
        cue(2, 2, 4, {"front_wash": (1.0, "steel_blue"), "back_light": (1.0, "steel_blue")}, {"type": "fade", "duration": 1}),
    ]


def blackout_plan() -> list[LightingInstruction]:
    """Everything up, then a blackout cue (every group at 0, cut)."""
    return [
        cue(1, 0, 1, {g: (1.0, "daylight") for g in ALL_GROUPS}),
        cue(2, 1, 2, {g: (0.0, "daylight") for g in ALL_GROUPS}),
    ]


def renderer_for(plan: list[LightingInstruction]) -> ShowRenderer:
    """The default rig's renderer for a plan."""
    kb = load_knowledge()
    return ShowRenderer(plan, kb.rig, kb.colours, load_profiles())


def plan_play(script, rig) -> list[LightingInstruction]:
    """Phases 1-4 of a script for a rig file, in process (no Prefect), as `cueflow run --rig` plans it."""
    from phases.decision import LightingDecisionEngine
    from phases.emotion import detect_emotion
    from phases.knowledge import ScenePosition, retrieve
    from phases.parsing import parse_file

    kb = load_knowledge(rig=rig)
    scenes = [s.model_copy(update={"emotion": detect_emotion(s)}) for s in parse_file(script).scenes]
    knowledge = [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    return LightingDecisionEngine(kb=kb).plan(scenes, knowledge)
