"""The cue sheet's page references and GO words, from a real PDF (made with reportlab, read back with pypdf) and
from a plain-text script paged at --lines-per-page: the page a stage manager turns to, the word the GO is on
(never the title page or a speaker's name), and one standby per sequence of cues."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from phases.contracts import CueTrigger, GroupInstruction, GroupParameters, LightingInstruction, Scene, TimeWindow
from phases.export.pages import cue_mark
from phases.parsing import parse_file
from tests.export_plans import write_plan_dir

ROOT = Path(__file__).resolve().parent.parent

TITLE_PAGE = ["THE LAMPLIGHTER", "", "A play in one act", "", "by A. N. Author", "", "PERSONS", "MARY, a keeper.", "TOM."]
SCENE_ONE = [
    "ACT I.",
    "",
    "SCENE I. The lamp room. Night.",
    "",
    "[Enter MARY with a lantern.]",
    "",
    "MARY.",
    "Is anyone there? The storm is coming in.",
    "",
    "TOM.",
    "Only me, mother. Only me and the wind.",
    *(line for n in range(4, 22) for line in ("MARY.", f"The {n}th gust, and the glass holds.")),
]
SCENE_TWO = [
    "SCENE II. The gallery.",
    "",
    "[Thunder. The lamp gutters and goes out.]",
    "",
    "MARY.",
    "Light it again, Tom. Light it now.",
    "",
    "[Exeunt.]",
]
PAGES = [TITLE_PAGE, SCENE_ONE, SCENE_TWO]


def _pdf(path: Path) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for page in PAGES:
        y = 720
        for line in page:
            pdf.setFont("Courier", 12)
            pdf.drawString(72, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return path


def _cue(number: float, scene: Scene, trigger: CueTrigger) -> LightingInstruction:
    return LightingInstruction(
        scene_id=scene.scene_id,
        cue_number=number,
        label=f"Q{number:g}",
        called_on=trigger,
        time_window=TimeWindow(start=number * 10, end=number * 10 + 10),
        groups=[GroupInstruction(group_id="front_wash", parameters=GroupParameters(intensity=0.5, color="straw"))],
    )


def _plan(scenes: list[Scene]) -> list[LightingInstruction]:
    one, two = scenes[0], scenes[-1]
    mary = one.text.index("MARY.\n")  # the cue points at the speaker's name: the GO must still go on the speech
    thunder = two.text.index("[Thunder.")
    exeunt = two.text.index("[Exeunt.]")
    return [
        _cue(1, one, CueTrigger(kind="structure", moment="house_out")),
        _cue(2, one, CueTrigger(kind="scene_start", char_offset=0)),
        _cue(3, one, CueTrigger(kind="line", text="MARY: Is anyone there?", char_offset=mary)),
        _cue(4, two, CueTrigger(kind="direction", text="Thunder. The lamp gutters and goes out.", char_offset=thunder)),
        _cue(4.5, two, CueTrigger(kind="follow", follow_wait=2)),
        _cue(5, two, CueTrigger(kind="structure", moment="final_blackout", text="Exeunt.", char_offset=exeunt)),
    ]


def cueflow(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def _sheet(plan_dir: Path, *args: str) -> list[dict[str, str]]:
    done = cueflow("export", str(plan_dir), "--format", "csv", *args)
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO((plan_dir / "cue_sheet.csv").read_text())))


def test_a_pdf_script_keeps_the_pdfs_own_pages(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "lamplighter.pdf")
    scenes = parse_file(pdf).scenes
    assert [s.source.start_page for s in scenes] == [1, 3]  # scene 1 carries the title page before its heading
    rows = _sheet(write_plan_dir(tmp_path / "plan", scenes, _plan(scenes)))
    assert [r["cue"] for r in rows] == ["1", "2", "3", "4", "4.5", "5"]
    assert [r["go_word"] for r in rows] == ["", "Enter", "Is", "Thunder", "", "Exeunt"]
    assert [r["page"] for r in rows] == ["2", "2", "2", "3", "3", "3"]  # house out: where ACT I begins, not the title
    # The same words on the same pages, read from the PDF itself.
    text = [page.extract_text() for page in PdfReader(pdf).pages]
    for row in rows:
        if row["go_word"]:
            assert row["go_word"] in text[int(row["page"]) - 1], row
    assert "Enter MARY" not in text[0] and "THE LAMPLIGHTER" in text[0]
    # One standby per sequence: the house out and the top of the scene together; the storm and its follow
    # with the blackout near them.
    assert [r["standby"] for r in rows] == ["Standby LX 1 to 3 (3 cues)", "", "", "Standby LX 4 to 5 (3 cues)", "", ""]


def test_a_text_script_is_paged_at_the_lines_per_page_given(tmp_path: Path) -> None:
    lines = [*TITLE_PAGE, "", *SCENE_ONE, "", *SCENE_TWO]
    script = tmp_path / "lamplighter.txt"
    script.write_text("\n".join(lines) + "\n")
    scenes = parse_file(script).scenes
    assert all(s.source.start_page is None for s in scenes)
    plan_dir = write_plan_dir(tmp_path / "plan", scenes, _plan(scenes))
    for per_page in (10, 55):
        rows = _sheet(plan_dir, "--lines-per-page", str(per_page))
        for row in rows[1:]:
            if not row["go_word"]:
                continue
            where = next(i for i, line in enumerate(lines, start=1) if row["go_word"] in line and i >= int(row["line"]))
            assert where == int(row["line"]), row  # the line counts the script's own lines
            assert int(row["page"]) == (where - 1) // per_page + 1, row
    default = _sheet(plan_dir)
    assert [r["page"] for r in default] == ["1", "1", "1", "2", "2", "2"]  # 66 lines: two standard pages


def test_the_go_word_is_never_a_speakers_name_or_the_heading() -> None:
    text = "SCENE III. A heath.\n\n[Thunder. Enter the three Witches.]\n\nFIRST WITCH.\nWhere hast thou been, sister?\n"
    scene = Scene(
        scene_id="scene_003",
        script_type="raw_drama",
        time_window=TimeWindow(start=0, end=60),
        text=text,
        heading="SCENE III. A heath.",
        characters=["FIRST WITCH"],
    )
    assert cue_mark(scene, CueTrigger(kind="scene_start", char_offset=0)).go_word == "Thunder"
    speech = CueTrigger(kind="line", text="FIRST WITCH: Where hast thou been", char_offset=text.index("FIRST"))
    mark = cue_mark(scene, speech)
    assert mark.go_word == "Where" and text[mark.start : mark.end] == "Where"
    assert cue_mark(scene, CueTrigger(kind="follow", follow_wait=1)).go_word == ""
