"""The exported QLC+ workspace opened in real, headless QLC+: its fixtures, one Scene per cue, the cue list
with its fade times in order, and the channel values QLC+ outputs when a cue's Scene runs."""

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from phases.export import console_show, export_plan, load_plan
from phases.export.qlc_workspace import qlc_settings, scene_name
from tests.browser import Chromium
from tests.export_plans import show, write_plan_dir
from tests.qlcplus_server import QlcPlus, qlcplus, run_async

NS = {"q": "http://www.qlcplus.org/Workspace"}
ROW = re.compile(r'<tr id="0_(\d+)".*?>\s*<td>(\d+)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>', re.S)


def _qlc_time(ms: int) -> str:
    """How QLC+'s web cue list prints a time (seen in 4.12): 5s, 5s500ms, 0ms, and ∞ for a hold that waits for GO."""
    if ms >= qlc_settings().infinite_hold_ms:
        return "∞"
    seconds, rest = divmod(ms, 1000)
    return (f"{seconds}s" if seconds else "") + (f"{rest}ms" if rest or not seconds else "")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp_path = tmp_path_factory.mktemp("qlc")
    plan_dir = write_plan_dir(tmp_path / "plan", *show(12))
    return plan_dir, export_plan(plan_dir, ["qlc"], tmp_path / "out")["qlc"]


@pytest.fixture(scope="module")
def running(exported: tuple[Path, Path]) -> Iterator[QlcPlus]:
    with qlcplus(exported[1], operate=True) as q:
        yield q


def test_qlcplus_loads_every_cue_and_the_cue_list(exported: tuple[Path, Path], running: QlcPlus) -> None:
    plan_dir, workspace = exported
    cues = console_show(load_plan(plan_dir)).cues
    q = running
    number, listing, widgets, widget_type, chaser_type = q.ask(
        "getFunctionsNumber", "getFunctionsList", "getWidgetsNumber", "getWidgetType|0", f"getFunctionType|{len(cues)}"
    )
    step_types = q.ask(*(f"getFunctionType|{i}" for i in range(len(cues))))
    page = q.page()
    storms = [c for c in cues if c.effects]
    # A cue is a Scene; a cue with an effect a Collection of its state, a Script, and a Sequence (and its Scene).
    assert int(number) == len(cues) + 1 + 4 * len(storms) and len(storms) == 2
    fields = listing.split("|")
    names = dict(zip(map(int, fields[::2]), fields[1::2], strict=True))
    assert [names[i] for i in range(len(cues))] == [scene_name(c) for c in cues]
    assert sorted(names[i] for i in range(len(cues))) == [names[i] for i in range(len(cues))]  # they sort in cue order
    assert names[0].startswith("Cue 000.5 ") and names[1].startswith("Cue 010 ")
    assert names[len(cues)] == "plan cue list"
    assert step_types == ["Collection" if c.effects else "Scene" for c in cues]
    assert sorted(set(names.values()) - {names[i] for i in range(len(cues) + 1)}) == sorted(
        f"{scene_name(c)}{part}" for c in storms for part in (" - state", " - effects", " - ambient lightning 0.3 Hz",
                                                                " - ambient lightning 0.3 Hz (channels)")
    )  # fmt: skip
    assert (chaser_type, widgets, widget_type) == ("Chaser", "1", "Cue list")
    rows = ROW.findall(page)
    assert [int(r[1]) for r in rows] == list(range(1, len(cues) + 1))
    assert [r[2].replace("&apos;", "'").replace("&#39;", "'") for r in rows] == [scene_name(c) for c in cues]
    # Fade in = the cue's up time; fade out = the next cue's down time; a follow's step runs by itself.
    assert [r[3] for r in rows] == [_qlc_time(int(c.up_time * 1000)) for c in cues]
    downs = [int(c.down_time * 1000) for c in cues[1:]] + [int(cues[-1].down_time * 1000)]
    assert [r[4] for r in rows] == [_qlc_time(ms) for ms in downs]
    for index, cue in enumerate(cues[:-1]):
        follows = cues[index + 1].follow_wait is not None
        assert (rows[index][5] != "∞") == follows, cue.number
    assert any(c.follow_wait is not None for c in cues) and any(c.number % 1 for c in cues)
    # GO and back are bound to keys on the Cue List.
    cue_list = ET.parse(workspace).getroot().find("q:VirtualConsole/q:Frame/q:CueList", NS)
    assert cue_list.findtext("q:Next/q:Key", namespaces=NS) == qlc_settings().go_key == "Space"
    assert cue_list.findtext("q:Previous/q:Key", namespaces=NS) == qlc_settings().back_key


