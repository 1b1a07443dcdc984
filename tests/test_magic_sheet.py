"""The magic sheet in preview.html, in a real headless Chromium: the rig by role and area, at each cue's levels."""

from collections.abc import Iterator

import pytest

from phases.knowledge import load_knowledge
from tests.browser import Page
from tests.hardware_plans import renderer_for
from tests.multi_cue_plans import open_storm_preview, storm_plan

ROLES = {"front_wash": "key", "back_light": "back", "side_fill": "side", "specials": "special", "ambient": "atmosphere"}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    yield from open_storm_preview(tmp_path_factory.mktemp("magic"))


def chips(page: Page) -> dict[str, dict[str, str]]:
    return page.evaluate(
        """Object.fromEntries([...document.querySelectorAll("#magic-sheet [data-magic-fixture]")].map(c => [
          c.dataset.magicFixture,
          { role: c.closest("tr").dataset.role, area: c.closest("td").dataset.area, level: c.dataset.level, rgb: c.dataset.rgb,
            text: c.textContent }]))"""
    )


def test_every_fixture_sits_under_its_role_and_area(page: Page):
    rig = load_knowledge().rig
    sheet = chips(page)
    assert set(sheet) == {f.fixture_id for f in rig.fixtures}
    for f in rig.fixtures:
        assert sheet[f.fixture_id]["role"] == ROLES[f.group_id]
        if f.focus_area:
            assert sheet[f.fixture_id]["area"] == f.focus_area
        assert sheet[f.fixture_id]["text"].startswith(str(f.fixture_number))
    headers = page.evaluate("[...document.querySelectorAll('#magic-sheet thead th')].map(th => th.textContent)")
    assert headers[1:5] == ["USL", "USC", "USR", "CS"] and "cyc" in headers and "house" in headers


@pytest.mark.parametrize("t", [100.0, 125.0, 250.0, 329.0])
def test_the_sheet_shows_each_cues_levels(page: Page, t: float):
    page.evaluate(f"window.cueflowPreview.seek({t})")
    renderer = renderer_for(storm_plan())
    want = {fid: round(level * 100) for fid, (level, _) in renderer.fixture_levels(t).items()}
    got = {fid: int(c["level"]) for fid, c in chips(page).items()}
    assert all(abs(got[fid] - want[fid]) <= 1 for fid in want), f"t={t}: sheet {got}, rig {want}"
    cue = next(c for c in reversed(storm_plan()) if c.time_window.start <= t)
    assert page.evaluate("document.getElementById('magic-cue').textContent").startswith(f"Cue {cue.cue_number:g}: {cue.label}")


def test_the_sheet_shows_per_area_levels_and_changes_as_cues_play(page: Page):
    page.evaluate("window.cueflowPreview.seek(100)")  # cue 2: the DSL pair apart, DSR isolated down
    storm = chips(page)
    assert (storm["fw_dsl_warm"]["level"], storm["fw_dsl_cool"]["level"], storm["fw_dsr_warm"]["level"]) == ("85", "30", "5")
    page.evaluate("window.cueflowPreview.seek(300)")  # cue 5: DC up to 80, the rest of the front at 60
    heath = chips(page)
    assert (heath["fw_dc_warm"]["level"], heath["fw_dsl_warm"]["level"]) == ("80", "60")
    assert heath["sp_dc_profile"]["level"] == "70" and storm["sp_dc_profile"]["level"] != "70"


def test_the_sheet_is_drawn_in_the_fixtures_colours(page: Page):
    page.evaluate("window.cueflowPreview.seek(300)")
    box = page.evaluate(
        """(() => { const b = document.querySelector('[data-magic-fixture="fw_dc_warm"] b'); b.scrollIntoView({block: "center"});
          const r = b.getBoundingClientRect();
          return { x: r.left + 2, y: r.top + r.height / 2, rgb: b.parentNode.dataset.rgb }; })()"""
    )
    want = tuple(int(v) for v in box["rgb"].split(","))
    amber = load_knowledge().colours["bastard_amber"].rgb
    assert want == tuple(round(c * 0.8) for c in amber)
    pixel = page.screenshot().getpixel((round(box["x"]), round(box["y"])))
    assert all(abs(a - b) <= 3 for a, b in zip(pixel, want, strict=True)), f"screen shows {pixel}, sheet says {want}"
