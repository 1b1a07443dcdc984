"""The exported QLC+ workspace opened in real, headless QLC+: its fixtures, one Scene per cue, the cue list
with its fade times in order, and the channel values QLC+ outputs when a cue's Scene runs."""

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from phases.export import console_show, export_plan, load_plan
from phases.export.qlc_workspace import qlc_settings, scene_name
from tests.export_plans import show, write_plan_dir
from tests.qlcplus_server import QlcPlus, qlcplus

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
    with qlcplus(exported[1]) as q:
        yield q


def test_qlcplus_loads_every_scene_and_the_cue_list(exported: tuple[Path, Path], running: QlcPlus) -> None:
    plan_dir, _ = exported
    cues = console_show(load_plan(plan_dir)).cues
    q = running
    number, listing, widgets, widget_type, chaser_type = q.ask(
        "getFunctionsNumber", "getFunctionsList", "getWidgetsNumber", "getWidgetType|0", f"getFunctionType|{len(cues)}"
    )
    scene_types = q.ask(*(f"getFunctionType|{i}" for i in range(len(cues))))
    page = q.page()
    assert int(number) == len(cues) + 1
    fields = listing.split("|")
    names = dict(zip(map(int, fields[::2]), fields[1::2], strict=True))
    assert [names[i] for i in range(len(cues))] == [scene_name(c) for c in cues]
    assert names[len(cues)] == "plan cue list"
    assert scene_types == ["Scene"] * len(cues)
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