def test_every_column_of_the_cue_list_shows(running: QlcPlus) -> None:
    """QLC+'s own web page of the Cue List, in a real Chromium: the table fits its widget, no column cut off."""
    with Chromium(1920, 1080) as browser:
        page = browser.open_page()
        page.goto(f"http://127.0.0.1:{running.port}/")
        deadline = time.monotonic() + 20
        while True:
            fit = page.evaluate(
                """JSON.stringify([...document.querySelectorAll('.vccuelist table')].map(t =>
                    [t.scrollWidth, t.parentElement.clientWidth, t.rows.length, t.rows[0].cells.length]))"""
            )
            found = json.loads(fit)
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert len(found) == 1
    table_width, box_width, rows, columns = found[0]
    assert columns == 6 and rows == 11  # number, name, fade in, fade out, duration, notes; a header and ten cues
    assert table_width <= box_width


def test_go_steps_the_cue_list(exported: tuple[Path, Path], running: QlcPlus) -> None:
    """GO (the Cue List's NEXT, bound to Space) as an operator presses it: the list plays its first cue, then the next."""
    plan_dir, workspace = exported
    cues = console_show(load_plan(plan_dir)).cues
    q = running
    fields = q.ask("getWidgetsList")[0].split("|")
    widget = next(int(w) for w in fields[::2] if q.ask(f"getWidgetType|{w}")[0] == "Cue list")
    q.press(widget, "NEXT")
    deadline = time.monotonic() + 20
    while q.ask(f"getWidgetStatus|{widget}")[0] != "PLAY|0|" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert q.ask(f"getWidgetStatus|{widget}")[0] == "PLAY|0|"
    q.press(widget, "NEXT")
    deadline = time.monotonic() + 20
    while q.ask(f"getWidgetStatus|{widget}")[0] != "PLAY|1|" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert q.ask(f"getWidgetStatus|{widget}")[0] == "PLAY|1|" and cues[1].number == 10
    q.press(widget, "STOP")


def test_qlcplus_outputs_a_cues_channel_values(exported: tuple[Path, Path], running: QlcPlus) -> None:
    plan_dir, workspace = exported
    cues = console_show(load_plan(plan_dir)).cues
    index = next(i for i, c in enumerate(cues) if c.number == 10.5)  # the cue with a McCandless override
    root = ET.parse(workspace).getroot()
    address = {int(f.find("q:ID", NS).text): int(f.find("q:Address", NS).text) for f in root.iterfind("q:Engine/q:Fixture", NS)}
    assert len(address) == 24
    scene = root.find(f"q:Engine/q:Function[@ID='{index}']", NS)
    expected = [0] * 200
    for fixture_values in scene.iterfind("q:FixtureVal", NS):
        numbers = list(map(int, fixture_values.text.split(",")))
        for channel, value in zip(numbers[::2], numbers[1::2], strict=True):
            start = address[int(fixture_values.get("ID"))]
            if start + channel < len(expected):
                expected[start + channel] = value
    # By hand from the intent: fw_dsl_warm (DMX 1-2, 16-bit) 30 %, fw_dsr_warm (25-26) 80 %, fw_dc_cool (19-20) 55 %.
    assert expected[0:2] == [76, 205] and expected[24:26] == [204, 204] and expected[18:20] == [140, 204]
    q = running
    q.start_function(index)
    deadline = time.monotonic() + 60  # the scene fades in over the cue's up time
    while True:
        fields = q.ask("getChannelsValues|1|1|200")[0].split("|")
        values = [int(v) for v in fields[1::3]]
        if values == expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert values == expected


