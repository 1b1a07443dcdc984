"""The timeline a designer reads, and what the page says at 0:00, in a real headless Chromium: acts and the interval
marked, bands by time of day and place, effects where they run, cues that change nothing marked as such."""

from collections.abc import Iterator

import pytest

import phases.evaluation
from phases.contracts import LightingInstruction, Scene
from phases.preview.html import palette
from tests.browser import Page
from tests.preview_pages import opened, planned, write_preview

STORM = {"type": "lightning", "rate_hz": 0.5, "seed": 7}


def scenes() -> list[Scene]:
    dusk = [{"start_char": 50, "to": "dusk", "evidence": "the sun sets"}]
    rows = [
        ("scene_001", 1, 0, 100, "A heath", "exterior", "night", []),
        ("scene_002", 1, 100, 200, "Inverness. A Room", "interior", "day", dusk),
        ("scene_003", 2, 200, 300, "Inverness. Court within the Castle", "exterior", None, []),
    ]
    return [
        Scene.model_validate(
            {
                "scene_id": sid,
                "script_type": "raw_drama",
                "time_window": {"start": start, "end": end},
                "text": f"SCENE. {place}.\n" + "Words. " * 13,
                "heading": f"SCENE. {place}.",
                "act": act,
                "location": place,
                "setting": setting,
                "time_of_day": tod,
                "time_changes": changes,
            }
        )
        for sid, act, start, end, place, setting, tod, changes in rows
    ]


def cue(number: float, scene: int, start: float, end: float, called_on: dict, groups: dict) -> LightingInstruction:
    return LightingInstruction.model_validate(
        {
            "scene_id": f"scene_{scene:03d}",
            "cue_number": number,
            "label": f"cue {number:g}",
            "called_on": called_on,
            "time_window": {"start": start, "end": end},
            "groups": [
                {"group_id": g, "parameters": {"intensity": v[0], "color": v[1], "effect": v[2] if len(v) > 2 else None}}
                for g, v in groups.items()
            ],
        }
    )


def plan() -> list[LightingInstruction]:
    start = {"kind": "scene_start"}
    line = {"kind": "line", "text": "Words."}
    base = {"front_wash": (0.5, "warm_white"), "ambient": (0.2, "steel_blue")}
    return [
        cue(1, 1, 0, 10, {"kind": "structure", "moment": "preset"}, {"ambient": (0.2, "steel_blue")}),
        cue(2, 1, 10, 40, start, base),
        cue(3, 1, 40, 60, line, base),  # the same look: changes nothing
        cue(4, 1, 60, 80, line, {**base, "front_wash": (0.53, "warm_white")}),  # 3 points: changes nothing
        cue(5, 1, 80, 100, line, {**base, "front_wash": (0.53, "steel_blue")}),  # a colour change
        cue(6, 2, 100, 180, start, {**base, "front_wash": (0.53, "steel_blue"), "ambient": (0.2, "steel_blue", STORM)}),
        cue(7, 2, 180, 200, {"kind": "structure", "moment": "act_end"}, {"front_wash": (0.0, "steel_blue")}),
        cue(8, 2, 200, 200, {"kind": "structure", "moment": "interval"}, {"ambient": (0.1, "steel_blue")}),
        cue(9, 3, 200, 300, start, base),
    ]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with opened(write_preview(tmp_path_factory.mktemp("timeline"), "timeline", scenes(), plan())) as page:
        yield page


def test_cues_that_change_nothing_are_marked_in_the_list_the_book_and_the_timeline(page: Page):
    marked = page.evaluate("window.cueflowPreview.cues().filter(c => c.noChange).map(c => c.n)")
    assert marked == [3, 4]
    assert page.evaluate("[...document.querySelectorAll('#cuelist tr.idle')].map(r => r.dataset.cue)") == ["3", "4"]
    assert page.evaluate("[...document.querySelectorAll('#book a.flag.idle')].map(a => a.dataset.cue)") == ["3", "4"]
    page.evaluate("window.cueflowPreview.showCue(2)")
    assert page.evaluate("document.getElementById('now-idle').hidden") is False
    assert page.pw.locator("#now-idle").is_visible()
    page.evaluate("window.cueflowPreview.showCue(4)")
    assert page.pw.locator("#now-idle").is_hidden()
    assert "2 cues change nothing" in page.evaluate("document.getElementById('summary').textContent")


def test_acts_the_interval_time_of_day_place_and_effects_are_on_the_timeline(page: Page):
    drawn = page.evaluate("window.cueflowPreview.timeline()")
    assert [(a["act"], a["start"], a["end"]) for a in drawn["acts"]] == [(1, 0, 200), (2, 200, 300)]
    assert [i["n"] for i in drawn["intervals"]] == [8]
    times = [(s["scene"], s["tod"], round(s["from"], 1), round(s["to"], 1)) for s in drawn["times"]]
    change = 100 + 100 * 50 / len(scenes()[1].text)
    assert times == [
        ("scene_001", "night", 0, 100),
        ("scene_002", "day", 100, round(change, 1)),
        ("scene_002", "dusk", round(change, 1), 200),
        ("scene_003", None, 200, 300),
    ]
    places = {p["scene"]: p["key"] for p in drawn["places"]}
    assert places == {"scene_001": "a heath", "scene_002": "inverness", "scene_003": "inverness"}
    assert drawn["effects"] == [{"group": "ambient", "type": "lightning", "from": 100, "to": 180}]


def test_the_bands_are_drawn_in_the_colours_of_their_time_of_day(page: Page):
    page.pw.locator("#timeline").scroll_into_view_if_needed()
    rows = page.evaluate("window.cueflowPreview.timeline().rows")
    box = page.pw.locator("#curves").bounding_box()
    shot = page.screenshot()
    colours = palette()["time_of_day"]
    for t, tod in ((50, "night"), (115, "day"), (190, "dusk")):
        x = box["x"] + page.evaluate(f"window.cueflowPreview.timelineX({t})")
        y = box["y"] + (rows["tod"][0] + rows["tod"][1]) / 2 - 4
        want = tuple(int(colours[tod][i : i + 2], 16) for i in (1, 3, 5))
        got = shot.getpixel((round(x), round(y)))
        assert all(abs(a - b) <= 3 for a, b in zip(got, want, strict=True)), f"{tod} at {t} s: drawn {got}, palette {want}"


def test_at_0_00_the_page_shows_the_preset_not_a_cue_at_0_percent_or_an_emotion_warning(tmp_path):
    play = planned("macbeth")
    kb = play.kb
    colours, rules = list(kb.colours.values()), list(kb.rules)
    report = phases.evaluation.evaluate(play.scenes, play.plan, kb.rig, colours, rules, second_plan=play.plan)
    emotional = [m for m in report.metrics if m.name.startswith("emotion") and m.per_scene]
    assert emotional and any(v != "PASS" for m in emotional for v in m.per_scene.values()), "no emotion warning to leave out"
    with opened(write_preview(tmp_path, "Macbeth", play.scenes, play.plan, report)) as page:
        panel = page.evaluate("document.getElementById('now').innerText")
        assert page.evaluate("window.cueflowPreview.now()") >= 0
        assert page.evaluate("document.getElementById('now-id').textContent") == "LX 1"
        assert " 0%" not in panel and "emotion" not in panel.lower(), panel
        # the evaluation section still lists the emotion metric, for whoever wants it
        assert "emotion_coherence" in page.evaluate("document.getElementById('report').innerText")
        for k in range(len(play.plan)):
            page.evaluate(f"window.cueflowPreview.showCue({k})")
            assert "emotion" not in page.evaluate("document.getElementById('now-flags').innerText").lower()
