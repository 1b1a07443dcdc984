"""A QLC+ 4 workspace (.qxw): the rig's fixtures, one function per cue, and a Chaser run as a Cue List.

Fixtures keep their manufacturer, model, mode and the rig's own names (a fixture with no definition becomes
QLC+'s generic dimmer pack of its mode's channel count). A cue is a Scene holding the values Phase 8 sends
for its steady state; a cue with effects is a Collection of that Scene and a Script that starts one Sequence
per effect (a Script, because a Collection would impose the cue's fade on every step of the effect), so the
effects run with their cue and stop with it. Functions are named "Cue 012.5 label" (zero-padded: they sort
in cue order), in a folder of their own. The chaser's steps are the cues in order: fade in = the cue's up
time; fade out = the next cue's down time; hold = infinite for a GO, or the follow's wait less the fade in.
QLC+ has no per-step delay: a delay goes in the step note, with the effects. The Cue List widget is sized
so every column shows, with GO and back bound to keys.

`into`: the cue list is added to an existing workspace (a copy of it), keeping its fixtures, functions,
virtual console and I/O patch; the rig's fixtures are found in it by their DMX addresses.
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from phases.hardware.patch import PatchedFixture

from .cue_list import ConsoleCue, ConsoleShow, number_text, seconds_text
from .cue_states import cue_channel_values
from .errors import ExportError
from .labels import cut_at_word
from .qlc_effects import CueEffect, cue_effects
from .qlc_settings import QlcSettings, qlc_settings

__all__ = ["cue_name", "qlc_settings", "scene_name", "write_workspace"]


def _ms(seconds: float) -> str:
    return str(int(round(seconds * 1000)))


def _digits(show: ConsoleShow) -> int:
    return max(qlc_settings().number_digits, len(str(int(max(c.number for c in show.cues)))))


def cue_name(cue: ConsoleCue, digits: int | None = None) -> str:
    """ "Cue 012.5 Storm breaks..." : the number zero-padded so names sort in cue order, the label cut at a word."""
    settings = qlc_settings()
    whole, _, fraction = number_text(cue.number).partition(".")
    number = whole.zfill(digits or settings.number_digits) + (f".{fraction}" if fraction else "")
    return f"Cue {number} {cut_at_word(cue.label, settings.name_label_chars, '…')}"


scene_name = cue_name


@dataclass(frozen=True)
class QlcFixture:
    qlc_id: int
    name: str
    manufacturer: str
    model: str
    mode: str
    universe: int  # from 1
    address: int  # from 1
    channels: int


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _appearance(parent: ET.Element, q: Callable[[str], str]) -> None:
    a = _sub(parent, q("Appearance"))
    for tag, text in (("FrameStyle", "None"), ("ForegroundColor", "Default"), ("BackgroundColor", "Default")):
        _sub(a, q(tag), text)
    _sub(a, q("BackgroundImage"), "None")
    _sub(a, q("Font"), "Default")


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
    notes += [f"fx {e}" for e in cue.effects]
    return fade_in, hold, fade_out, "; ".join(notes)


def _speed(parent: ET.Element, q: Callable[[str], str], fade_in: str = "0", fade_out: str = "0") -> None:
    _sub(parent, q("Speed"), FadeIn=fade_in, FadeOut=fade_out, Duration="0")


class _Workspace:
    """The document being written: a new one, or a copy of the workspace the cue list goes into."""

    def __init__(self, show: ConsoleShow, into: Path | None) -> None:
        settings = qlc_settings()
        ET.register_namespace("", settings.namespace)
        self.show = show
        self.renderer, self.states = cue_channel_values(show.instructions, show.rig, show.colours, show.profiles)
        self.patched = {p.fixture.fixture_id: p for p in self.renderer.fixtures}
        self.ns = f"{{{settings.namespace}}}"
        if into is None:
            self.root = ET.Element(self.q("Workspace"), {"CurrentWindow": "VirtualConsole"})
            creator = _sub(self.root, self.q("Creator"))
            _sub(creator, self.q("Name"), "Q Light Controller Plus")
            _sub(creator, self.q("Version"), settings.creator_version)
            _sub(creator, self.q("Author"), "cueflow")
            self.engine = _sub(self.root, self.q("Engine"))
            self.fixtures, self.place = self._new_fixtures()
            self.next_function = 0
            self.console: ET.Element | None = None
        else:
            self.root = _read_workspace(into)
            self.ns = self.root.tag[: self.root.tag.index("}") + 1] if self.root.tag.startswith("{") else ""
            engine = self.root.find(self.q("Engine"))
            if engine is None:
                raise ExportError(f"{into}: damaged QLC+ workspace: no <Engine> element")
            self.engine = engine
            self.fixtures, self.place = self._found_fixtures(into)
            ids = [int(f.get("ID", "-1")) for f in engine.iter(self.q("Function")) if f.get("ID", "").isdigit()]
            self.next_function = max(ids, default=-1) + 1
            self.console = self.root.find(self.q("VirtualConsole"))

    def _new_fixtures(self) -> tuple[list[QlcFixture], dict[str, tuple[int, int]]]:
        settings = qlc_settings()
        iomap = _sub(self.engine, self.q("InputOutputMap"))
        for universe in sorted({p.universe for p in self.patched.values()}):
            _sub(iomap, self.q("Universe"), Name=f"Universe {universe}", ID=str(universe - 1))
        units: list[list[PatchedFixture]] = []  # the heads of a dimmer pack (Fixture.unit) are one QLC+ fixture
        for p in self.patched.values():
            if p.fixture.unit is not None and units and units[-1][0].fixture.unit == p.fixture.unit:
                units[-1].append(p)
            else:
                units.append([p])
        fixtures, place = [], {}
        for qlc_id, heads in enumerate(units):
            p, f = heads[0], heads[0].fixture
            manufacturer, model = f.manufacturer or p.profile.manufacturer, f.model or p.profile.model
            own = bool(manufacturer and model)
            fixture = QlcFixture(
                qlc_id,
                f.unit or f.name or f.fixture_id,
                manufacturer if own else settings.generic["manufacturer"],  # type: ignore[arg-type]
                model if own else settings.generic["model"],  # type: ignore[arg-type]
                (f.patch.mode or p.profile.mode or p.profile.name) if own else settings.generic["mode"],
                p.universe,
                p.start + 1,
                sum(h.profile.footprint for h in heads),
            )
            element = _sub(self.engine, self.q("Fixture"))
            for tag, value in (
                ("Manufacturer", fixture.manufacturer), ("Model", fixture.model), ("Mode", fixture.mode),
                ("ID", str(qlc_id)), ("Name", fixture.name), ("Universe", str(p.universe - 1)),
                ("Address", str(p.start)), ("Channels", str(fixture.channels)),
            ):  # fmt: skip
                _sub(element, self.q(tag), value)
            fixtures.append(fixture)
            for h in heads:
                place[h.fixture.fixture_id] = (qlc_id, h.start - p.start)
        head_of = {h.fixture.fixture_id: index for heads in units for index, h in enumerate(heads)}
        for group_number, group in enumerate(self.show.rig.groups):  # the rig's groups, so a re-import keeps them
            members = [p.fixture.fixture_id for p in self.patched.values() if p.fixture.group_id == group.group_id]
            element = _sub(self.engine, self.q("FixtureGroup"), ID=str(group_number))
            _sub(element, self.q("Name"), group.name or group.group_id)
            _sub(element, self.q("Size"), X=str(max(1, len(members))), Y="1")
            for x, member in enumerate(members):
                _sub(element, self.q("Head"), str(head_of[member]), X=str(x), Y="0", Fixture=str(place[member][0]))
        return fixtures, place

    def _found_fixtures(self, into: Path) -> tuple[list[QlcFixture], dict[str, tuple[int, int]]]:
        """The workspace's fixtures, and where each rig fixture is among them: (QLC+ fixture, channel offset)."""
        fixtures = []
        for element in self.engine.findall(self.q("Fixture")):
            try:
                fixtures.append(
                    QlcFixture(
                        int(element.findtext(self.q("ID")) or ""), element.findtext(self.q("Name")) or "",
                        element.findtext(self.q("Manufacturer")) or "", element.findtext(self.q("Model")) or "",
                        element.findtext(self.q("Mode")) or "", int(element.findtext(self.q("Universe")) or "0") + 1,
                        int(element.findtext(self.q("Address")) or "") + 1, int(element.findtext(self.q("Channels")) or "1"),
                    )
                )  # fmt: skip
            except ValueError:
                raise ExportError(f"{into}: damaged QLC+ workspace: a fixture without a numeric ID or address") from None
        place = {}
        for fixture_id, p in self.patched.items():
            first, last = p.start + 1, p.start + p.profile.footprint
            host = next(
                (f for f in fixtures if f.universe == p.universe and f.address <= first and last < f.address + f.channels), None
            )
            if host is None:
                raise ExportError(
                    f"{into}: no fixture at {p.universe}.{first}-{last} for {fixture_id}: export for the rig this workspace holds"
                )
            place[fixture_id] = (host.qlc_id, first - host.address)
        return fixtures, place

    def q(self, tag: str) -> str:
        """The tag in the document's namespace (an old workspace, such as QLC+'s Sample.qxw, has none)."""
        return f"{self.ns}{tag}"

    def new_id(self) -> int:
        self.next_function += 1
        return self.next_function - 1

    def function(self, function_id: int, kind: str, name: str, path: str, **attrs: str) -> ET.Element:
        return _sub(self.engine, self.q("Function"), ID=str(function_id), Type=kind, Name=name, Path=path, **attrs)

    def scene_values(self, scene: ET.Element, values: dict[str, list[int]], leave_out: dict[str, tuple[int, ...]]) -> None:
        """FixtureVal per QLC+ fixture: the rig fixtures' channel values at their offsets, less `leave_out`."""
        merged: dict[int, list[tuple[int, int]]] = {}
        for fixture_id, channel_values in values.items():
            qlc_id, offset = self.place[fixture_id]
            skip = set(leave_out.get(fixture_id, ()))
            merged.setdefault(qlc_id, []).extend((offset + i, v) for i, v in enumerate(channel_values) if i not in skip)
        for qlc_id, pairs in merged.items():
            _sub(scene, self.q("FixtureVal"), ",".join(f"{c},{v}" for c, v in sorted(pairs)), ID=str(qlc_id))


