"""Bring your own rig: a QLC+ workspace built from Debian's QLC+ fixture library, imported, planned and played.

Three manufacturers (UKing, GLP, Proel): an RGBW par, a moving head in its 16-bit mode and a dimmer pack.
The channel offsets checked are the ones those definitions give (tests/rig_files.py).
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from phases.contracts import LightingInstruction
from phases.decision import LightingDecisionEngine
from phases.emotion import detect_emotion
from phases.hardware import OlaLink, PlaybackSettings, ShowPlayer, ShowRenderer, read_frames
from phases.knowledge import ScenePosition, load_knowledge, retrieve
from phases.parsing import parse_file
from phases.rig import RigError, load_rig
from tests.conftest import EXAMPLE, ROOT
from tests.hardware_plans import cue
from tests.ola_server import OladServer
from tests.rig_files import MOVER, PAR, QLC_LIBRARY, SHUTTER_OPEN, write_ofl, write_workspace

PAR_L, PAR_R, MOVER_AT, PACK_AT = 0, 8, 20, 40  # 0-based starts in the frame


def cueflow(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    if not QLC_LIBRARY.is_dir():
        pytest.fail(f"QLC+'s fixture library is missing ({QLC_LIBRARY}): apt-get install qlcplus-data")
    return write_workspace(tmp_path_factory.mktemp("rig"))


def plan_for(rig: Path) -> list[LightingInstruction]:
    """Phases 1-4 of the bundled example play, without Prefect, for the given rig."""
    kb = load_knowledge(rig=rig)
    scenes = [s.model_copy(update={"emotion": detect_emotion(s)}) for s in parse_file(EXAMPLE).scenes]
    knowledge = [retrieve(s, kb, ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    engine = LightingDecisionEngine(kb=kb)
    return engine.sequence([engine.decide(s, k) for s, k in zip(scenes, knowledge, strict=True)])


def test_workspace_imports_with_the_definitions_channel_layouts_and_roles(workspace):
    loaded = load_rig(workspace)
    rig = loaded.rig
    pack = [f"dimmer_pack_{n}" for n in range(1, 7)]
    assert [f.fixture_id for f in rig.fixtures] == ["foh_par_l", "foh_par_r", "mover", *pack]
    assert [f.name for f in rig.fixtures][:4] == ["FOH Par L", "FOH Par R", "Mover", "Dimmer pack / 1"]
    assert {g.group_id: g.role for g in rig.groups} == {"foh_wash": "key", "movers": "special", "side_booms": "side"}
    assert [g.name for g in rig.groups] == ["FOH wash", "Movers", "Side booms"]
    assert {f.manufacturer for f in rig.fixtures} == {"UKing", "GLP", "Proel"}
    par = loaded.profiles[rig.fixtures[0].patch.profile]
    assert [par.offset(r) for r in PAR] == list(PAR.values()) and par.footprint == 8
    mover = rig.fixtures[2]
    assert (mover.patch.universe, mover.patch.address, mover.patch.mode) == (1, 21, "Extended")
    head = loaded.profiles[mover.patch.profile]
    assert {r: head.offset(r) for r in MOVER} == MOVER
    assert head.channels[MOVER["shutter"]].default == SHUTTER_OPEN
    assert set(mover.capabilities) >= {"intensity", "color", "pan_tilt", "strobe"}
    heads = rig.fixtures[3:]  # the 6-way pack: six heads, each its own channel, levelled on its own
    assert [(f.unit, f.head, f.patch.address) for f in heads] == [("Dimmer pack", n, 40 + n) for n in range(1, 7)]
    assert all(loaded.profiles[f.patch.profile].offsets("dimmer") == [0] for f in heads)
    assert heads[0].fixed_color and [g.group_id for g in rig.groups_with_role("side")] == ["side_booms"]


def test_a_dev_play_planned_for_the_workspace_plays_through_olad(workspace):
    plan = plan_for(workspace)
    assert {g.group_id for c in plan for g in c.groups} <= {"foh_wash", "movers", "side_booms"}
    # The cue where the rig is most lit, played alone (cut in, effects off) through a real olad.
    chosen = max(plan, key=lambda c: sum(g.parameters.intensity for g in c.groups))
    groups = {g.group_id: (g.parameters.intensity, g.parameters.color) for g in chosen.groups}
    one = [cue(1, 0.0, 0.5, groups)]
    loaded = load_rig(workspace)
    kb = load_knowledge(rig=workspace)
    show = ShowRenderer(one, kb.rig, kb.colours, loaded.profiles)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with OladServer(port=port):
        settings = PlaybackSettings.defaults(port=port)
        stats = ShowPlayer(show, settings).play()
        link = OlaLink("127.0.0.1", port, 1.0, 2.0)
        fetched = link.fetch(1)
        link.close()
    assert stats.status == "finished" and stats.frames_sent > 0
    assert fetched[: PACK_AT + 6] == show.frame_at(0.5)[1][: PACK_AT + 6]
    key, _ = groups["foh_wash"]
    assert key > 0
    assert fetched[PAR_L + PAR["dimmer"]] == int(key * 255 + 0.5) == fetched[PAR_R + PAR["dimmer"]]
    assert max(fetched[PAR_L + PAR["red"] : PAR_L + PAR["white"] + 1]) > 0  # the colour is mixed on R, G, B, W
    special, _ = groups.get("movers", (0.0, ""))
    wide = fetched[MOVER_AT + MOVER["dimmer"]] << 8 | fetched[MOVER_AT + MOVER["dimmer_fine"]]
    assert wide == int(special * 65535 + 0.5)  # the 16-bit dimmer, coarse then fine
    assert fetched[MOVER_AT + MOVER["shutter"]] == SHUTTER_OPEN
    assert fetched[MOVER_AT + MOVER["pan"]] == 128  # no focus file: home (centre), never the end stop
    side, _ = groups.get("side_booms", (0.0, ""))
    assert list(fetched[PACK_AT : PACK_AT + 6]) == [int(side * 255 + 0.5)] * 6  # every channel of the pack


def test_cueflow_run_with_the_workspace_as_rig(workspace, tmp_path):
    frames = tmp_path / "frames.jsonl"
    proc = cueflow("run", str(EXAMPLE), "--rig", str(workspace), "--out", str(tmp_path / "out"), "--dry-run", str(frames))
    assert proc.returncode == 0, proc.stderr[-3000:]
    plan = json.loads((tmp_path / "out" / "lighting_instructions.json").read_text())
    assert {g["group_id"] for c in plan for g in c["groups"]} <= {"foh_wash", "movers", "side_booms"}
    _, lines = read_frames(frames)
    rendered = [bytes.fromhex(str(f["dmx"])) for f in lines if f["universe"] == 1]
    lit = [frame for frame in rendered if frame[PAR_L + PAR["dimmer"]] > 0]
    assert lit, "the imported par was never lit"
    assert all(frame[MOVER_AT + MOVER["shutter"]] == SHUTTER_OPEN for frame in lit)  # held at the definition's default


def test_rig_check_prints_the_patch_roles_and_uses(workspace):
    proc = cueflow("rig", "check", str(workspace))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    par = next(line for line in lines if "FOH Par L" in line)
    assert "FOH wash" in par and "key" in par and "1.1" in par and " 8 " in par and "UKing" in par
    mover = next(line for line in lines if line.split()[1:2] == ["Mover"])
    assert "1.21" in mover and "13" in mover and "Extended" in mover
    assert any(line.strip().startswith("Side booms (6 fixtures)") and "side" in line for line in lines)
    assert any("Mover: NO FOCUS" in line for line in lines)
    assert "no overlaps" in proc.stdout


def _workspace_with(tmp_path: Path, name: str, changes: dict[int, tuple[int, object]]) -> Path:
    """The test workspace with fixture `index`'s field `field` (position in FIXTURES' tuples) changed."""
    from tests.rig_files import FIXTURES

    fixtures = [list(f) for f in FIXTURES]
    for index, (field, value) in changes.items():
        fixtures[index][field] = value
    return write_workspace(tmp_path, name, fixtures=[tuple(f) for f in fixtures])


BAD = {
    "overlap": ({1: (5, 4)}, "FOH Par R: universe 1 address 5-12 overlaps fixture FOH Par L"),
    "past_512": ({3: (5, 509)}, "Dimmer pack: universe 1 address 510 + 6 channels ends at 515, past channel 512"),
    "unknown_definition": ({2: (2, "Impression 9000")}, "Mover: unknown fixture definition 'GLP' 'Impression 9000'"),
    "unknown_mode": ({2: (3, "Turbo")}, "Mover: GLP Impression has no mode 'Turbo'"),
    "wrong_channel_count": ({2: (6, 14)}, "Mover: the workspace gives 14 channels, but mode 'Extended' of GLP Impression has 13"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rigs_are_one_line_and_exit_2(tmp_path, case):
    changes, message = BAD[case]
    path = _workspace_with(tmp_path, f"{case}.qxw", changes)
    runs = (
        ("rig", "check", str(path)),
        ("run", str(EXAMPLE), "--rig", str(path), "--out", str(tmp_path / "o")),
        ("batch", str(EXAMPLE.parent), "--rig", str(path), "--out", str(tmp_path / "o")),
    )
    for args in runs:
        proc = cueflow(*args)
        assert proc.returncode == 2, proc.stderr
        errors = [line for line in proc.stderr.splitlines() if line.startswith("cueflow: error:")]
        assert len(errors) == 1 and message in errors[0], proc.stderr
        assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.qxw", '<Workspace xmlns="http://www.qlcplus.org/Workspace"><Engine/></Workspace>', "no fixtures: an empty rig"),
        (
            "damaged.qxw",
            '<Workspace xmlns="http://www.qlcplus.org/Workspace">\n<Engine>\n<Fixture><Name>A</Name>',
            "damaged QLC+ workspace: line 3",
        ),
        ("empty.yaml", "", "the rig file is empty"),
        ("nofixtures.yaml", "name: bare\ngroups: []\nfixtures: []\n", "the rig has no fixtures (an empty rig)"),
        ("rig.txt", "not a rig", "unsupported rig file '.txt'"),
        ("bomb.qxw", '<!DOCTYPE W [<!ENTITY a "aaaa">]><Workspace><Engine/></Workspace>', "declares XML entities"),
    ],
)
def test_empty_damaged_and_unknown_rig_files_are_one_line_and_exit_2(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    proc = cueflow("rig", "check", str(path))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("cueflow: error:")]
    assert len(errors) == 1 and message in errors[0] and name in errors[0], proc.stderr


def test_yaml_rig_with_an_ofl_definition_and_a_qlc_definition(tmp_path):
    write_ofl(tmp_path)
    (tmp_path / "rig.yaml").write_text(
        "name: OFL and QLC+\n"
        "fixture_library: [fixtures]\n"
        "groups:\n"
        "  - {group_id: cyc, description: Cyc floods}\n"
        "  - {group_id: frontlight, description: FOH}\n"
        "fixtures:\n"
        "  - {fixture_id: cyc_1, group_id: cyc, manufacturer: Cueflow Test, model: Test Wash 7, position: {x: 0, y: 6, z: 6},"
        " patch: {universe: 1, address: 1, mode: 7ch}}\n"
        "  - {fixture_id: foh_1, group_id: frontlight, definition: /usr/share/qlcplus/fixtures/UKing/"
        "UKing-B55-Par-Can-12-LED-RGBW-12W.qxf, position: {x: 0, y: -4, z: 6}, patch: {universe: 1, address: 10}}\n",
        encoding="utf-8",
    )
    loaded = load_rig(tmp_path / "rig.yaml")
    cyc = loaded.profiles[loaded.rig.fixtures[0].patch.profile]
    assert [c.role for c in cyc.channels] == ["dimmer", "dimmer_fine", "red", "green", "blue", "amber", "shutter"]
    assert cyc.channels[6].default == 32 and loaded.rig.fixtures[0].manufacturer == "Cueflow Test"
    assert {g.group_id: g.role for g in loaded.rig.groups} == {"cyc": "atmosphere", "frontlight": "key"}
    show = ShowRenderer(
        [cue(1, 0, 1, {"cyc": (0.5, "sky_blue"), "frontlight": (1.0, "daylight")})],
        load_knowledge(rig=tmp_path / "rig.yaml").rig,
        load_knowledge().colours,
        loaded.profiles,
    )
    frame = show.frame_at(0.5)[1]
    assert list(frame[0:2]) == [128, 0] and frame[6] == 32 and frame[9 + PAR["dimmer"]] == 255


def test_group_overrides_give_mcCandless_pairs_and_isolate_areas():
    kb = load_knowledge()
    from phases.hardware import load_profiles

    plan = [
        LightingInstruction.model_validate(
            {
                "scene_id": "scene_001", "cue_number": 1, "label": "pairs", "called_on": {"kind": "scene_start"},
                "time_window": {"start": 0, "end": 2},
                "groups": [{
                    "group_id": "front_wash", "parameters": {"intensity": 0.8, "color": "bastard_amber"},
                    "overrides": [
                        {"fixture_id": "fw_dsl_cool", "intensity": 0.4, "color": "steel_blue"},
                        {"area": "DSR", "intensity": 0.0},
                        {"fixture_id": "fw_dsr_cool", "intensity": 0.2},
                    ],
                }],
            }
        )
    ]  # fmt: skip
    levels = ShowRenderer(plan, kb.rig, kb.colours, load_profiles()).fixture_levels(1.0)
    assert levels["fw_dsl_warm"][0] == 0.8 and levels["fw_dsl_cool"][0] == 0.4
    assert levels["fw_dsl_cool"][1] == tuple(float(v) for v in kb.colours["steel_blue"].rgb)
    assert levels["fw_dsr_warm"][0] == 0.0 and levels["fw_dsr_cool"][0] == 0.2  # later entries win
    assert levels["fw_dc_warm"][0] == 0.8


def test_a_deployment_refuses_a_rig_outside_the_input_roots(workspace, tmp_path, monkeypatch):
    from flows.entrypoints import ParameterError, _config

    inside = tmp_path / "inputs"
    inside.mkdir()
    monkeypatch.setenv("CUEFLOW_INPUT_ROOTS", str(inside))
    with pytest.raises(ParameterError, match=r"^config\.rig: .* outside the allowed roots"):
        _config({"rig": str(workspace)}, tmp_path / "out", False, None)
    with pytest.raises(ParameterError, match=r"^config\.rig: '\.\./x\.qxw' resolves to"):
        _config({"rig": "../x.qxw"}, tmp_path / "out", False, None)
    copy = inside / "rig.qxw"
    copy.write_bytes(workspace.read_bytes())
    assert _config({"rig": "rig.qxw"}, tmp_path / "out", False, None).rig == str(copy)
    (inside / "bad.qxw").write_text("<Workspace><Engine/></Workspace>")
    with pytest.raises(ParameterError, match=r"^config\.rig: .*bad\.qxw: the workspace has no fixtures"):
        _config({"rig": "bad.qxw"}, tmp_path / "out", False, None)


def test_cueflow_play_with_the_rig_renders_its_channels(workspace, tmp_path):
    from phases.hardware.show import PLAN_FILE

    plan = [cue(1, 0.0, 0.2, {"foh_wash": (1.0, "daylight"), "movers": (0.5, "daylight")})]
    (tmp_path / PLAN_FILE).write_text(json.dumps([c.model_dump(mode="json") for c in plan]))
    frames = tmp_path / "frames.jsonl"
    proc = cueflow("play", str(tmp_path), "--rig", str(workspace), "--dry-run", str(frames))
    assert proc.returncode == 0, proc.stderr
    _, lines = read_frames(frames)
    frame = bytes.fromhex(str(lines[-1]["dmx"]))
    assert frame[PAR_L + PAR["dimmer"]] == 255 and list(frame[MOVER_AT + MOVER["dimmer"] :][:2]) == [128, 0]


def test_roles_are_inferred_from_position_and_type_when_the_yaml_gives_none(tmp_path):
    def fixture(fid: str, group: str, x: float, y: float, z: float, kind: str = "led_par", address: int = 1) -> str:
        return (
            f"  - {{fixture_id: {fid}, group_id: {group}, fixture_type: {kind}, position: {{x: {x}, y: {y}, z: {z}}},"
            f" capabilities: [intensity, color], patch: {{universe: 1, address: {address}, profile: rgbw_dimmer}}}}\n"
        )

    groups = "".join(f"  - {{group_id: {g}, description: bar {i}}}\n" for i, g in enumerate(["g1", "g2", "g3", "g4", "g5"]))
    (tmp_path / "rig.yaml").write_text(
        "name: anonymous bars\ngroups:\n" + groups + "fixtures:\n"
        + fixture("a", "g1", -2, -4, 6, address=1) + fixture("b", "g2", 0, 4, 6, address=6)
        + fixture("c", "g3", -5, 1, 1.5, address=11) + fixture("d", "g4", 0, 0, 7, "moving_head", address=16)
        + fixture("e", "g5", 0, 6, 6, address=21),
        encoding="utf-8",
    )  # fmt: skip
    loaded = load_rig(tmp_path / "rig.yaml")
    roles = {g.group_id: g.role for g in loaded.rig.groups}
    assert roles == {"g1": "key", "g2": "back", "g3": "side", "g4": "special", "g5": "atmosphere"}
    assert loaded.role_source["g4"] == "inferred from its fixture type"
    assert loaded.role_source["g1"] == "inferred from where it hangs"
    # Rules written for the bundled rig's groups reach these groups by role.
    kb = load_knowledge(rig=tmp_path / "rig.yaml")
    assert any("g1" in r.group_balance for r in kb.rules) and not any("front_wash" in r.group_balance for r in kb.rules)


def test_a_yaml_rig_error_names_the_line_and_the_fixture(tmp_path):
    path = tmp_path / "rig.yaml"
    path.write_text(
        "name: typo\ngroups:\n  - {group_id: front, description: FOH}\nfixtures:\n"
        "  - {fixture_id: ok, group_id: front, fixture_type: dimmer, fixed_color: warm_white, position: {x: 0, y: -4, z: 6},"
        " capabilities: [intensity], patch: {universe: 1, address: 1, profile: generic_dimmer}}\n"
        "  - {fixture_id: fp1, group_id: front, fixture_type: dimmer, fixed_color: warm_white, position: {x: 0, y: -4, z: 6},"
        " capabilities: [intensity], patch: {universe: 1, address: 600, profile: generic_dimmer}}\n",
        encoding="utf-8",
    )
    proc = cueflow("rig", "check", str(path))
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        .splitlines()[-1]
        .startswith("cueflow: error: rig.yaml: line 6: field fixtures.1.patch.address (fixture fp1)")
    )
    path.write_text(path.read_text().replace("address: 600", "address: 1"))
    proc = cueflow("rig", "check", str(path))
    assert proc.returncode == 2 and "problem: fixture fp1: universe 1 address 1-1 overlaps fixture ok (1-1)" in proc.stdout


def test_a_workspace_without_fixture_groups_is_grouped_by_type(tmp_path):
    path = write_workspace(tmp_path, groups=[], namespace=False)  # also: an old workspace without the namespace
    loaded = load_rig(path)
    roles = {g.group_id: g.role for g in loaded.rig.groups}
    assert roles == {"led_pars": "key", "moving_heads": "special", "dimmers": "practical"}
    assert [g.name for g in loaded.rig.groups] == ["LED pars", "Moving heads", "Dimmers"]
    # RGBW pars can make a white for faces; an unnamed dimmer pack's load is unknown: never the key by default.
    assert loaded.role_source["led_pars"] == "inferred from the default"
    assert loaded.role_source["dimmers"].startswith("inferred from its light (unnamed dimmer channels")
    assert [f.group_id for f in loaded.rig.fixtures] == ["led_pars", "led_pars", "moving_heads", *["dimmers"] * 6]
    assert [f.fixture_number for f in loaded.rig.fixtures] == list(range(1, 10))


def test_playing_a_plan_for_another_rig_says_so_in_one_line(workspace, tmp_path):
    from phases.hardware.show import PLAN_FILE

    plan = [cue(1, 0.0, 0.2, {"foh_wash": (1.0, "daylight")})]
    (tmp_path / PLAN_FILE).write_text(json.dumps([c.model_dump(mode="json") for c in plan]))
    proc = cueflow("play", str(tmp_path), "--dry-run", str(tmp_path / "frames.jsonl"))  # no --rig: the bundled rig
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("group 'foh_wash' is not in the rig (a plan made for another rig? give it with --rig)")


def test_other_files_beside_the_rig_are_passed_over(tmp_path):
    """The rig's folder is searched for definitions: someone else's JSON (however deep) or XML is no definition."""
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "notes.json").write_text('{"name": "a", "modes": "not a list"}')
    (tmp_path / "broken.qxf").write_text("<FixtureDefinition><Manufacturer>GLP</Manufacturer>")
    nested = tmp_path / "elsewhere" / "deeper"
    nested.mkdir(parents=True)
    (nested / "huge.json").write_text("[" * 100_000 + "]" * 100_000)
    loaded = load_rig(write_workspace(tmp_path))
    assert [f.manufacturer for f in loaded.rig.fixtures] == ["UKing", "UKing", "GLP", *["Proel"] * 6]
    (tmp_path / "bomb.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "rig.yaml").write_text(
        "name: x\ngroups: [{group_id: a, description: a}]\n"
        "fixtures: [{fixture_id: a1, group_id: a, definition: bomb.json, position: {x: 0, y: 0, z: 5},"
        " patch: {universe: 1, address: 1}}]\n"
    )
    with pytest.raises(RigError, match=r"rig.yaml: line 3: fixture a1: .*bomb.json: not an Open Fixture Library fixture"):
        load_rig(tmp_path / "rig.yaml")


def test_qlc_sample_workspace_keeps_what_an_export_needs_to_write_it_back():
    """Debian's Sample.qxw (QLC+ 4.0, no namespace, generic dimmers): manufacturer, model, mode, universe, address."""
    import xml.etree.ElementTree as ET

    sample = QLC_LIBRARY.parent / "Sample.qxw"
    engine = ET.parse(sample).getroot().find("Engine")
    expected = [
        (f.findtext("Manufacturer"), f.findtext("Model"), f.findtext("Mode"), int(f.findtext("Universe", "")) + 1,
         int(f.findtext("Address", "")) + 1)
        for f in engine.findall("Fixture")
    ]  # fmt: skip
    rig = load_rig(sample).rig
    units = [f for f in rig.fixtures if f.head in (None, 1)]  # a dimmer pack is written back from its first head
    got = [(f.manufacturer, f.model, f.patch.mode, f.patch.universe, f.patch.address) for f in units]
    assert got == expected and len(got) == 13
    assert [f.name for f in units][-3:] == ["6 ch Dimmer #1 / 1", "6 ch dimmer #2 / 1", "4 ch dimmer / 1"]
    heads = {unit: sum(f.unit == unit for f in rig.fixtures) for unit in ("6 ch Dimmer #1", "6 ch dimmer #2", "4 ch dimmer")}
    assert heads == {"6 ch Dimmer #1": 6, "6 ch dimmer #2": 6, "4 ch dimmer": 4}  # 16 channels, each its own