def test_fixtures_with_real_definitions_keep_them_in_qlcplus(tmp_path: Path) -> None:
    """Back lights named as a real QLC+ library fixture (Cameo TS 60 RGBW, 5-channel mode) stay that fixture."""
    import yaml

    from phases.knowledge import load_knowledge

    rig = load_knowledge().rig
    named = [
        f.model_copy(
            update={"manufacturer": "Cameo", "model": "TS 60 RGBW", "patch": f.patch.model_copy(update={"mode": "5 Channel"})}
        )
        if f.group_id == "back_light"
        else f
        for f in rig.fixtures
    ]
    rig_file = tmp_path / "rig.yaml"
    rig_file.write_text(yaml.safe_dump(rig.model_copy(update={"fixtures": named}).model_dump(mode="json")))
    plan_dir = write_plan_dir(tmp_path / "plan", *show(6))
    workspace = export_plan(plan_dir, ["qlc"], tmp_path / "out", rig_file)["qlc"]
    root = ET.parse(workspace).getroot()
    fixtures = root.findall("q:Engine/q:Fixture", NS)
    kept = [
        (f.findtext("q:Manufacturer", namespaces=NS), f.findtext("q:Model", namespaces=NS), f.findtext("q:Mode", namespaces=NS))
        for f in fixtures
    ]
    assert kept.count(("Cameo", "TS 60 RGBW", "5 Channel")) == 4 and kept.count(("Generic", "Generic", "Generic")) == 20
    cues = console_show(load_plan(plan_dir, rig_file)).cues
    index = next(i for i, c in enumerate(cues) if c.number == 10)  # back light at 70 %
    bl_usl = next(f for f in fixtures if f.findtext("q:Name", namespaces=NS) == "bl_usl")
    start = int(bl_usl.findtext("q:Address", namespaces=NS))
    scene = root.find(f"q:Engine/q:Function[@ID='{index}']", NS)
    values = scene.find(f"q:FixtureVal[@ID='{bl_usl.findtext('q:ID', namespaces=NS)}']", NS).text.split(",")[1::2]
    expected = list(map(int, values))
    assert expected[0] == 179  # 70 % of 255 on the fixture's dimmer channel
    with qlcplus(workspace) as q:
        q.start_function(index)
        deadline = time.monotonic() + 60
        while True:
            fields = q.ask(f"getChannelsValues|1|{start + 1}|5")[0].split("|")
            live = [int(v) for v in fields[1::3]]
            if live == expected or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert live == expected  # QLC+ found the definition: the fixture is patched and plays its channels


def _identity(f: object) -> tuple[object, ...]:
    return (f.fixture_id, f.group_id, f.manufacturer, f.model, f.patch.universe, f.patch.address, f.patch.mode)  # type: ignore[attr-defined]


def test_a_workspace_imported_then_exported_keeps_its_fixtures(tmp_path: Path) -> None:
    """A QLC+ rig (three manufacturers, RGBW pars, a 16-bit mover, a dimmer pack) in, a plan for it, and out again."""
    from phases.contracts import CueTrigger, GroupInstruction, GroupParameters, LightingInstruction, TimeWindow, Transition
    from phases.rig import load_rig
    from tests.rig_files import FIXTURES, MOVER, PAR, SHUTTER_OPEN, write_workspace

    rig_file = write_workspace(tmp_path)
    imported = load_rig(rig_file)

    def cue(number: float, level: float, trigger: CueTrigger, start: float) -> LightingInstruction:
        groups = [
            GroupInstruction(
                group_id=g,
                parameters=GroupParameters(intensity=level, color="bastard_amber"),
                transition=Transition(type="fade", duration=2),
            )
            for g in imported.rig.group_ids()
        ]
        return LightingInstruction(
            scene_id="scene_001", cue_number=number, label=f"Q{number:g}", called_on=trigger,
            time_window=TimeWindow(start=start, end=start + 10), groups=groups,
        )  # fmt: skip

    plan = [
        cue(1, 0.7, CueTrigger(kind="scene_start"), 0),
        cue(1.5, 0.4, CueTrigger(kind="follow", follow_wait=3), 10),
        cue(2, 0.0, CueTrigger(kind="structure", moment="final_blackout"), 20),
    ]
    plan_dir = write_plan_dir(tmp_path / "plan", [], plan)
    workspace = export_plan(plan_dir, ["qlc"], tmp_path / "out", rig_file)["qlc"]

    root = ET.parse(workspace).getroot()
    written = [
        tuple(
            f.findtext(f"q:{tag}", namespaces=NS) for tag in ("Manufacturer", "Model", "Mode", "Universe", "Address", "Channels")
        )
        for f in root.iterfind("q:Engine/q:Fixture", NS)
    ]
    assert written == [(m, model, mode, str(u), str(a), str(c)) for _, m, model, mode, u, a, c in FIXTURES]
    again = load_rig(workspace)  # and cueflow reads its own export back as the same rig
    assert [_identity(f) for f in again.rig.fixtures] == [_identity(f) for f in imported.rig.fixtures]

    with qlcplus(workspace) as q:
        number = q.ask("getFunctionsNumber")[0]
        q.start_function(0)
        deadline = time.monotonic() + 60
        while True:
            fields = q.ask("getChannelsValues|1|1|46")[0].split("|")
            live = [int(v) for v in fields[1::3]]
            if live[PAR["dimmer"]] == 179 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert int(number) == len(plan) + 1
    assert live[PAR["dimmer"]] == live[8 + PAR["dimmer"]] == 179  # 70 % on both pars' master dimmers
    assert live[PAR["red"]] > 0 and live[20 + MOVER["shutter"]] == SHUTTER_OPEN  # mixed colour; the shutter held open
    assert live[40:46] == [179] * 6  # every channel of the dimmer pack