def _read_workspace(path: Path) -> ET.Element:
    try:
        root = ET.parse(path).getroot()  # noqa: S314 (a workspace the user names, as QLC+ itself reads it)
    except FileNotFoundError:
        raise ExportError(f"{path}: workspace not found") from None
    except OSError as exc:
        raise ExportError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise ExportError(f"{path}: not a QLC+ workspace (XML error at line {exc.position[0]})") from None
    if root.tag.rsplit("}", 1)[-1] != "Workspace":
        raise ExportError(f"{path}: not a QLC+ workspace (root element <{root.tag.split('}')[-1]}>)")
    return root


def _effect_functions(ws: _Workspace, effects: list[CueEffect], cue: ConsoleCue, path: str, digits: int) -> int:
    """A Sequence (and its bound Scene) per effect, and the Script that starts them: its function ID."""
    settings = qlc_settings()
    sequences = []
    for effect in effects:
        label = f"{cue_name(cue, digits)} - {effect.group_id} {effect.effect.type} {effect.effect.rate_hz:g} Hz"
        bound = ws.new_id()
        scene = ws.function(bound, "Scene", f"{label} (channels)", path)
        _speed(scene, ws.q)
        ws.scene_values(
            scene,
            {f: [0] * len(ws.states[0][f]) for f in effect.fixtures},
            {f: tuple(i for i in range(len(ws.states[0][f])) if i not in effect.channels[f]) for f in effect.fixtures},
        )
        sequence_id = ws.new_id()
        sequence = ws.function(sequence_id, "Sequence", label, path, BoundScene=str(bound))
        _speed(sequence, ws.q)
        _sub(sequence, ws.q("Direction"), "Forward")
        _sub(sequence, ws.q("RunOrder"), "Loop" if effect.loop else "SingleShot")
        _sub(sequence, ws.q("SpeedModes"), FadeIn="PerStep", FadeOut="PerStep", Duration="PerStep")
        count = sum(len(effect.channels[f]) for f in effect.fixtures)
        written: dict[tuple[str, bytes], str] = {}  # a storm's steps repeat the same few values: write each once
        for number, step in enumerate(effect.steps):
            chunks = []
            for fixture_id in effect.fixtures:
                values = step.values[fixture_id]
                chunk = written.get((fixture_id, values))
                if chunk is None:
                    qlc_id, offset = ws.place[fixture_id]
                    pairs = [f"{offset + i},{values[i]}" for i in effect.channels[fixture_id] if values[i]]
                    chunk = written[(fixture_id, values)] = f"{qlc_id}:{','.join(pairs)}" if pairs else ""
                if chunk:
                    chunks.append(chunk)
            _sub(
                sequence, ws.q("Step"), ":".join(chunks) or None, Number=str(number), FadeIn=str(step.fade_ms),
                Hold=str(step.hold_ms), FadeOut="0", Values=str(count),
            )  # fmt: skip
        sequences.append(sequence_id)
    script_id = ws.new_id()
    script = ws.function(script_id, "Script", f"{cue_name(cue, digits)} - effects", path)
    _speed(script, ws.q)
    _sub(script, ws.q("Direction"), "Forward")
    _sub(script, ws.q("RunOrder"), "SingleShot")
    # The Script keeps the Sequences running while the cue is live; when the cue list leaves the cue, it stops.
    for command in [*(f"startfunction:{s}" for s in sequences), f"wait:{settings.infinite_hold_ms}"]:
        _sub(script, ws.q("Command"), quote(command, safe=""))
    return script_id


