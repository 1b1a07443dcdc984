"""Focus, dimmer packs, roles and rig check on real rigs: QLC+'s own Sample.qxw, and a rig of moving heads
(Martin MAC Aura, 16-bit), scanners (Futurelight DJScan250), an RGB par and a dimmer pack built from Debian's
fixture library (examples/rigs/studio_movers.yaml), with Macbeth planned on each."""

import math
import shutil
import socket
from pathlib import Path

import pytest

from phases.contracts import AreaLevel, TimeWindow
from phases.hardware import OlaLink, PlaybackSettings, ShowPlayer, ShowRenderer
from phases.knowledge import load_knowledge
from phases.rig import load_rig
from phases.rig.xml_files import load_data
from tests.conftest import PLAYS, ROOT
from tests.hardware_plans import cue, plan_play
from tests.ola_server import OladServer
from tests.rig_files import QLC_LIBRARY
from tests.test_rig_import import cueflow

SAMPLE = QLC_LIBRARY.parent / "Sample.qxw"
MOVERS = ROOT / "examples" / "rigs" / "studio_movers.yaml"
SAFETY = load_data("safety")
SAFE = set(SAFETY["hold_order"]) | set(SAFETY["driven"]) | set(SAFETY["position"])


@pytest.fixture(scope="module")
def sample() -> Path:
    if not SAMPLE.is_file():
        pytest.fail(f"QLC+'s sample workspace is missing ({SAMPLE}): apt-get install qlcplus-data")
    return SAMPLE


def _renderer(plan, rig_path) -> ShowRenderer:
    kb = load_knowledge(rig=rig_path)
    return ShowRenderer(plan, kb.rig, kb.colours, load_rig(rig_path).profiles)


def _unsafe(show: ShowRenderer, frames: dict[int, bytes]) -> list[str]:
    found = []
    for f in show.fixtures:
        for channel, value in zip(f.profile.channels, frames[f.universe][f.start : f.end], strict=True):
            hit = channel.range_at(value) if channel.ranges else None
            if channel.ranges and (hit is None or hit.kind not in SAFE):
                found.append(f"{f.fixture.name}: {channel.name} = {value} ({hit.label if hit else 'no capability'})")
    return found


def _settled(cue_) -> float:
    """When a cue's fades are done (or its window ends, if sooner)."""
    done = max((g.transition.delay + g.transition.duration) if g.transition else 0.0 for g in cue_.groups)
    return min(cue_.time_window.start + done + 0.01, cue_.time_window.end - 0.001)


def test_role_inference_on_the_sample_workspace(sample):
    """RGB-only pars are a colour wash, the unnamed dimmer packs practicals: neither is the key by default; with
    no front light in the rig, the scanners stand in for it, and rig check says which roles are missing."""
    loaded = load_rig(sample)
    roles = {g.name: g.role for g in loaded.rig.groups}
    assert roles == {"LED pars": "atmosphere", "Scanners": "key", "Dimmers": "practical"}
    how = {g.name: loaded.role_source[g.group_id] for g in loaded.rig.groups}
    assert how["LED pars"] == "inferred from its light (red, green and blue only: no white for faces)"
    assert how["Dimmers"] == "inferred from its light (unnamed dimmer channels: their load is unknown)"
    assert how["Scanners"].startswith("stand-in key: the rig has no front light")


def test_rig_check_on_the_sample_workspace(sample):
    proc = cueflow("rig", "check", str(sample))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "6 ch Dimmer #1 / 3" in out and "DJScan250 #1" in out  # the workspace's own names, not slugs
    assert "roles the rig lacks (key, back, side, special)" in out
    assert "key: no front light: Scanners stands in as the key" in out and "back: no back light:" in out
    # Safe values held, and the dimmer ranges used: the two fixtures.
    assert "Eurolite LED PAR56 / Mode 1 (2 fixtures: #3-4): can be lit" in out
    assert "Mode 31 (Dimmer)" in out and "too narrow to dim with; the emitters carry the level" in out
    assert "Shutter (dimmer) 6-128, 0 at 0" in out and "Colour 0 (White)" in out
    assert "Generic Generic / Generic (16 fixtures: #11-26): can be lit" in out
    assert out.count(": NO FOCUS: home (pan and tilt at centre) in every cue") == 6


