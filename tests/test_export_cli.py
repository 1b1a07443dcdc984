"""`cueflow export` as a user runs it: every format by default or the ones asked for, written whole or not at
all, and bad input answered with one line and exit 2, leaving nothing behind."""

import base64
import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from phases.export import ExportError, write_files
from tests.browser import Chromium
from tests.export_plans import show, write_plan_dir

ROOT = Path(__file__).resolve().parent.parent
ALL_FILES = {"cues.asc", "show.qxw", "cue_sheet.csv", "cue_sheet.html"}


def cueflow(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if ".export-" in p.name or p.name.endswith(".tmp"))


@pytest.fixture()
def plan_dir(tmp_path: Path) -> Path:
    return write_plan_dir(tmp_path / "macbeth", *show(12))


def test_every_format_by_default_beside_the_plan(plan_dir: Path) -> None:
    done = cueflow("export", str(plan_dir))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in plan_dir.iterdir()} == ALL_FILES | {"scenes.json", "lighting_instructions.json"}
    assert len(done.stderr.strip().splitlines()) == 4
    assert _leftovers(plan_dir.parent) == []


def test_only_the_formats_asked_for(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "console"
    done = cueflow("export", str(plan_dir), "--format", "ascii", "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} == {"cues.asc", "cue_sheet.csv"}


def test_an_existing_folder_gets_the_new_files_and_keeps_the_others(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "console"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "cues.asc").write_text("old")
    assert cueflow("export", str(plan_dir), "--format", "ascii", "--out", str(out)).returncode == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "cues.asc").read_text().startswith("! cueflow")
    assert _leftovers(tmp_path) == []


def _damage(plan_dir: Path, content: str) -> None:
    (plan_dir / "lighting_instructions.json").write_text(content)


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (lambda d: (d / "lighting_instructions.json").unlink(), [], "lighting_instructions.json: not found"),
        (lambda d: _damage(d, '[{"scene_id": '), [], "invalid JSON"),
        (lambda d: _damage(d, '[{"scene_id": "scene_001"}]'), [], "not a lighting plan: field 0.cue_number"),
        (lambda d: _damage(d, "[]"), [], "the plan has no cues"),
        (lambda d: _damage(d, "[" * 100000 + "]" * 100000), [], "invalid JSON"),
        (lambda d: None, ["--format", "pdf"], "unknown export format 'pdf'"),
        (lambda d: None, ["--rig", "/nonexistent/rig.yaml"], "rig file not found"),
        (lambda d: (d / "scenes.json").write_text("{"), [], "scenes.json: invalid JSON"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(plan_dir: Path, tmp_path: Path, setup, args: list[str], message: str) -> None:
    setup(plan_dir)
    out = tmp_path / "out"
    done = cueflow("export", str(plan_dir), "--out", str(out), *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cueflow: error: ") and message in lines[0], done.stderr
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_written_gets_one_line(plan_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    done = cueflow("export", str(plan_dir), "--out", str(blocker / "out"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "cannot write there" in done.stderr
    done = cueflow("export", str(plan_dir), "--out", str(blocker))
    assert done.returncode == 2 and "is not a directory" in done.stderr


def test_a_plan_made_for_another_rig_is_refused(tmp_path: Path) -> None:
    scenes, cues = show(6)
    group = cues[1].groups[0].model_copy(update={"group_id": "truss_wash"})
    cues[1] = cues[1].model_copy(update={"groups": [group]})
    plan_dir = write_plan_dir(tmp_path / "plan", scenes, cues)
    done = cueflow("export", str(plan_dir), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "group 'truss_wash' is not in the rig" in done.stderr
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


def test_a_failure_half_way_through_writing_leaves_nothing(tmp_path: Path) -> None:
    files = {"ascii": ("cues.asc", b"x" * 1000), "broken": ("no/such/folder.csv", b"y")}
    with pytest.raises(ExportError, match="cannot write there"):
        write_files(files, tmp_path / "new")
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "cues.asc").write_text("the old file")
    with pytest.raises(ExportError):
        write_files(files, existing)
    assert [p.name for p in tmp_path.iterdir()] == ["existing"]
    assert (existing / "cues.asc").read_text() == "the old file"


def test_the_csv_cue_sheet(tmp_path: Path) -> None:
    scenes, cues = show(12)
    cues[2] = cues[2].model_copy(update={"label": '=HYPERLINK("http://x")'})
    plan_dir = write_plan_dir(tmp_path / "plan", scenes, cues)
    assert cueflow("export", str(plan_dir), "--format", "csv").returncode == 0
    rows = list(csv.DictReader(io.StringIO((plan_dir / "cue_sheet.csv").read_text())))
    assert [r["cue"] for r in rows] == ["0.5", "10", "10.5", "11", "12", "20", "20.5", "21", "22", "29"]
    assert rows[2]["label"] == '\'=HYPERLINK("http://x")'  # script text is never a formula in a spreadsheet
    assert rows[3]["follow"] == "auto 2.5 s after 10.5" and rows[3]["up_delay"] == "2"
    assert rows[1]["line"] == "10" and rows[1]["act"] == "1" and rows[-1]["act"] == "2"
    assert rows[4]["effects"] == "ambient: lightning 0.3 Hz" and rows[4]["go_word"] == "Thunder"
    assert json.loads((plan_dir / "lighting_instructions.json").read_text())[0]["cue_number"] == 0.5


def test_the_printable_cue_sheet_in_chromium(plan_dir: Path) -> None:
    """Printed by a real browser: each act on its own page, big cue numbers, the words to call on marked."""
    assert cueflow("export", str(plan_dir), "--format", "sheet").returncode == 0
    sheet = plan_dir / "cue_sheet.html"
    with Chromium(1000, 1300) as browser:
        page = browser.open_page()
        page.goto(sheet.as_uri())
        page.call("Emulation.setEmulatedMedia", media="print")
        facts = page.evaluate(
            """JSON.stringify({
              acts: [...document.querySelectorAll('h2.act')].map(h => [h.textContent, getComputedStyle(h).breakBefore]),
              standby: [...document.querySelectorAll('tr.standby td')].map(td => td.textContent),
              heads: [...document.querySelector('thead tr').children].map(th => th.textContent),
              notes: [...document.querySelectorAll('td.notes')].map(td => td.textContent),
              numbers: [...document.querySelectorAll('td.number')].map(td => td.firstChild.textContent),
              numberSize: parseFloat(getComputedStyle(document.querySelector('td.number')).fontSize),
              marked: [...document.querySelectorAll('mark')].map(m => m.textContent),
              auto: [...document.querySelectorAll('tr.auto .follow')].map(td => td.textContent),
            })"""
        )
        pdf = page.call("Page.printToPDF", printBackground=False)["data"]
    facts = json.loads(facts)
    assert facts["acts"] == [["Act 1", "auto"], ["Act 2", "page"]]
    assert facts["standby"] == ["Standby LX 0.5 to 29 (10 cues) at p. 1 l. 10"]  # one sequence: 16 lines from first to last
    assert facts["heads"] == ["Cue", "Page", "GO on", "Label", "Up", "Down", "Effects, follow"]
    assert "ambient: lightning 0.3 Hz" in facts["notes"][4]  # the storm, printed too
    assert facts["numbers"] == ["0.5", "10", "10.5", "11", "12", "20", "20.5", "21", "22", "29"]
    assert facts["numberSize"] >= 28  # px: 22 pt, readable at arm's length on a prompt desk
    assert facts["marked"][1:4] == ["A", "To", "Thunder"]  # the GO word: past the heading, never the speaker's name
    assert facts["auto"] == ["auto 2.5 s after 10.5", "auto 2.5 s after 20.5"]
    document = base64.b64decode(pdf)
    assert document.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", document)) >= 2  # act 2 on page 2


def test_a_qlcplus_rig_exports_on_its_own_channels(tmp_path: Path) -> None:
    from phases.contracts import CueTrigger, GroupInstruction, GroupParameters, LightingInstruction, TimeWindow
    from phases.export import read_ascii
    from tests.rig_files import write_workspace

    rig_file = write_workspace(tmp_path)
    cue = LightingInstruction(
        scene_id="scene_001",
        cue_number=1,
        label="Warm wash",
        called_on=CueTrigger(kind="scene_start"),
        time_window=TimeWindow(start=0, end=30),
        groups=[GroupInstruction(group_id="foh_wash", parameters=GroupParameters(intensity=0.6, color="bastard_amber"))],
    )
    plan_dir = write_plan_dir(tmp_path / "plan", [], [cue])
    done = cueflow("export", str(plan_dir), "--rig", str(rig_file), "--format", "ascii", "--out", str(tmp_path / "eos"))
    assert done.returncode == 0, done.stderr
    levels = read_ascii((tmp_path / "eos" / "cues.asc").read_text()).cues[0].levels
    assert levels == {1: 60, 2: 60}  # the two pars, fixture numbers 1 and 2 of the workspace
    damaged = tmp_path / "damaged.qxw"
    damaged.write_text("<Workspace><Engine><Fixture>")
    done = cueflow("export", str(plan_dir), "--rig", str(damaged), "--out", str(tmp_path / "never"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "damaged.qxw" in done.stderr, done.stderr
    assert not (tmp_path / "never").exists()