def _widget_size(show: ConsoleShow, names: list[str], notes: list[str], settings: QlcSettings) -> tuple[int, int]:
    w = settings.widget
    name_px = max(len(n) for n in names) * w.char_px + w.padding_px
    notes_px = max((len(n) for n in notes), default=10) * w.char_px + w.padding_px
    width = w.number_px + name_px + 3 * w.time_px + notes_px + w.padding_px
    rows = min(max(len(show.cues), w.min_rows), w.max_rows)
    size = settings.console_size
    return min(math.ceil(width), size["width"] - 20), min(rows * w.row_px + w.chrome_px, size["height"] - 20)


def _cue_list_widget(ws: _Workspace, chaser_id: int, names: list[str], notes: list[str]) -> None:
    settings = qlc_settings()
    if ws.console is None:
        ws.console = _sub(ws.root, ws.q("VirtualConsole"))
        frame = _sub(ws.console, ws.q("Frame"), Caption="")
        _appearance(frame, ws.q)
        properties = _sub(ws.console, ws.q("Properties"))
        size = settings.console_size
        _sub(properties, ws.q("Size"), Width=str(size["width"]), Height=str(size["height"]))
        _sub(properties, ws.q("GrandMaster"), ChannelMode="Intensity", ValueMode="Reduce", SliderMode="Normal")
    frame = ws.console.find(ws.q("Frame"))
    if frame is None:
        frame = _sub(ws.console, ws.q("Frame"), Caption="")
        _appearance(frame, ws.q)
    widgets = [e for e in ws.console.iter() if e.find(ws.q("WindowState")) is not None]  # not the functions they name
    widget_ids = [int(e.get("ID", "")) for e in widgets if e.get("ID", "").isdigit()]
    x, y = settings.cue_list_position["x"], settings.cue_list_position["y"]
    for state in frame.findall(f"*/{ws.q('WindowState')}"):  # below what the console already has
        y = max(y, int(state.get("Y", "0")) + int(state.get("Height", "0")) + 10)
    width, height = _widget_size(ws.show, names, notes, settings)
    # A workspace whose widgets carry no IDs (an old one) gets its IDs from QLC+ as it loads: so does the cue list.
    ids = {"ID": str(max(widget_ids, default=-1) + 1)} if widget_ids or not widgets else {}
    cue_list = _sub(frame, ws.q("CueList"), Caption=settings.cue_list_caption, **ids)
    _sub(cue_list, ws.q("WindowState"), Visible="False", X=str(x), Y=str(y), Width=str(width), Height=str(height))
    _appearance(cue_list, ws.q)
    _sub(cue_list, ws.q("Chaser"), str(chaser_id))
    _sub(cue_list, ws.q("NextPrevBehavior"), "0")
    _sub(_sub(cue_list, ws.q("Next")), ws.q("Key"), settings.go_key)
    _sub(_sub(cue_list, ws.q("Previous")), ws.q("Key"), settings.back_key)
    _sub(cue_list, ws.q("Playback"))
    _sub(cue_list, ws.q("Stop"))


