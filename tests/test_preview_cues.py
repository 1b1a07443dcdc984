"""preview.html plays cues, not scenes: a console's cue list, GO steps cue by cue inside a scene (real Chromium)."""

from collections.abc import Iterator

import pytest

from tests.browser import Page
from tests.multi_cue_plans import open_storm_preview, storm_plan


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    yield from open_storm_preview(tmp_path_factory.mktemp("cues"))


def test_the_cue_list_has_a_row_per_cue_with_number_label_call_fade_and_follow(page: Page):
    rows = page.evaluate("[...document.querySelectorAll('#cuelist tr')].map(r => [...r.cells].map(c => c.textContent.trim()))")
    plan = storm_plan()
    assert [r[0] for r in rows] == [f"{c.cue_number:g}" for c in plan]
    assert [r[3] for r in rows] == [c.label for c in plan]
    by_number = dict(zip([r[0] for r in rows], rows, strict=True))
    assert by_number["0.5"][4] == "preset"
    assert by_number["2"][4] == "direction (line 2): Thunder and lightning."
    assert by_number["2.5"][4] == "line: Fair is foul"
    assert by_number["1"][5] == "8 s" and by_number["2.5"][5] == "30 s" and by_number["0.5"][5] == "0 s cut"
    assert by_number["4"][6] == "F 0 s" and by_number["3"][6] == ""
    assert by_number["6"][4] == "final blackout"


def test_go_steps_through_the_cues_inside_a_scene(page: Page):
    page.evaluate("window.cueflowPreview.seek(11)")
    seen = []
    for _ in range(4):
        page.evaluate("window.cueflowPreview.go(); window.cueflowPreview.pause()")
        seen.append((page.evaluate("document.body.dataset.cue"), page.evaluate("document.body.dataset.scene")))
    assert seen == [("2", "scene_001"), ("2.5", "scene_001"), ("3", "scene_001"), ("4", "scene_001")]
    assert page.evaluate("document.getElementById('now-called').textContent").startswith("Called on: follow 0 s")
    current = page.evaluate("[...document.querySelectorAll('#cuelist tr.current')].map(r => r.dataset.cue)")
    assert current == ["4"]
    page.evaluate("window.cueflowPreview.back()")
    assert page.evaluate("document.body.dataset.cue") == "3"
