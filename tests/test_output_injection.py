"""Issue 23: text from a script that damaged the outputs. Through the real CLI, the files opened by real readers.

A form feed in a heading wrote a show.qxw no XML parser accepts (exit 0); a `$` in the script's file name failed
Phase 5 (matplotlib read the title as mathtext); NaN in a rig's position blanked preview.html.
"""

import json
import math
import shutil
import xml.etree.ElementTree as ET

import pytest

from phases.contracts import Fixture, Position, Rig
from phases.export.xml_text import xml_text
from phases.rig import default_rig_path

from .conftest import EXAMPLE
from .hostile_files import plan_dir, run_cli
from .qlcplus_server import qlcplus

CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")


def test_control_characters_in_labels_still_make_a_workspace_qlcplus_opens(tmp_path):
    plan = plan_dir(tmp_path / "plan", label=f"Storm\fbreaks{CONTROL}\ufffe here")
    done = run_cli("export", str(plan), "--format", "qlc", "--out", str(tmp_path / "out"), timeout=60)
    assert done.returncode == 0, done.stderr
    workspace = tmp_path / "out" / "show.qxw"
    root = ET.parse(workspace).getroot()  # well-formed XML 1.0
    names = [f.get("Name") for f in root.iter("{http://www.qlcplus.org/Workspace}Function")]
    assert any(name and name.startswith("Cue 010 Storm breaks") for name in names), names
    with qlcplus(workspace) as q:
        listing = q.ask("getFunctionsList")[0].split("|")
    assert any(name.startswith("Cue 010 Storm breaks") for name in listing[1::2]), listing


def test_xml_text_keeps_what_xml_allows():
    assert xml_text("Tab\tNew\nReturn\r é ✓ 𝄞") == "Tab\tNew\nReturn\r é ✓ 𝄞"
    assert xml_text("a\x00b\x0cc\x1fd\ud800e\uffff") == "a b c d e "


@pytest.mark.prefect
def test_a_dollar_in_the_name_and_a_form_feed_in_a_heading_make_a_whole_run(tmp_path):
    """A real run: Phase 5's timeline title is the script's name; the heading reaches every export."""
    script = tmp_path / "$5 a ticket $ the keeper.txt"
    text = EXAMPLE.read_text().split("SCENE II.")[0]
    script.write_text(text.replace("SCENE I.", "SCENE I.\f", 1))
    out = tmp_path / "out"
    done = run_cli("run", str(script), "--out", str(out), "--no-emotion", timeout=600, memory=4 * 2**30)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "result.json").read_text())
    assert all(p["status"] != "failed" for p in result["phases"]), [p for p in result["phases"] if p["status"] == "failed"]
    assert (out / "timeline.png").read_bytes().startswith(b"\x89PNG")
    ET.parse(out / "show.qxw")
    assert "$5 a ticket $ the keeper" in (out / "preview.html").read_text()


def test_a_position_that_is_not_finite_never_reaches_the_preview(tmp_path):
    """Refused at the rig reader (tests/test_hostile_rig_files.py); and should a NaN get past the contracts, Phase 5
    fails with a reason instead of writing a page whose JSON the browser cannot read."""
    from phases.knowledge import load_knowledge
    from phases.preview import render_preview

    from .export_plans import show

    kb = load_knowledge()
    scenes, cues = show()
    first = kb.rig.fixtures[0]
    broken = Fixture.model_construct(**{**dict(first), "position": Position.model_construct(x=math.nan, y=0.0, z=5.0)})
    rig = Rig.model_construct(**{**dict(kb.rig), "fixtures": [broken, *kb.rig.fixtures[1:]]})
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        render_preview("show", scenes, cues, rig, list(kb.colours.values()))
    rig_file = tmp_path / "nan.yaml"
    shutil.copy(default_rig_path(), rig_file)
    rig_file.write_text(rig_file.read_text().replace("position: {x: -3.5,", "position: {x: .nan,", 1))
    done = run_cli("run", str(EXAMPLE), "--rig", str(rig_file), "--out", str(tmp_path / "o"), timeout=60)
    assert done.clean_refusal and "position.x (fixture fw_dsl_warm): Input should be a finite number" in done.error_lines[0]