def _sample(port: int, seconds: float, first: int, count: int, start_function: int) -> list[tuple[float, list[int]]]:
    """Start a function and read DMX channels first..first+count-1 of universe 1 as fast as QLC+ answers, over
    one connection: (seconds since the start was sent, values)."""
    import asyncio

    import websockets

    async def run() -> list[tuple[float, list[int]]]:
        samples = []
        async with websockets.connect(f"ws://127.0.0.1:{port}/qlcplusWS", open_timeout=10) as ws:
            await ws.send(f"QLC+API|setFunctionStatus|{start_function}|1")
            began = time.monotonic()
            while time.monotonic() - began < seconds:
                await ws.send(f"QLC+API|getChannelsValues|1|{first}|{count}")
                while True:
                    reply = str(await asyncio.wait_for(ws.recv(), 10))
                    if reply.startswith("QLC+API|getChannelsValues|"):
                        break
                fields = reply.split("|")[2:]
                samples.append((time.monotonic() - began, [int(v) for v in fields[1::3]]))
        return samples

    return run_async(run)


def test_a_storm_plays_its_lightning_in_qlcplus(exported: tuple[Path, Path], running: QlcPlus) -> None:
    """The storm cue's Collection starts its lightning Sequence: the cyc flashes at the renderer's strike times,
    at the renderer's values, and holds the renderer's steady level between strikes."""
    from phases.contracts import Effect
    from phases.export.cue_states import cue_channel_values
    from phases.hardware import effects
    from phases.hardware.cue_looks import capped

    plan_dir, workspace = exported
    show_ = console_show(load_plan(plan_dir))
    index = next(i for i, c in enumerate(show_.cues) if c.number == 12)
    storm = show_.cues[index]
    look = storm.looks["cyc_top_c"]
    assert look.effect == Effect(type="lightning", rate_hz=0.3, seed=1)
    renderer, states = cue_channel_values(show_.instructions, show_.rig, show_.colours, show_.profiles)
    cyc = next(p for p in renderer.fixtures if p.fixture.fixture_id == "cyc_top_c")
    dimmer = next(i for i, c in enumerate(cyc.profile.channels) if c.role == "dimmer")
    base = states[index]["cyc_top_c"][dimmer]
    samples = _sample(running.port, 12.0, cyc.start + 1 + dimmer, 1, index)
    values = [v[0] for _, v in samples]
    flashes = sorted({v for v in values if v > base})
    allowed = set()
    for strike in effects.strikes(look.effect, 12.0):
        level = capped(look.intent + look.effect.depth * strike.brightness * (1 - look.intent), cyc.fixture, 0.9)
        allowed.add(renderer.fixture_values("cyc_top_c", level, renderer.colour_of(look.colour))[dimmer])
    assert len(samples) > 100  # fast enough to catch 70 ms flashes, even on a loaded machine
    assert values.count(base) > len(values) / 2 and flashes and set(flashes) <= allowed, (base, flashes, allowed)
    onsets = [t for (t, v), (_, before) in zip(samples[1:], samples, strict=False) if v[0] > base and before[0] <= base]
    shape = effects.lightning_shape()
    period = shape.flash_ms + shape.flash_gap_ms
    flash_times = [(s.at_ms + k * period) / 1000 for s in effects.strikes(look.effect, 12.0) for k in range(s.flashes)]
    # Each flash QLC+ played starts at one of the renderer's: QLC+ runs steps on its 50 Hz clock, so each step
    # can end up to a tick late and the storm drifts a little as it goes.
    for onset in onsets:
        assert any(-0.1 <= onset - at <= 0.15 + 0.04 * at for at in flash_times), (onset, flash_times)
    assert len(onsets) >= 2
    running.start_function(index, running=False)


