"""Effects play the same on the rig and in the preview: Phase 8's renderer against preview.html in a real Chromium.

The storm is a state for a whole three-minute cue with irregular lightning drawn from its seed; flicker, pulse,
chase and flash, fades (an interrupted one included) and per-area overrides are held to the same numbers.
"""

import json
import random
import statistics
from collections.abc import Iterator

import pytest

import phases.preview
from phases.contracts import Effect
from phases.hardware import effects
from phases.knowledge import load_knowledge
from tests.browser import Chromium, Page
from tests.hardware_plans import cue, renderer_for
from tests.multi_cue_plans import STORM_SEED, STORM_START, storm_plan, storm_scenes

STORM = Effect(type="lightning", rate_hz=0.25, seed=STORM_SEED)
CYC = "cyc_top_c"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    kb = load_knowledge()
    path = tmp_path_factory.mktemp("effects") / "preview.html"
    path.write_text(
        phases.preview.render_preview("storm", storm_scenes(), storm_plan(), kb.rig, list(kb.colours.values())),
        encoding="utf-8",
    )
    with Chromium(width=1400, height=1000) as browser:
        p = browser.open_page()
        p.goto(path.as_uri())
        yield p
        assert p.exceptions() == []


def sample_times() -> list[float]:
    """Inside and around every strike of the storm, across fades, and at random over the whole show."""
    times: list[float] = []
    # the cyc's storm runs on from cue 2 (40 s) to 220 s; the specials' from 40 s, then a faster one from cue 3
    for origin, effect, seconds in ((STORM_START, STORM, 180.0), (130.0, STORM.model_copy(update={"rate_hz": 0.4}), 90.0)):
        for strike in effects.strikes(effect, seconds):
            at = origin + strike.at_ms / 1000
            times += [at - 0.01, at + 0.0105, at + 0.1005, at + 0.2, at + 0.3]
    rng = random.Random(14)
    times += [rng.uniform(0, 330) for _ in range(400)]
    times += [t + d for t in (10, 40, 120, 130, 220, 240, 320) for d in (0, 0.5, 1.5, 3.3, 7.9)]
    return sorted(times)


def preview_levels(page: Page, times: list[float]) -> list[dict[str, list[float]]]:
    return page.evaluate(f"({json.dumps(times)}).map(t => window.cueflowPreview.fixtureLevels(t))")


def test_the_preview_plays_exactly_what_the_renderer_sends(page: Page):
    renderer = renderer_for(storm_plan())
    times = sample_times()
    seen = preview_levels(page, times)
    flashes = 0
    for t, in_page in zip(times, seen, strict=True):
        on_rig = renderer.fixture_levels(t)
        assert set(in_page) == set(on_rig)
        for fixture_id, (level, rgb) in on_rig.items():
            got = in_page[fixture_id]
            assert abs(got[0] - level) < 1e-9, f"t={t:.4f} {fixture_id}: preview {got[0]}, rig {level}"
            assert all(abs(a - b) < 1e-6 for a, b in zip(got[1:], rgb, strict=True)), f"t={t:.4f} {fixture_id} colour"
        flashes += on_rig[CYC][0] > 0.8  # the cyc group's ceiling is 0.9
    assert flashes >= 10, "the samples hit too few strikes for the comparison to mean anything"


def test_the_screen_shows_the_strike(page: Page):
    """On screen, not just in the page's numbers: the cyc flood's circle is lit by a strike and dark between."""
    kb = load_knowledge()
    renderer = renderer_for(storm_plan())
    strike = effects.strikes(STORM, 120 - STORM_START)[3]  # the storm's clock starts at cue 2
    for t in (STORM_START + strike.at_ms / 1000 + 0.02, STORM_START + strike.at_ms / 1000 - 0.05):
        page.evaluate(f"window.cueflowPreview.seek({t})")
        level, _ = renderer.fixture_levels(t)[CYC]
        colour = kb.colours["steel_blue"].rgb
        want = [round(c * level) for c in colour]
        dom = page.evaluate(f"document.querySelector('circle[data-fixture-id=\"{CYC}\"]').dataset.rgb")
        assert [int(v) for v in dom.split(",")] == pytest.approx(want, abs=1)


def test_the_storm_flashes_irregularly_for_the_whole_three_minute_cue():
    storm = {"effect": STORM.model_dump()}
    plan = [cue(1, 0, 180, {"ambient": (0.2, "steel_blue"), "front_wash": (0.3, "steel_blue")}, ambient=storm)]
    renderer = renderer_for(plan)
    lit = [i / 50 for i in range(180 * 50) if renderer.fixture_levels(i / 50)[CYC][0] > 0.5]
    sixths = [sum(1 for t in lit if k * 30 <= t < (k + 1) * 30) for k in range(6)]
    assert all(n > 0 for n in sixths), f"a half-minute of the storm has no lightning: {sixths}"
    whole = effects.strikes(STORM, 180)
    assert 0.5 * 0.25 * 180 <= len(whole) <= 1.5 * 0.25 * 180
    assert whole[-1].at_ms / 1000 > 150, "the strikes stop before the end of the storm"
    gaps = [b.at_ms - a.at_ms for a, b in zip(whole, whole[1:], strict=False)]
    assert statistics.pstdev(gaps) > 0.4 * statistics.mean(gaps), "strikes are evenly spaced, not a storm"
    assert len({s.flashes for s in whole}) > 1 and len({round(s.brightness, 3) for s in whole}) > 5
    assert min(gaps) >= effects.lightning_shape().min_gap_ms


