"""Hand-made multi-cue shows on the default rig for the export tests and bench: point cues, follows,
delays, per-area overrides, structure cues and act breaks, written as a finished output folder."""

import json
from pathlib import Path

from phases.contracts import (
    AreaLevel,
    CueTrigger,
    Effect,
    GroupInstruction,
    GroupParameters,
    LightingInstruction,
    Scene,
    SourceSpan,
    TimeWindow,
    Transition,
)
from phases.knowledge import load_knowledge

SCENE_SECONDS = 120.0
COLOURS = ("bastard_amber", "steel_blue", "straw", "special_lavender", "medium_blue", "pale_gold")


def _scene(n: int, act: int) -> Scene:
    text = (
        f"SCENE {n}. A room.\nEnter HAMLET.\nHAMLET: To be, or not to be, that is the question.\n"
        "Lights fade to a single special.\nThunder and lightning.\n"
    )
    return Scene(
        scene_id=f"scene_{n:03d}",
        script_type="raw_drama",
        time_window=TimeWindow(start=(n - 1) * SCENE_SECONDS, end=n * SCENE_SECONDS),
        text=text,
        heading=f"ACT {act}, SCENE {n}",
        act=act,
        source=SourceSpan(start_char=0, end_char=len(text), start_line=10 * n, end_line=10 * n + 5),
    )


def _groups(level: float, colour: str, duration: float, delay: float = 0.0) -> list[GroupInstruction]:
    rig = load_knowledge().rig
    out = []
    for k, group_id in enumerate(rig.group_ids()):
        out.append(
            GroupInstruction(
                group_id=group_id,
                parameters=GroupParameters(intensity=round(max(0.0, level - 0.1 * k), 2), color=colour),
                transition=Transition(type="fade", duration=duration + k, delay=delay if k == 4 else 0),
            )
        )
    return out


def show(cue_count: int = 12, acts: int = 2) -> tuple[list[Scene], list[LightingInstruction]]:
    """About `cue_count` cues: per scene a scene-start cue, a point cue on a direction with a McCandless
    override, a follow with a delayed cyc, and a storm; a preset and a final blackout as structure cues."""
    scenes: list[Scene] = []
    cues: list[LightingInstruction] = []
    per_scene = 4
    n_scenes = max(1, (cue_count - 2) // per_scene)
    cues.append(
        LightingInstruction(
            scene_id="scene_001",
            cue_number=0.5,
            label="Preset: house and cyc",
            called_on=CueTrigger(kind="structure", moment="preset"),
            time_window=TimeWindow(start=0, end=0),
            groups=[
                GroupInstruction(
                    group_id="ambient",
                    parameters=GroupParameters(intensity=0.4, color="sky_blue"),
                    transition=Transition(type="fade", duration=5),
                )
            ],
        )
    )
    for n in range(1, n_scenes + 1):
        act = 1 + (n - 1) * acts // n_scenes
        sc = _scene(n, act)
        scenes.append(sc)
        t0 = sc.time_window.start
        base = 10 * n
        colour = COLOURS[n % len(COLOURS)]
        marks = [(0, 30), (30, 60), (60, 90), (90, 120)]
        line = sc.text.index("HAMLET:")
        direction = sc.text.index("Lights fade")
        storm = sc.text.index("Thunder")
        front = _groups(0.8, colour, 3.0)
        front[0] = front[0].model_copy(
            update={
                "overrides": [
                    AreaLevel(area="DSL", intensity=0.3),
                    AreaLevel(fixture_id="fw_dc_cool", intensity=0.55, color="steel_blue"),
                ]
            }
        )
        spec = [
            (float(base), f"Sc {n}: lights up", CueTrigger(kind="scene_start"), _groups(0.8, colour, 5.0)),
            (
                base + 0.5,
                f"Sc {n}: on Hamlet's line",
                CueTrigger(kind="line", text="To be, or not to be", char_offset=line, script_line=10 * n + 2),
                front,
            ),
            (
                float(base + 1),
                f"Sc {n}: special only",
                CueTrigger(kind="follow", follow_wait=2.5),
                _groups(0.3, "steel_blue", 1.5, delay=2.0),
            ),
            (
                float(base + 2),
                f"Sc {n}: storm",
                CueTrigger(kind="direction", text="Thunder and lightning.", char_offset=storm, script_line=10 * n + 4),
                [
                    GroupInstruction(
                        group_id="ambient",
                        parameters=GroupParameters(
                            intensity=0.6, color="moonlight_blue", effect=Effect(type="lightning", rate_hz=0.3, seed=n)
                        ),
                        transition=Transition(type="cut", duration=0),
                    )
                ],
            ),
        ]
        assert direction > 0
        for (number, label, trigger, groups), (a, b) in zip(spec, marks, strict=True):
            cues.append(
                LightingInstruction(
                    scene_id=sc.scene_id,
                    cue_number=number,
                    label=label,
                    called_on=trigger,
                    time_window=TimeWindow(start=t0 + a, end=t0 + b),
                    groups=groups,
                )
            )
    end = n_scenes * SCENE_SECONDS
    cues.append(
        LightingInstruction(
            scene_id=scenes[-1].scene_id,
            cue_number=float(10 * n_scenes + 9),
            label="Final blackout",
            called_on=CueTrigger(kind="structure", moment="final_blackout"),
            time_window=TimeWindow(start=end, end=end + 5),
            groups=[
                GroupInstruction(
                    group_id="front_wash",
                    parameters=GroupParameters(intensity=0, color="warm_white"),
                    transition=Transition(type="fade", duration=4),
                )
            ],
        )
    )
    return scenes, cues


def write_plan_dir(directory: Path, scenes: list[Scene], cues: list[LightingInstruction]) -> Path:
    """The two plan files of a finished `cueflow run` output folder."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scenes.json").write_text(json.dumps([s.model_dump(mode="json") for s in scenes]), encoding="utf-8")
    (directory / "lighting_instructions.json").write_text(json.dumps([c.model_dump(mode="json") for c in cues]), encoding="utf-8")
    return directory
