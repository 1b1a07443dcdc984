"""preview.html in a real headless Chromium: the rendered fixture colours follow the plan, fades fade, and nothing is fetched."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import phases.decision
import phases.emotion
import phases.evaluation
import phases.knowledge
import phases.parsing
import phases.preview
from phases.contracts import Fixture, LightingInstruction, Scene
from tests.browser import Chromium, Page


@dataclass(frozen=True)
class Planned:
    scenes: list[Scene]
    plan: list[LightingInstruction]
    kb: phases.knowledge.KnowledgeBase
    page: Path


@pytest.fixture(scope="module")
def planned(macbeth: Path, tmp_path_factory: pytest.TempPathFactory) -> Planned:
    parsed = phases.parsing.parse_file(macbeth)
    scenes = [s.model_copy(update={"emotion": phases.emotion.detect_emotion(s)}) for s in parsed.scenes]
    kb = phases.knowledge.load_knowledge()
    knowledge = [phases.knowledge.retrieve(s, kb, phases.knowledge.ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    plan = phases.decision.LightingDecisionEngine().plan(scenes, knowledge)
    colours = list(kb.colours.values())
    report = phases.evaluation.evaluate(scenes, plan, kb.rig, colours, list(kb.rules), second_plan=plan)
    page = tmp_path_factory.mktemp("preview") / "preview.html"
    page.write_text(phases.preview.render_preview("macbeth", scenes, plan, kb.rig, colours, report), encoding="utf-8")
    return Planned(scenes, plan, kb, page)


@pytest.fixture(scope="module")
def browser_page(planned: Planned) -> Iterator[Page]:
    with Chromium(width=1400, height=1000) as browser:
        page = browser.open_page()
        page.goto(planned.page.as_uri())
        yield page


def fixture_target(fixture: Fixture, instruction: LightingInstruction) -> tuple[float, str]:
    """The fixture's level and colour name in the cue: its group's, then the group's area or fixture overrides."""
    group = next(g for g in instruction.groups if g.group_id == fixture.group_id)
    level, colour = group.parameters.intensity, group.parameters.color
    for override in group.overrides:
        if override.fixture_id == fixture.fixture_id or (override.area is not None and override.area == fixture.focus_area):
            level, colour = override.intensity, override.color or colour
    return min(level, fixture.constraints.max_intensity), fixture.fixed_color or colour


def expected_rgb(fixture: Fixture, instruction: LightingInstruction, kb: phases.knowledge.KnowledgeBase) -> tuple[int, ...]:
    """What the cue says the fixture shows once its transition is complete: colour table RGB scaled by level."""
    level, colour = fixture_target(fixture, instruction)
    return tuple(round(c * level) for c in kb.colours[colour].rgb)


def settled_time(instruction: LightingInstruction, group_id: str) -> float | None:
    """A time inside the scene after the group's transition has finished, or None if it never settles."""
    group = next(g for g in instruction.groups if g.group_id == group_id)
    transition = group.transition
    done = instruction.time_window.start + (transition.delay + transition.duration if transition else 0)
    end = instruction.time_window.end
    return (done + end) / 2 if done < end - 1 else None


def rendered_rgb(page: Page, fixture_id: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The fixture circle's fill as the DOM has it, and the pixel at its centre in a real screenshot."""
    box = page.evaluate(
        f"""(() => {{ const c = document.querySelector('[data-fixture-id="{fixture_id}"]');
        c.scrollIntoView({{block: "center"}}); const r = c.getBoundingClientRect();
        return {{x: r.left + r.width / 2, y: r.top + r.height / 2, rgb: c.dataset.rgb}}; }})()"""
    )
    shot = page.screenshot()
    pixel = shot.getpixel((round(box["x"]), round(box["y"])))
    return tuple(int(v) for v in box["rgb"].split(",")), tuple(pixel)


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 2) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def cases(planned: Planned) -> list[tuple[LightingInstruction, Fixture, float]]:
    """Colour-mixing fixtures lit (no effect) in settled scenes, one per scene, so each scene's own cue is checked."""
    found = []
    for instruction in planned.plan:
        for fixture in planned.kb.rig.fixtures:
            group = next(g for g in instruction.groups if g.group_id == fixture.group_id)
            t = settled_time(instruction, fixture.group_id)
            if fixture.fixed_color is None and group.parameters.effect is None and group.parameters.intensity > 0.2 and t:
                found.append((instruction, fixture, t))
                break
    return found