def test_into_sample_workspace_keeps_what_it_has(tmp_path: Path) -> None:
    """`cueflow export --format qlc --into Sample.qxw`: QLC+'s own sample workspace keeps its fixtures, functions,
    virtual console and I/O patch, gains the cue list, and plays a cue with a flicker on its dimmer packs."""
    import subprocess
    import sys

    from phases.contracts import CueTrigger, Effect, GroupInstruction, GroupParameters, LightingInstruction, TimeWindow
    from phases.export import RIG_PATCH_FILE, rig_record
    from phases.rig import load_rig

    sample = Path("/usr/share/qlcplus/Sample.qxw")
    rig = load_rig(sample).rig
    groups = [g.group_id for g in rig.groups]
    packs = next(f.group_id for f in rig.fixtures if f.patch.address == 60)  # the group of the three dimmer packs

    def cue(number: float, level: float, flicker: bool) -> LightingInstruction:
        effect = Effect(type="flicker", rate_hz=4, seed=3, depth=0.6) if flicker else None
        return LightingInstruction(
            scene_id="scene_001", cue_number=number, label=f"Sample cue {number:g}", called_on=CueTrigger(kind="scene_start"),
            time_window=TimeWindow(start=number * 10, end=number * 10 + 10),
            groups=[
                GroupInstruction(group_id=g, parameters=GroupParameters(intensity=level, color="bastard_amber",
                                 effect=effect if g == packs else None))
                for g in groups
            ],
        )  # fmt: skip

    plan_dir = write_plan_dir(tmp_path / "plan", [], [cue(1, 0.7, False), cue(2, 0.5, True)])
    (plan_dir / RIG_PATCH_FILE).write_text(rig_record(sample).model_dump_json())
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "export", str(plan_dir), "--format", "qlc", "--into", str(sample),
         "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    workspace = tmp_path / "out" / "show.qxw"
    before, after = ET.parse(sample).getroot(), ET.parse(workspace).getroot()
    def same(element: ET.Element) -> str:
        return ET.canonicalize(ET.tostring(element), strip_text=True)

    for tag in ("Fixture", "FixtureGroup", "Function", "InputOutputMap", "ChannelsGroup"):
        mine = [same(e) for e in before.find("Engine").findall(tag)]
        assert [same(e) for e in after.find("Engine").findall(tag)][: len(mine)] == mine, tag
    kept = [same(e) for e in before.find("VirtualConsole/Frame")]
    assert [same(e) for e in after.find("VirtualConsole/Frame")][: len(kept)] == kept  # the console's widgets, as they were
    with qlcplus(sample) as q:
        original = q.ask("getFunctionsList", "getWidgetsNumber", "getFixturesList")
    with qlcplus(workspace) as q:
        listing, widgets, fixtures = q.ask("getFunctionsList", "getWidgetsNumber", "getFixturesList")
        fields = listing.split("|")
        names = dict(zip(map(int, fields[::2]), fields[1::2], strict=True))
        first = min(i for i, n in names.items() if n.startswith("Cue 001 "))
        samples = _sample(q.port, 4.0, 59, 16, first + 1)  # cue 2: the three dimmer packs, 16 channels from DMX 59
    old = original[0].split("|")
    assert all(names[int(i)] == n for i, n in zip(old[::2], old[1::2], strict=True))  # every function kept, same ID
    assert int(widgets) == int(original[1]) + 1 and fixtures == original[2]
    assert (names[first], names[first + 1]) == ("Cue 001 Sample cue 1", "Cue 002 Sample cue 2")
    late = [v for t, v in samples if t > 1.0]
    levels = {v for values in late for v in values}
    # A flicker under 50 % on all 16 channels: each its own dip, never under 50 % * (1 - 0.6). (QLC+'s API reads
    # the universe while its engine writes it, so now and then a reading is half-written: a few are allowed.)
    within = [values for values in late if all(int(0.5 * 0.4 * 255) - 2 <= v <= 128 for v in values)]
    assert len(levels) > 5 and len(within) >= 0.95 * len(late), [(round(t, 2), v) for t, v in samples if 0 in v][:5]