def test_rig_check_on_the_mover_rig():
    proc = cueflow("rig", "check", str(MOVERS))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Front of house (6 fixtures): key (inferred from its name)" in out
    assert "roles the rig lacks (back, side, practical)" in out
    assert "Martin MAC Aura / Extended Mode (2 fixtures: #7-8): can be lit" in out
    assert "Beam electronic shutter effect 20 (Shutter open)" in out and "FX1 select 0 (Idle)" in out
    assert "Aura L: computed from where it hangs (hung at -2, 1.5, 6.5) for every focus point (its own area SL)" in out
    assert "Scanner L: computed from where it hangs" in out and "out of reach:" in out
    assert "NO FOCUS" not in out


def test_the_dimmer_pack_levels_its_heads_separately(sample):
    """Sample.qxw's two 6-way and one 4-way generic packs: 16 heads, each its own level."""
    rig = load_rig(sample).rig
    heads = [f for f in rig.fixtures if f.unit]
    assert len(heads) == 16 and len({f.group_id for f in heads}) == 1
    group = heads[0].group_id
    levels = {f.fixture_id: round((i + 1) / 16, 3) for i, f in enumerate(heads)}
    plan = [cue(1, 0, 10, {group: (1.0, "warm_white")})]
    plan = [plan[0].model_copy(update={"groups": [plan[0].groups[0].model_copy(
        update={"overrides": [AreaLevel(fixture_id=fid, intensity=level) for fid, level in levels.items()]}
    )]})]  # fmt: skip
    frame = _renderer(plan, sample).frame_at(5.0)[1]
    assert list(frame[58:74]) == [int(level * 255 + 0.5) for level in levels.values()]


def test_the_mover_rigs_pack_heads_follow_their_areas():
    rig = load_rig(MOVERS).rig
    heads = [f for f in rig.fixtures if f.unit == "FOH pack"]
    assert [f.focus_area for f in heads] == ["DSL", "DC", "DSR", "SL", "CS", "SR"]
    isolate = [AreaLevel(area="DC", intensity=1.0), AreaLevel(area="DSL", intensity=0.2)]
    plan = [cue(1, 0, 10, {"front": (0.5, "warm_white")})]
    plan = [plan[0].model_copy(update={"groups": [plan[0].groups[0].model_copy(update={"overrides": isolate})]})]
    frame = _renderer(plan, MOVERS).frame_at(5.0)[1]
    assert list(frame[0:6]) == [51, 255, 128, 128, 128, 128]


def _direction(pan_deg: float, tilt_deg: float, pan_home: float = 0.0) -> tuple[float, float, float]:
    """The beam of a hung head at these angles from home: straight down at 0/0, leaning towards its heading."""
    heading = math.radians(pan_deg + pan_home)
    tilt = math.radians(tilt_deg)
    return math.sin(tilt) * math.sin(heading), -math.sin(tilt) * math.cos(heading), -math.cos(tilt)


def _angle(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True)) / math.dist((0, 0, 0), a) / math.dist((0, 0, 0), b)
    return math.degrees(math.acos(max(-1.0, min(1.0, dot))))


@pytest.fixture(scope="module")
def macbeth_on_movers():
    plan = plan_play(PLAYS / "macbeth.txt", MOVERS)
    return plan, _renderer(plan, MOVERS)


