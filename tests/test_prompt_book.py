"""The prompt book in preview.html, in a real headless Chromium: each cue's flag at its GO word with the cue sheet's
act, scene, page, line and standby (cue_sheet.csv, cue by cue), click a flag and the stage shows its cue, GO and Back
move the book with the stage, and it prints as a prompt book with every cue's flag."""

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from phases.export import export_plan
from phases.export.cue_list import number_text
from tests.browser import Page
from tests.export_plans import write_plan_dir
from tests.hardware_plans import renderer_for
from tests.preview_pages import Planned, opened, planned, write_preview


@pytest.fixture(scope="module")
def play() -> Planned:
    return planned("macbeth")


@pytest.fixture(scope="module")
def page(play: Planned, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    path = write_preview(tmp_path_factory.mktemp("book"), "Macbeth", play.scenes, play.plan)
    with opened(path) as page:
        yield page


def stage_matches_the_rig(page: Page, play: Planned) -> None:
    """Every fixture as the page shows it now (the 2D plan's colours) is what Phase 8 would send at this moment."""
    t = page.evaluate("window.cueflowPreview.now()")
    levels = renderer_for(play.plan).fixture_levels(t)
    shown = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('circle[data-fixture-id]')]"
        ".map(c => [c.dataset.fixtureId, c.dataset.rgb]))"
    )
    for fixture_id, (level, rgb) in levels.items():
        want = [round(c * level) for c in rgb]
        got = [int(v) for v in shown[fixture_id].split(",")]
        assert all(abs(a - b) <= 1 for a, b in zip(got, want, strict=True)), f"t={t:.2f} {fixture_id}: page {got}, rig {want}"


def current_flag(page: Page) -> dict:
    return page.evaluate(
        """(() => { const f = document.querySelector('#book a.flag.current'), box = document.getElementById('book-pages');
          if (!f) return null; const r = f.getBoundingClientRect(), b = box.getBoundingClientRect();
          return { cue: f.dataset.cue, visible: r.top >= b.top && r.bottom <= b.bottom,
                   words: [...document.querySelectorAll('#book mark.go.current')].map(m => m.textContent).join('') }; })()"""
    )


def test_every_cue_has_its_flag_in_the_book_with_number_label_and_fade(page: Page, play: Planned):
    flags = page.evaluate(
        """[...document.querySelectorAll('#book a.flag')].map(a => ({ cue: a.dataset.cue,
          scene: a.closest('article').dataset.scene, text: a.textContent }))"""
    )
    assert [f["cue"] for f in flags] == [number_text(c.cue_number) for c in play.plan]
    assert [f["scene"] for f in flags] == [c.scene_id for c in play.plan]
    for flag, cue in zip(flags, play.plan, strict=True):
        assert flag["text"].startswith(f"LX {number_text(cue.cue_number)}{cue.label[:20]}"), flag
        assert re.search(r"(\d+(\.\d+)? s|cut)", flag["text"]), flag
    headings = page.evaluate("[...document.querySelectorAll('#book h3.act')].map(h => h.textContent)")
    assert headings == [f"Act {n}" for n in sorted({s.act for s in play.scenes if s.act})]


def test_the_book_is_the_cue_sheet_cue_by_cue(page: Page, play: Planned, tmp_path: Path):
    """Every cue's act, scene, page, line and GO word, and every standby, in the book as cue_sheet.csv has them."""
    written = export_plan(write_plan_dir(tmp_path / "plan", play.scenes, play.plan), ["csv"], tmp_path / "out")
    sheet = list(csv.DictReader(io.StringIO(Path(written["csv"]).read_text(encoding="utf-8"))))
    assert len(sheet) == len(play.plan)
    book = page.evaluate(
        """Object.fromEntries([...document.querySelectorAll('#book a.flag')].map(a => { const art = a.closest('article');
          const k = a.dataset.k, words = [...document.querySelectorAll(`#book mark.go[data-ks~="${k}"]`)].map(m => m.textContent);
          const stby = document.querySelector(`#book .stby[data-k="${k}"]`);
          return [a.dataset.cue, { act: art.dataset.act, scene: art.dataset.heading, page: a.dataset.page, line: a.dataset.line,
            word: words.join(''), flagLine: a.closest('.ck').dataset.line, standby: stby ? stby.textContent : '',
            standbyLine: stby ? stby.dataset.line : '', standbyAt: stby ? stby.closest('.ck').dataset.line : '' }]; }))"""
    )
    worded = standbys = 0
    for row in sheet:
        shown = book[row["cue"]]
        refs = ("act", "scene", "page", "line")
        assert [shown[k] for k in refs] == [row[k] for k in refs], row
        assert shown["word"] == row["go_word"], (row["cue"], shown["word"], row["go_word"])
        assert shown["standby"] == row["standby"], (row["cue"], shown["standby"], row["standby"])
        if row["go_word"]:  # the flag is level with its GO word's line
            assert shown["flagLine"] == row["line"], row
            worded += 1
        if row["standby"] and shown["standbyLine"]:  # and a standby is written at its line
            assert int(shown["standbyAt"]) <= int(shown["standbyLine"]), (row["cue"], shown)
            standbys += 1
    assert worded > 0.8 * len(sheet) and standbys > 10
    assert page.evaluate("document.querySelectorAll('#book .stby').length") == sum(1 for r in sheet if r["standby"])


