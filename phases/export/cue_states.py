"""Each cue's steady state as DMX channel values, made by Phase 8's own renderer (so a QLC+ Scene holds
exactly what cueflow would send): every cue is cut to at its own second, with its effects left out,
since QLC+ plays the fade times itself and an effect is motion on top of the state."""

from phases.contracts import Colour, LightingInstruction, Rig, TimeWindow, Transition
from phases.hardware.errors import HardwareError
from phases.hardware.profiles import FixtureProfile
from phases.hardware.renderer import ShowRenderer

from .errors import ExportError

CUT = Transition(type="cut", duration=0)


def _steady(cue: LightingInstruction, index: int) -> LightingInstruction:
    groups = [
        g.model_copy(update={"transition": CUT, "parameters": g.parameters.model_copy(update={"effect": None})})
        for g in cue.groups
    ]
    return cue.model_copy(update={"groups": groups, "time_window": TimeWindow(start=index, end=index + 1)})


def cue_channel_values(
    cues: list[LightingInstruction], rig: Rig, colours: dict[str, Colour], profiles: dict[str, FixtureProfile]
) -> tuple[ShowRenderer, list[dict[str, list[int]]]]:
    """The renderer (its patched fixtures), and per cue: fixture_id -> the values of every channel of its mode."""
    try:
        renderer = ShowRenderer([_steady(c, i) for i, c in enumerate(cues)], rig, colours, profiles)
    except HardwareError as exc:
        raise ExportError(f"rig: {exc}") from None
    states = []
    for index in range(len(cues)):
        frames = renderer.frame_at(float(index))
        states.append({f.fixture.fixture_id: list(frames[f.universe][f.start : f.end]) for f in renderer.fixtures})
    return renderer, states