def build_workspace(show: ConsoleShow, into: Path | None = None) -> bytes:
    settings = qlc_settings()
    ws = _Workspace(show, into)
    digits = _digits(show)
    folder = f"{settings.folder}/{show.name}"
    caps = {g.group_id: g.max_intensity for g in show.rig.groups}
    made: dict[tuple[object, ...], CueEffect] = {}
    effects = [
        cue_effects(c.looks, ws.renderer, caps, settings, made, math.ceil(i.time_window.duration)) if c.effects else []
        for c, i in zip(show.cues, show.instructions, strict=True)
    ]
    step_ids = [ws.new_id() for _ in show.cues]
    chaser_id = ws.new_id()
    names = [cue_name(c, digits) for c in show.cues]
    for cue, step_id, state, cue_fx, name in zip(show.cues, step_ids, ws.states, effects, names, strict=True):
        moved = {f: e.channels[f] for e in cue_fx for f in e.fixtures}
        if not cue_fx:
            scene = ws.function(step_id, "Scene", name, folder)
            _speed(scene, ws.q, _ms(cue.up_time), _ms(cue.down_time))
            ws.scene_values(scene, state, {})
            continue
        scene_id = ws.new_id()
        scene = ws.function(scene_id, "Scene", f"{name} - state", f"{folder}/effects")
        _speed(scene, ws.q, _ms(cue.up_time), _ms(cue.down_time))
        ws.scene_values(scene, state, moved)  # the effects own the channels they move
        script_id = _effect_functions(ws, cue_fx, cue, f"{folder}/effects", digits)
        collection = ws.function(step_id, "Collection", name, folder)
        for number, member in enumerate((scene_id, script_id)):
            _sub(collection, ws.q("Step"), str(member), Number=str(number))
    chaser = ws.function(chaser_id, "Chaser", f"{show.name} cue list", folder)
    _speed(chaser, ws.q)
    _sub(chaser, ws.q("Direction"), "Forward")
    _sub(chaser, ws.q("RunOrder"), "SingleShot")
    _sub(chaser, ws.q("SpeedModes"), FadeIn="PerStep", FadeOut="PerStep", Duration="PerStep")
    notes = []
    for number, step_id in enumerate(step_ids):
        fade_in, hold, fade_out, note = _step_times(show, number, settings.infinite_hold_ms)
        notes.append(note)
        _sub(chaser, ws.q("Step"), str(step_id), Number=str(number), FadeIn=fade_in, Hold=hold, FadeOut=fade_out, Note=note)
    _cue_list_widget(ws, chaser_id, names, notes)
    if into is None:
        _sub(_sub(ws.root, ws.q("SimpleDesk")), ws.q("Engine"))
    ET.indent(ws.root, space=" ")
    body = ET.tostring(ws.root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Workspace>\n' + body + "\n").encode("utf-8")


def write_workspace(show: ConsoleShow) -> bytes:
    return build_workspace(show, show.qlc_into)
