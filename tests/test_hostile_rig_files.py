"""Issue 23: rig files that exhausted the machine, hung it, or ended in an internal error, through the real CLI.

Each runs `cueflow rig check` (or `run --rig`) in a process limited to 768 MB of address space and a timeout: the
bounds are checked before anything is allocated, a FIFO never blocks, and every refusal is one line naming the file
and line, exit 2. The same readers run inside a deployment's parameter check (tests/test_deployment_rig_files.py).
"""

import os
from pathlib import Path

import pytest

from phases.rig import load_rig

from .conftest import EXAMPLE
from .hostile_files import (
    bomb_rig,
    broken_ofl_beside,
    fifo,
    ofl_with,
    qxf_with_default,
    run_cli,
    workspace_with_channels,
    workspace_with_duplicate_ids,
    yaml_rig,
)
from .rig_files import write_workspace

FAST = 30  # seconds: each of these took 20-90 s, or for ever, before


def _refused(path: Path, message: str, *extra: str) -> None:
    done = run_cli("rig", "check", str(path), *extra, timeout=FAST)
    assert done.returncode is not None, f"hung: {done.stderr[-500:]}"
    assert done.clean_refusal, done.stderr[-2000:]
    line = done.error_lines[0]
    assert message in line and path.name in line, line


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (1_000_000_000, "line 6: fixture 'Dimmer': <Channels> must be 1 to 512"),
        (10_000_000, "<Channels> must be 1 to 512"),
        (1_000_000, "<Channels> must be 1 to 512"),
        (0, "<Channels> must be 1 to 512"),
        (-5, "<Channels> is not a whole number of 0 or more"),
        (10**40, "<Channels> has 41 digits, far out of range"),
    ],
)
def test_a_workspace_channel_count_is_bounded_before_anything_is_built(tmp_path, channels, message):
    _refused(workspace_with_channels(tmp_path, channels), message)


def test_duplicate_fixture_ids_name_both_lines(tmp_path):
    _refused(workspace_with_duplicate_ids(tmp_path), "line 7: fixture 'Dimmer': <ID> 0 is also the ID of the fixture at line 6")
    one = "{fixture_id: f1, group_id: a, fixture_type: dimmer, fixed_color: warm_white, capabilities: [intensity], "
    one += "position: {x: 0, y: 0, z: 6}, patch: {universe: 1, address: %d, profile: generic_dimmer}}"
    rig = tmp_path / "dup.yaml"
    rig.write_text(f"name: dup\ngroups: [{{group_id: a, description: a}}]\nfixtures:\n  - {one % 1}\n  - {one % 2}\n")
    _refused(rig, "line 5: fixture_id 'f1' is also the fixture at line 4")


@pytest.mark.parametrize("where", ["fixture_library", "definition", "manufacturer"])
def test_yaml_alias_bombs_are_refused_in_memory_and_time(tmp_path, where):
    """1 KB of nested anchors expanded to 10^9 strings: 26-31 s and 2.2 GB, then MemoryError."""
    _refused(bomb_rig(tmp_path, where), "aliases expand to more than 250,000 YAML nodes")


def test_a_rig_that_refers_to_itself_is_refused(tmp_path):
    rig = tmp_path / "loop.yaml"
    rig.write_text("name: loop\ngroups: &g [{group_id: a, description: *g}]\nfixtures: []\n")
    _refused(rig, "line 2: an alias that contains itself")


def test_a_fifo_beside_the_rig_or_in_a_library_is_passed_over_with_a_note(tmp_path):
    """A FIFO named *.qxf or *.json hung every lookup for ever; now it is named in a note and the lookup goes on."""
    fifo(tmp_path / "stuck.qxf")
    fifo(tmp_path / "fixtures" / "stuck.json")
    library = tmp_path / "library"
    fifo(library / "deep" / "stuck.qxf")
    rig = write_workspace(tmp_path)
    done = run_cli("rig", "check", str(rig), "--fixtures", str(library), timeout=FAST)
    assert done.returncode == 0, done.stderr
    assert "GLP" in done.stdout and "UKing" in done.stdout
    for name in ("/stuck.qxf", "fixtures/stuck.json", "deep/stuck.qxf"):
        assert f"{name}: not a regular file (a FIFO, device or socket); passed over" in done.stdout, done.stdout


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "directory"])
def test_a_definition_that_is_not_a_regular_file_is_one_line(tmp_path, kind):
    """A symlink to /dev/zero as a definition was read until memory ran out."""
    target = tmp_path / "special.qxf"
    if kind == "fifo":
        fifo(target)
        expected = "is a FIFO (named pipe), not a regular file"
    elif kind == "dev_zero":
        target.symlink_to("/dev/zero")
        expected = "is a device, not a regular file"
    else:
        target.mkdir()
        expected = "is a folder, not a regular file"
    _refused(yaml_rig(tmp_path, "special.yaml", "definition: special.qxf,"), expected)


