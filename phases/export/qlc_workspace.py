"""A QLC+ 4 workspace (.qxw): the rig's fixtures, one Scene per cue, and a Chaser run as a Cue List.

Fixtures keep their manufacturer, model and mode when the rig has them (a rig imported from QLC+ or a
fixture definition); a fixture with none becomes QLC+'s generic dimmer pack with the mode's channel count.
The chaser's steps are the cues in order with per-step times: fade in = the cue's up time; fade out = the
next cue's down time (QLC+ fades the outgoing step out); hold = infinite for a GO, or the follow's wait
less the fade in, so follows run by themselves. QLC+ has no per-step delay: a delay goes in the step note.
"""

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from phases.data_files import load_yaml_model
from phases.hardware.patch import PatchedFixture

from .cue_list import ConsoleCue, ConsoleShow, number_text, seconds_text
from .cue_states import cue_channel_values
from .errors import ExportError

SETTINGS_FILE = Path(__file__).parent / "data" / "qlc_workspace.yaml"


class QlcSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    namespace: str
    creator_version: str
    generic: dict[str, str]
    infinite_hold_ms: int
    cue_list_caption: str
    cue_list_window: dict[str, int]
    console_size: dict[str, int]


@lru_cache(maxsize=1)
def qlc_settings() -> QlcSettings:
    return load_yaml_model(SETTINGS_FILE, QlcSettings, ExportError)


def _ms(seconds: float) -> str:
    return str(int(round(seconds * 1000)))


def scene_name(cue: ConsoleCue) -> str:
    return f"Cue {number_text(cue.number)} {cue.label}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _appearance(parent: ET.Element) -> None:
    a = _sub(parent, "Appearance")
    for tag, text in (("FrameStyle", "None"), ("ForegroundColor", "Default"), ("BackgroundColor", "Default")):
        _sub(a, tag, text)
    _sub(a, "BackgroundImage", "None")
    _sub(a, "Font", "Default")


def _step_times(show: ConsoleShow, index: int, hold_forever: int) -> tuple[str, str, str, str]:
    cue = show.cues[index]
    after = show.cues[index + 1] if index + 1 < len(show.cues) else None
    fade_in = _ms(cue.up_time)
    fade_out = _ms(after.down_time if after is not None else cue.down_time)
    if after is not None and after.follow_wait is not None:
        hold = _ms(max(0.0, after.follow_wait - cue.up_time))
    else:
        hold = str(hold_forever)
    notes = [cue.label]
    if cue.up_delay or cue.down_delay:
        notes.append(f"delay up {seconds_text(cue.up_delay)} s, down {seconds_text(cue.down_delay)} s")
    return fade_in, hold, fade_out, "; ".join(notes)


def write_workspace(show: ConsoleShow) -> bytes:
    settings = qlc_settings()
    patched, states = cue_channel_values(show.instructions, show.rig, show.colours, show.profiles)
    root = ET.Element("Workspace", {"xmlns": settings.namespace, "CurrentWindow": "VirtualConsole"})
    creator = _sub(root, "Creator")
    _sub(creator, "Name", "Q Light Controller Plus")
    _sub(creator, "Version", settings.creator_version)
    _sub(creator, "Author", "cueflow")
    engine = _sub(root, "Engine")
    iomap = _sub(engine, "InputOutputMap")
    for universe in sorted({p.universe for p in patched}):
        _sub(iomap, "Universe", Name=f"Universe {universe}", ID=str(universe - 1))
    units: list[list[PatchedFixture]] = []  # the heads of a dimmer pack (Fixture.unit) are one QLC+ fixture
    for p in patched:
        if p.fixture.unit is not None and units and units[-1][0].fixture.unit == p.fixture.unit:
            units[-1].append(p)
        else:
            units.append([p])
    for fixture_id, heads in enumerate(units):
        p, f = heads[0], heads[0].fixture
        element = _sub(engine, "Fixture")
        manufacturer, model = f.manufacturer or p.profile.manufacturer, f.model or p.profile.model
        own = bool(manufacturer and model)
        _sub(element, "Manufacturer", manufacturer if own else settings.generic["manufacturer"])
        _sub(element, "Model", model if own else settings.generic["model"])
        _sub(element, "Mode", (f.patch.mode or p.profile.mode or p.profile.name) if own else settings.generic["mode"])
        _sub(element, "ID", str(fixture_id))
        _sub(element, "Name", f.unit or f.name or f.fixture_id)
        _sub(element, "Universe", str(p.universe - 1))
        _sub(element, "Address", str(p.start))
        _sub(element, "Channels", str(sum(h.profile.footprint for h in heads)))
    for group_number, group in enumerate(show.rig.groups):  # the rig's groups, so a re-import keeps them
        members = [(i, h) for i, heads in enumerate(units) for h, p in enumerate(heads) if p.fixture.group_id == group.group_id]
        element = _sub(engine, "FixtureGroup", ID=str(group_number))
        _sub(element, "Name", group.name or group.group_id)
        _sub(element, "Size", X=str(max(1, len(members))), Y="1")
        for x, (member, head) in enumerate(members):
            _sub(element, "Head", str(head), X=str(x), Y="0", Fixture=str(member))
    for function_id, (cue, state) in enumerate(zip(show.cues, states, strict=True)):
        scene = _sub(engine, "Function", ID=str(function_id), Type="Scene", Name=scene_name(cue))
        _sub(scene, "Speed", FadeIn=_ms(cue.up_time), FadeOut=_ms(cue.down_time), Duration="0")
        for fixture_id, heads in enumerate(units):
            channel_values = [v for h in heads for v in state[h.fixture.fixture_id]]
            _sub(scene, "FixtureVal", ",".join(f"{i},{v}" for i, v in enumerate(channel_values)), ID=str(fixture_id))
    chaser_id = len(show.cues)
    chaser = _sub(engine, "Function", ID=str(chaser_id), Type="Chaser", Name=f"{show.name} cue list")
    _sub(chaser, "Speed", FadeIn="0", FadeOut="0", Duration="0")
    _sub(chaser, "Direction", "Forward")
    _sub(chaser, "RunOrder", "SingleShot")
    _sub(chaser, "SpeedModes", FadeIn="PerStep", FadeOut="PerStep", Duration="PerStep")
    for number in range(len(show.cues)):
        fade_in, hold, fade_out, note = _step_times(show, number, settings.infinite_hold_ms)
        _sub(chaser, "Step", str(number), Number=str(number), FadeIn=fade_in, Hold=hold, FadeOut=fade_out, Note=note)
    console = _sub(root, "VirtualConsole")
    frame = _sub(console, "Frame", Caption="")
    _appearance(frame)
    cue_list = _sub(frame, "CueList", Caption=settings.cue_list_caption, ID="0")
    w = settings.cue_list_window
    _sub(cue_list, "WindowState", Visible="False", X=str(w["x"]), Y=str(w["y"]), Width=str(w["width"]), Height=str(w["height"]))
    _appearance(cue_list)
    _sub(cue_list, "Chaser", str(chaser_id))
    properties = _sub(console, "Properties")
    size = settings.console_size
    _sub(properties, "Size", Width=str(size["width"]), Height=str(size["height"]))
    _sub(properties, "GrandMaster", ChannelMode="Intensity", ValueMode="Reduce", SliderMode="Normal")
    _sub(_sub(root, "SimpleDesk"), "Engine")
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Workspace>\n' + body + "\n").encode("utf-8")