def test_the_same_seed_gives_the_same_storm_and_another_seed_another():
    first = [(s.at_ms, s.flashes, s.brightness) for s in effects.strikes(STORM, 180)]
    effects._storm.cache_clear()
    again = [(s.at_ms, s.flashes, s.brightness) for s in effects.strikes(STORM, 180)]
    other = [(s.at_ms, s.flashes, s.brightness) for s in effects.strikes(STORM.model_copy(update={"seed": 7}), 180)]
    assert first == again
    assert first != other
    a, b = renderer_for(storm_plan()), renderer_for(storm_plan())
    for t in (41.0, 77.7, 150.25, 219.9):
        assert a.frame_at(t) == b.frame_at(t)


def test_a_lightning_effect_with_a_duration_stops_and_one_without_plays_on():
    short = STORM.model_copy(update={"duration": 5.0})
    assert all(effects.apply_effect(short, 0.2, t / 10, "ambient", 0, 5) == 0.2 for t in range(50, 1800))
    assert any(effects.apply_effect(STORM, 0.2, t / 100, "ambient", 0, 5) > 0.2 for t in range(17000, 18000))


def test_the_renderer_honours_area_and_fixture_overrides():
    renderer = renderer_for(storm_plan())
    levels = renderer.fixture_levels(100.0)  # cue 2, its 4 s fade long done
    steel = tuple(float(v) for v in load_knowledge().colours["steel_blue"].rgb)
    lavender = tuple(float(v) for v in load_knowledge().colours["lavender"].rgb)
    assert levels["fw_dsl_warm"] == (0.85, lavender)  # the area's level, the group's colour
    assert levels["fw_dsl_cool"] == (0.3, steel)  # a later fixture override wins, with its own colour
    assert levels["fw_dsr_warm"][0] == pytest.approx(0.05) and levels["fw_dsr_cool"][0] == pytest.approx(0.05)
    assert levels["fw_dc_warm"] == (0.4, lavender)  # no override: the group's level
    # cue 2.5 fades the pair from their own levels, not from the group's
    mid = renderer.fixture_levels(120.0 + 5.0)
    assert mid["fw_dsl_warm"][0] == pytest.approx(0.85 + (0.9 - 0.85) * 5 / 30)
    assert mid["fw_dsr_warm"][0] == pytest.approx(0.05 + (0.9 - 0.05) * 5 / 30)


def test_the_stage_plan_lights_each_area_at_its_own_level(page: Page):
    """Per-area overrides show on the stage plan: each front-wash fixture's pool at its own level."""
    renderer = renderer_for(storm_plan())
    page.evaluate("window.cueflowPreview.seek(100)")
    for fixture_id in ("fw_dsl_warm", "fw_dsl_cool", "fw_dsr_warm", "fw_dc_warm"):
        level, rgb = renderer.fixture_levels(100.0)[fixture_id]
        want = [round(c * level) for c in rgb]
        dom = page.evaluate(f"document.querySelector('circle[data-fixture-id=\"{fixture_id}\"]').dataset.rgb")
        assert [int(v) for v in dom.split(",")] == pytest.approx(want, abs=1), fixture_id
        stop = page.evaluate(
            f"""(() => {{ const c = document.querySelector('circle[data-fixture-id="{fixture_id}"]');
            const n = [...document.querySelectorAll('circle[data-fixture-id]')].indexOf(c);
            return document.getElementById('pool' + n).querySelector('stop').getAttribute('stop-color'); }})()"""
        )
        assert [int(v) for v in stop[4:-1].split(",")] == pytest.approx(want, abs=1), f"{fixture_id}'s pool"


def test_a_storm_runs_on_through_the_cues_inside_it():
    """Cues 2.5 and 3 leave the cyc's storm as it was: its strikes carry on from cue 2's, not from each GO."""
    renderer = renderer_for(storm_plan())
    for strike in effects.strikes(STORM, 180):
        at = STORM_START + strike.at_ms / 1000 + 0.02
        if at > 120:  # inside cues 2.5 and 3
            assert renderer.fixture_levels(at)[CYC][0] > 0.5, f"no strike on the cyc at {at:.2f} s"
    # the specials change storm at cue 3 (another rate): that one starts afresh at 130 s
    faster = STORM.model_copy(update={"rate_hz": 0.4})
    first = effects.strikes(faster, 90)[0]
    assert renderer.fixture_levels(130.0 + first.at_ms / 1000 + 0.02)["sp_mover"][0] > 0.3