def test_a_direction_cue_marks_its_go_word_in_the_text(page: Page, play: Planned):
    cue = next(c for c in play.plan if c.called_on.kind == "direction" and "torch" in (c.called_on.text or ""))
    marked = page.evaluate(
        f"""[...document.querySelectorAll('#book mark.go')]
          .filter(m => m.dataset.ks.split(' ').includes('{play.plan.index(cue)}')).map(m => m.textContent).join(' ')"""
    )
    assert marked and cue.called_on.text.startswith(marked), (marked, cue.called_on.text)  # the direction's first word
    number = number_text(cue.cue_number)
    line = page.evaluate(f"document.querySelector('#book a.flag[data-cue=\"{number}\"]').closest('.ck').dataset.line")
    assert int(line) == cue.called_on.script_line


def test_clicking_a_flag_shows_its_cue_on_stage(page: Page, play: Planned):
    for cue in (play.plan[30], play.plan[60], play.plan[12]):
        number = number_text(cue.cue_number)
        flag = page.pw.locator(f'#book a.flag[data-cue="{number}"]')
        flag.scroll_into_view_if_needed()
        flag.click()
        assert page.evaluate("document.body.dataset.cue") == number
        assert page.evaluate("document.getElementById('now-id').textContent") == f"LX {number}"
        assert page.evaluate("document.getElementById('now-label').textContent") == cue.label
        assert current_flag(page)["cue"] == number
        t = page.evaluate("window.cueflowPreview.now()")
        done = max((g.transition.delay + g.transition.duration) if g.transition else 0 for g in cue.groups)
        assert cue.time_window.start <= t <= cue.time_window.start + done + 1e-6, "the cue is shown once its fades are done"
        stage_matches_the_rig(page, play)
        pixel = page.evaluate("window.cueflowPreview.stage3d.sample([[0, 1.2, 0]]).then(s => s[0])")
        assert sum(pixel) > 0, "the 3D stage is dark where the cue lights the floor"


def test_go_steps_the_flag_and_the_stage_together_and_the_text_follows(page: Page, play: Planned):
    start = 40
    page.evaluate(f"window.cueflowPreview.showCue({start})")
    page.evaluate("document.getElementById('book-pages').scrollTop = 0")  # the book looking somewhere else
    for k in range(start + 1, start + 6):
        page.pw.click("#go")
        page.evaluate("window.cueflowPreview.pause()")
        number = number_text(play.plan[k].cue_number)
        flag = current_flag(page)
        assert page.evaluate("document.body.dataset.cue") == number
        assert flag["cue"] == number and flag["visible"], flag
        stage_matches_the_rig(page, play)
    page.pw.click("#back")
    assert current_flag(page)["cue"] == page.evaluate("document.body.dataset.cue")


def test_the_printed_book_has_every_cue_flag_and_each_act_starts_a_page(page: Page, play: Planned, tmp_path: Path):
    pdf = page.pw.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    text = " ".join(pages)
    missing = [number_text(c.cue_number) for c in play.plan if f"LX {number_text(c.cue_number)} " not in text + " "]
    assert missing == [], f"cues without a flag in the printed book: {missing}"
    for act in sorted({s.act for s in play.scenes if s.act}):
        starts = [n for n, p in enumerate(pages) if f"Act {act} " in p + " "]
        assert starts and (act == 1 or pages[starts[0]].startswith(f"Act {act}")), f"act {act} does not open a page"
    assert "Timeline" not in text and "Magic sheet" not in text, "the print view is the book, not the desk"
    assert len(reader.pages) > 20