def test_lit_movers_point_at_their_focus_never_the_end_stop(macbeth_on_movers):
    """Every cue of Macbeth on the mover rig: each lit MAC Aura's 16-bit pan and tilt, read back as a beam
    direction, points at its cue's focus point (the group's focus, else its own area) to within half a degree."""
    plan, show = macbeth_on_movers
    rig = load_rig(MOVERS).rig
    points = rig.focus_points
    auras = [f for f in show.fixtures if f.fixture.model == "MAC Aura"]
    lit_cues = 0
    for cue_ in plan:
        at = _settled(cue_)
        states = show.fixture_states(at)
        frame = show.frame_at(at)[1]
        group = next((g for g in cue_.groups if g.group_id == "movers"), None)
        for aura in auras:
            state = states[aura.fixture.fixture_id]
            if state.level <= 0 or group is None or group.parameters.intensity <= 0:
                continue  # dark, or fading out of the cue before: still where that cue pointed it
            lit_cues += 1
            pan = (frame[aura.start + 3] << 8 | frame[aura.start + 4]) / 65535  # Extended Mode: pan, fine at 3, 4; tilt at 5, 6
            tilt = (frame[aura.start + 5] << 8 | frame[aura.start + 6]) / 65535
            assert (frame[aura.start + 3], frame[aura.start + 5]) != (0, 0)
            target = (group.focus_area if group and group.focus_area in points else None) or aura.fixture.focus_area
            assert state.focus == target
            p, t = (pan - 0.5) * 540, (tilt - 0.5) * 232  # the definition's travel: PanMax 540, TiltMax 232
            where = points[target]
            seen = (where.x - aura.fixture.position.x, where.y - aura.fixture.position.y, where.z - aura.fixture.position.z)
            assert _angle(_direction(p, t), seen) < 0.5, (cue_.cue_number, target)
    assert lit_cues > 10


def test_a_mover_moves_while_dark_not_while_it_fades_up(macbeth_on_movers):
    """Dark in one cue and lit at another focus in the next: already there at the GO (no live move)."""
    plan, show = macbeth_on_movers
    aura = next(f for f in show.fixtures if f.fixture.name == "Aura L")
    fid = aura.fixture.fixture_id
    moved = 0
    for before, after in zip(plan, plan[1:], strict=False):
        then, now = show.fixture_states(_settled(before))[fid], show.fixture_states(after.time_window.start + 1e-6)[fid]
        lit_after = show.fixture_states(_settled(after))[fid]
        if then.level == 0 and lit_after.level > 0:
            assert (now.pan, now.tilt) == (lit_after.pan, lit_after.tilt)
            moved += 1
    assert moved > 0


def test_macbeth_on_the_sample_workspace_sends_nothing_unsafe_and_a_cue_reads_back_from_olad(sample):
    """Every cue of Macbeth planned on Sample.qxw, settled and mid-fade, classified against the definitions;
    then one cue played through a real olad and read back: the same bytes, in safe capabilities."""
    plan = plan_play(PLAYS / "macbeth.txt", sample)
    show = _renderer(plan, sample)
    for cue_ in plan:
        for t in (_settled(cue_), cue_.time_window.start + 0.3):
            assert _unsafe(show, show.frame_at(t)) == [], (cue_.cue_number, t)
    assert _unsafe(show, show.blackout()) == []
    lit = max(plan, key=lambda c: sum(g.parameters.intensity for g in c.groups))
    steady = [g.model_copy(update={"transition": None, "parameters": g.parameters.model_copy(update={"effect": None})})
              for g in lit.groups]  # fmt: skip
    one = [lit.model_copy(update={"time_window": TimeWindow(start=0.0, end=0.5), "groups": steady})]
    single = _renderer(one, sample)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with OladServer(port=port):
        stats = ShowPlayer(single, PlaybackSettings.defaults(port=port)).play()
        link = OlaLink("127.0.0.1", port, 1.0, 2.0)
        fetched = link.fetch(1)
        link.close()
    assert stats.status == "finished"
    assert fetched[:74] == single.frame_at(0.5)[1][:74]
    assert _unsafe(single, {1: fetched}) == []
    eurolite = [f for f in single.fixtures if f.fixture.model == "LED PAR56" and f.fixture.manufacturer == "Eurolite"]
    assert all(fetched[f.start + 5] == 31 for f in eurolite)  # "Mode" held in "Dimmer", never a program
    scanners = [f for f in single.fixtures if f.fixture.model == "DJScan250"]
    assert all(fetched[f.start + 5] <= 128 for f in scanners)  # "Shutter" in closed or dimmer control
    assert any(fetched[f.start + 5] >= 6 for f in scanners)  # the stand-in key is lit