def test_fixture_colour_on_screen_matches_the_scene_cue(planned: Planned, browser_page: Page):
    checked = cases(planned)
    assert len(checked) >= 5, "the plan has too few settled, lit scenes to check"
    colours_seen = set()
    for instruction, fixture, t in checked[:6]:
        browser_page.evaluate(f"window.cueflowPreview.seek({t})")
        assert browser_page.evaluate("document.body.dataset.scene") == instruction.scene_id
        want = expected_rgb(fixture, instruction, planned.kb)
        dom, pixel = rendered_rgb(browser_page, fixture.fixture_id)
        assert dom == want, f"{instruction.scene_id} {fixture.fixture_id}: page computed {dom}, cue says {want}"
        assert close(pixel, want), f"{instruction.scene_id} {fixture.fixture_id}: screen shows {pixel}, cue says {want}"
        colours_seen.add(want)
    assert len(colours_seen) >= 3, "every checked scene looked the same: the check would not catch a stuck preview"


def test_front_of_house_fixtures_are_on_the_plan(planned: Planned, browser_page: Page):
    """Every fixture, front of house and house lights included, is drawn inside the visible stage plan."""
    inside = browser_page.evaluate(
        """(() => { const svg = document.getElementById("plan").getBoundingClientRect();
        return [...document.querySelectorAll("[data-fixture-id]")].map(c => { const r = c.getBoundingClientRect();
          const within = r.left >= svg.left && r.right <= svg.right && r.top >= svg.top && r.bottom <= svg.bottom;
          return [c.dataset.fixtureId, within]; }); })()"""
    )
    assert sorted(fid for fid, _ in inside) == sorted(f.fixture_id for f in planned.kb.rig.fixtures)
    assert [fid for fid, ok in inside if not ok] == []


def test_a_fade_is_part_way_in_the_middle_of_its_time(planned: Planned, browser_page: Page):
    for k, instruction in enumerate(planned.plan[1:], start=1):
        before = planned.plan[k - 1]
        for fixture in planned.kb.rig.fixtures:
            group = next(g for g in instruction.groups if g.group_id == fixture.group_id)
            prev = next(g for g in before.groups if g.group_id == fixture.group_id)
            tr = group.transition
            if not (tr and tr.type != "cut" and tr.duration >= 2 and fixture.fixed_color and prev.parameters.effect is None):
                continue
            (level_before, _), (level_after, _) = fixture_target(fixture, before), fixture_target(fixture, instruction)
            settled = before.time_window.start + (prev.transition.delay + prev.transition.duration if prev.transition else 0)
            if abs(level_after - level_before) < 0.25 or settled > instruction.time_window.start:
                continue  # a small change, or the cue before was still fading when this one was called
            start = instruction.time_window.start + tr.delay
            browser_page.evaluate(f"window.cueflowPreview.seek({start + tr.duration / 2})")
            level = (level_before + level_after) / 2
            rgb = planned.kb.colours[fixture.fixed_color].rgb
            want = tuple(round(c * level) for c in rgb)
            dom, pixel = rendered_rgb(browser_page, fixture.fixture_id)
            assert close(dom, want, 1), f"half-way through the fade {fixture.fixture_id} is {dom}, expected {want}"
            assert close(pixel, want), f"half-way through the fade the screen shows {pixel}, expected {want}"
            assert browser_page.evaluate("document.body.dataset.fading") == "1"
            return
    pytest.fail("no fade of a fixed-colour fixture of at least 2 s with a level change in the plan")


def test_go_plays_the_next_cue_and_its_fade_passes_through_in_between_levels(planned: Planned, browser_page: Page):
    def slow(ins: LightingInstruction) -> list[str]:
        return [g.group_id for g in ins.groups if g.transition and g.transition.duration >= 2]

    k = next(i for i, ins in enumerate(planned.plan) if i > 0 and slow(ins))
    group_id = slow(planned.plan[k])[0]
    fixture = next(f for f in planned.kb.rig.fixtures if f.group_id == group_id)
    browser_page.evaluate(f"window.cueflowPreview.seek({planned.plan[k - 1].time_window.start + 0.5})")
    # Sample the fixture on 40 animation frames after pressing GO (real time during fades).
    frames = browser_page.evaluate(
        f"""new Promise(done => {{ const seen = [], p = window.cueflowPreview; p.go();
          (function frame() {{ seen.push([p.now(), p.fixtureColour("{fixture.fixture_id}").join(",")]);
            if (seen.length < 40) requestAnimationFrame(frame); else {{ p.pause(); done(seen); }} }})(); }})"""
    )
    times = [t for t, _ in frames]
    assert times[-1] > times[0] >= planned.plan[k].time_window.start, "GO did not start playing the next cue"
    assert len({c for _, c in frames}) >= 4, f"the fade did not visibly change the fixture: {frames[:3]} ... {frames[-3:]}"


def test_the_page_made_no_network_request_and_raised_no_error(planned: Planned, browser_page: Page):
    browser_page.evaluate("window.cueflowPreview.seek(10)")
    # the page itself, and the 3D stage's worker made from the page's own text (an in-memory blob: URL)
    requests = browser_page.requests()
    assert [r for r in requests if not r.startswith("blob:null/")] == [planned.page.as_uri()], requests
    assert browser_page.exceptions() == []
    assert [e for e in browser_page.log_entries() if e.get("level") == "error"] == []
