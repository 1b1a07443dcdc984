"""Issue 23: `--dry-run FILE` never replaces a file the command reads: the script, the plan, the rig, a fixture
definition, cueflow's own knowledge, or one of the run's own outputs. Through the real CLI; each is refused with
one line and exit 2 before anything runs, and the file is left as it was."""

import hashlib
import json
import os
from pathlib import Path

import pytest

from phases.hardware.show import PLAN_FILE
from phases.rig.library import FixtureLibrary

from .conftest import EXAMPLE, ROOT
from .hardware_plans import two_cue_fade_plan
from .rig_files import QLC_LIBRARY, write_workspace
from .test_outputs import cueflow, one_line_error


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def script(tmp_path) -> Path:
    path = tmp_path / "macbeth.txt"
    path.write_text(EXAMPLE.read_text())
    return path


def test_run_refuses_its_own_script_as_the_dry_run_target(tmp_path, script):
    """Before: `cueflow run macbeth.txt --out o --dry-run macbeth.txt` replaced the script with DMX frames, exit 0."""
    before = _digest(script)
    (tmp_path / "link.jsonl").symlink_to(script)
    os.link(script, tmp_path / "hard-link.jsonl")
    home, out = tmp_path / "home", str(tmp_path / "o")
    (tmp_path / "sub").mkdir()
    for target in (script, tmp_path / "link.jsonl", tmp_path / "hard-link.jsonl", tmp_path / "sub" / ".." / "macbeth.txt"):
        done = cueflow(home, "run", str(script), "--out", out, "--dry-run", str(target))
        assert str(script) in one_line_error(done, 2, "which this command reads")
    assert _digest(script) == before and not (tmp_path / "o").exists()
    assert not (home / "prefect" / "prefect.db").exists()  # refused before Prefect started


def test_run_refuses_its_rig_a_fixture_definition_and_cueflows_own_files(tmp_path, script):
    if not QLC_LIBRARY.is_dir():
        pytest.fail(f"QLC+'s fixture library is missing ({QLC_LIBRARY}): apt-get install qlcplus-data")
    (tmp_path / "rig").mkdir()
    workspace = write_workspace(tmp_path / "rig")
    definition = Path(FixtureLibrary().find("UKing", "B55 Par Can 12 LED RGBW 12W").source)
    (tmp_path / "def-link.qxf").symlink_to(definition)
    bundled = ROOT / "phases" / "rig" / "data" / "rig.yaml"
    protected = {workspace: _digest(workspace), definition: _digest(definition), bundled: _digest(bundled)}
    home, out = tmp_path / "home", str(tmp_path / "o")
    for target, words in [
        (workspace, ("which this command reads",)),
        (tmp_path / "def-link.qxf", (str(definition), "a file this command reads")),  # read through the rig, as root
        (bundled, ("cueflow's own code, knowledge",)),
    ]:
        done = cueflow(home, "run", str(script), "--rig", str(workspace), "--out", out, "--dry-run", str(target))
        one_line_error(done, 2, *words)
    assert {path: _digest(path) for path in protected} == protected


def test_run_refuses_its_own_output_files_as_the_target(tmp_path, script):
    out = tmp_path / "o"
    out.mkdir()  # an empty folder is a fine --out
    for name in ("scenes.json", "result.json", "show.qxw"):
        done = cueflow(tmp_path / "home", "run", str(script), "--out", str(out), "--dry-run", str(out / name))
        one_line_error(done, 2, f"would replace the run's own {name}")


def test_play_refuses_the_plan_it_plays(tmp_path):
    """Before: `cueflow play P --dry-run P/lighting_instructions.json` replaced the plan with frames, exit 0."""
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    plan = plan_dir / PLAN_FILE
    plan.write_text(json.dumps([c.model_dump(mode="json") for c in two_cue_fade_plan()]))
    before = _digest(plan)
    (tmp_path / "frames.jsonl").symlink_to(plan)
    for target in (plan, tmp_path / "frames.jsonl"):
        done = cueflow(tmp_path / "home", "play", str(plan_dir), "--dry-run", str(target))
        assert PLAN_FILE in one_line_error(done, 2, "which this command reads")
    assert _digest(plan) == before
    # A new file beside it is fine, as before.
    done = cueflow(tmp_path / "home", "play", str(plan_dir), "--dmx-speed", "100", "--dry-run", str(plan_dir / "frames.jsonl"))
    assert done.returncode == 0, done.stderr
    assert _digest(plan) == before and (plan_dir / "frames.jsonl").read_text().startswith('{"format": "cueflow-dmx-frames"')