def test_a_workspace_focus_file_gives_roles_groups_heads_and_recorded_positions(sample, tmp_path):
    rig_path = tmp_path / "Sample.qxw"
    shutil.copy(sample, rig_path)
    (tmp_path / "Sample.focus.yaml").write_text(
        "groups:\n  Front: {role: key}\n"
        "fixtures:\n"
        '  "DJScan250 #1": {focus: {DC: {pan: 10, tilt: -20}, throne: {pan: -30, tilt: 15}}, focus_area: DC}\n'
        '  "6 ch Dimmer #1": {heads: {1: {group: Front, focus_area: DSL}, 2: {group: Front, focus_area: DC}}}\n',
        encoding="utf-8",
    )
    loaded = load_rig(rig_path)
    assert loaded.companions == (str(tmp_path / "Sample.focus.yaml"),)
    front = next(g for g in loaded.rig.groups if g.name == "Front")
    assert front.role == "key" and loaded.role_source[front.group_id] == "given in the focus file"
    assert [f.focus_area for f in loaded.rig.fixtures_in(front.group_id)] == ["DSL", "DC"]
    scanner = next(f for f in loaded.rig.fixtures if f.name == "DJScan250 #1")
    scanners = scanner.group_id
    plan = [cue(1, 0, 5, {scanners: (1.0, "daylight")}), cue(2, 5, 10, {scanners: (1.0, "daylight")})]
    plan[1] = plan[1].model_copy(update={"groups": [plan[1].groups[0].model_copy(update={"focus_area": "throne"})]})
    show = _renderer(plan, rig_path)
    at = scanner.patch.address - 1
    assert list(show.frame_at(2.0)[1][at : at + 2]) == [int((0.5 + 10 / 180) * 255 + 0.5), int((0.5 - 20 / 75) * 255 + 0.5)]
    assert list(show.frame_at(7.0)[1][at : at + 2]) == [int((0.5 - 30 / 180) * 255 + 0.5), int((0.5 + 15 / 75) * 255 + 0.5)]
    other = next(f for f in loaded.rig.fixtures if f.name == "DJScan250 #2")
    assert list(show.frame_at(2.0)[1][other.patch.address - 1 :][:2]) == [128, 128]  # no focus: home, never 0/0
    proc = cueflow("rig", "check", str(rig_path))
    assert "DJScan250 #1: recorded positions for DC, throne (its own area DC)" in proc.stdout
    assert "with Sample.focus.yaml" in proc.stdout and "roles the rig lacks" in proc.stdout
    (tmp_path / "Sample.focus.yaml").write_text('fixtures:\n  "Nobody": {focus_area: DC}\n', encoding="utf-8")
    proc = cueflow("rig", "check", str(rig_path))
    assert proc.returncode == 2 and "Sample.focus.yaml: fixture 'Nobody' is not in Sample.qxw" in proc.stderr


def test_a_yaml_overlay_names_its_workspace(sample, tmp_path):
    """`workspace: Sample.qxw` in a cueflow YAML: the workspace's patch with the YAML's roles, focus and points."""
    shutil.copy(sample, tmp_path / "Sample.qxw")
    overlay = tmp_path / "sample_stage.yaml"
    overlay.write_text(
        "workspace: Sample.qxw\n"
        "focus_points: {throne: {x: 2.0, y: 3.5, z: 1.2}}\n"
        "groups: {Dimmers: {role: key}, LED pars: {role: back}}\n"
        'fixtures: {"DJScan250 #2": {position: {x: 1.5, y: -1.0, z: 6.0}, mounting: {orientation: hung}}}\n',
        encoding="utf-8",
    )
    loaded = load_rig(overlay)
    assert loaded.kind == "QLC+ workspace with a cueflow overlay" and loaded.companions == (str(tmp_path / "Sample.qxw"),)
    roles = {g.name: g.role for g in loaded.rig.groups}
    assert roles == {"LED pars": "back", "Scanners": "special", "Dimmers": "key"}  # a real key: no stand-in
    assert set(loaded.rig.focus_points) == {"throne"}
    scanner = next(f for f in loaded.rig.fixtures if f.name == "DJScan250 #2")
    assert scanner.mounting is not None and scanner.position.z == 6.0
    proc = cueflow("rig", "check", str(overlay))
    assert proc.returncode == 0 and "DJScan250 #2: computed from where it hangs (hung at 1.5, -1, 6)" in proc.stdout
    assert "roles the rig lacks (side, atmosphere, practical)" in proc.stdout