def test_a_rig_file_that_is_a_fifo_or_a_device_is_one_line(tmp_path):
    _refused(fifo(tmp_path / "fifo.qxw"), "is a FIFO (named pipe), not a regular file")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    _refused(tmp_path / "zero.yaml", "is a device, not a regular file")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("type_list", "test-wash-7.json: line 20: a capability's type must be a string"),
        ("color_object", "test-wash-7.json: line 26: a capability's color must be a string"),
        ("aliases_5", "test-wash-7.json: line 16: fineChannelAliases must be a list of names"),
        ("categories_7", "test-wash-7.json: line 4: categories must be a list of strings"),
    ],
)
def test_ofl_fields_of_the_wrong_type_name_the_file_and_line(tmp_path, change, message):
    _refused(ofl_with(tmp_path, change), message)


def test_a_channel_default_that_is_not_a_number_names_the_line(tmp_path):
    """'²' passed str.isdigit() and failed int(): an internal ValueError."""
    _refused(qxf_with_default(tmp_path, "²"), "odd.qxf: line 6: a <Channel> Default that is not a DMX value")
    assert load_rig(qxf_with_default(tmp_path, "200")).rig.fixtures[0].model == "Dimmer"


def test_a_fixture_library_of_proc_or_root_is_one_line_in_seconds(tmp_path):
    """/proc's process folders vanish under the walk (an internal FileNotFoundError before)."""
    for folder, why in (("/proc", "lies in /proc, the system's own files"), ("/", "more than 50,000 entries")):
        rig = yaml_rig(tmp_path, "wide.yaml", "manufacturer: Nobody, model: Nothing,", f'fixture_library: ["{folder}"]\n')
        _refused(rig, f"{why}; give a folder of fixture definitions")


def test_a_malformed_ofl_file_beside_a_rig_breaks_only_its_own_lookup(tmp_path):
    """It used to break every lookup in the folder; now the workspace's QLC+ fixtures load, and a rig that asks for the
    broken fixture is told what is wrong with it."""
    done = run_cli("rig", "check", str(broken_ofl_beside(tmp_path)), timeout=FAST)
    assert done.returncode == 0, done.stderr
    assert all(maker in done.stdout for maker in ("UKing", "GLP", "Proel")), done.stdout
    # An OFL file's manufacturer is its folder: here, the rig's own.
    rig = yaml_rig(tmp_path, "wants_broken.yaml", f"manufacturer: {tmp_path.name.replace('_', ' ')}, model: Test Wash 7,")
    _refused(rig, "broken-wash.json: line 1: fineChannelAliases must be a list of names")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e308"])
def test_a_position_that_is_not_a_finite_number_is_refused_with_its_line(tmp_path, value):
    """NaN reached preview.html's JSON and blanked the page."""
    rig = yaml_rig(tmp_path, "position.yaml", "fixture_type: dimmer, fixed_color: warm_white, capabilities: [intensity],")
    text = rig.read_text().replace("x: 0,", f"x: {value},")
    rig.write_text(text.replace("address: 1}", "address: 1, profile: generic_dimmer}"))
    expected = "be less than or equal to 1000" if value == "1e308" else "be a finite number"
    _refused(rig, f"line 4: field fixtures.0.position.x (fixture f1): Input should {expected}")


def test_run_and_batch_refuse_a_hostile_rig_before_prefect_starts(tmp_path):
    rig = workspace_with_channels(tmp_path, 1_000_000_000)
    out = str(tmp_path / "o")
    for args in (("run", str(EXAMPLE), "--out", out), ("batch", str(EXAMPLE.parent), "--out", out)):
        done = run_cli(*args, "--rig", str(rig), timeout=FAST)
        assert done.clean_refusal and "<Channels> must be 1 to 512" in done.error_lines[0], done.stderr
    assert not (tmp_path / "o").exists()


def test_the_readers_stay_small_on_the_largest_files_they_accept(tmp_path):
    """Files at the size limits parse within the memory limit and in seconds: a workspace of 10,000 fixtures."""
    fixtures = [(f"D{i}", "Generic", "Generic", "1 Channel", i // 512, i % 512, 1) for i in range(10_000)]
    rig = write_workspace(tmp_path, "big.qxw", fixtures=fixtures, groups=[])
    done = run_cli("rig", "check", str(rig), timeout=120)
    assert done.returncode == 0, done.stderr[-1000:]
    assert "10000 fixtures" in done.stdout and done.peak_kib < 500_000, done.peak_kib
    fixtures.append(("one too many", "Generic", "Generic", "1 Channel", 30, 0, 1))
    _refused(write_workspace(tmp_path, "too_big.qxw", fixtures=fixtures, groups=[]), "10,001 fixtures, over the limit of 10,000")
    huge = tmp_path / "huge.qxw"
    huge.write_bytes(b"")
    os.truncate(huge, 17 * 2**20)  # sparse: refused by its size, before a byte is read
    _refused(huge, "is 17,825,792 bytes, over the limit of 16,777,216")
