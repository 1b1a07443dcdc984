"""The 3D stage in preview.html, in a real headless Chromium (WebGL on SwiftShader): what it draws is what the cues
and the rig say. A night cue's stage is darker and cooler than a day cue's, a special's pool lands only where it is
focused, a lightning cue flashes as the show plays, and without WebGL the page says so and the rest still works."""

import math
import statistics
from collections.abc import Iterator

import pytest

from phases.contracts import Fixture, LightingInstruction, Position, Scene, TimeWindow
from phases.hardware import ShowRenderer, effects
from phases.hardware.focus import travel
from phases.knowledge import load_knowledge
from phases.preview.html import stage_layout
from phases.rig import load_rig
from tests.browser import Page
from tests.conftest import ROOT
from tests.multi_cue_plans import STORM_START, storm_plan, storm_scenes
from tests.preview_pages import Planned, opened, planned, write_preview

STORM = effects.Effect(type="lightning", rate_hz=0.25, seed=1606)


def acting_area_colour(page: Page) -> tuple[float, float, float]:
    """The mean colour of the stage floor where the actors stand, as the screen shows it (a real screenshot)."""
    corners = page.evaluate(
        "[[-3.5, 0.4, 0], [3.5, 0.4, 0], [-3.5, 5, 0], [3.5, 5, 0]].map(p => window.cueflowPreview.stage3d.project(p))"
    )
    xs, ys = [c["x"] for c in corners], [c["y"] for c in corners]
    shot = page.screenshot(clip={"x": min(xs), "y": min(ys), "width": max(xs) - min(xs), "height": max(ys) - min(ys)})
    pixels = list(shot.get_flattened_data())
    return tuple(statistics.fmean(p[i] for p in pixels) for i in range(3))  # type: ignore[return-value]


def show(page: Page, k: int) -> None:
    """Cue k on stage, and the stage drawn (it draws in its own time, in a worker)."""
    page.evaluate(f"(async () => {{ window.cueflowPreview.showCue({k}); await window.cueflowPreview.stage3d.settled(); }})()")


@pytest.fixture(scope="module")
def play() -> Planned:
    return planned("macbeth")


@pytest.fixture(scope="module")
def macbeth_page(play: Planned, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with opened(write_preview(tmp_path_factory.mktemp("stage3d"), "Macbeth", play.scenes, play.plan)) as page:
        yield page


def test_the_stage_is_drawn_with_webgl_by_three_js(macbeth_page: Page):
    state = macbeth_page.evaluate("({ ok: window.cueflowPreview.stage3d.ok, revision: window.cueflowPreview.stage3d.revision })")
    assert state["ok"] is True and int(state["revision"]) >= 160
    assert macbeth_page.evaluate("document.getElementById('stage3d-note').textContent").startswith("drag to orbit")
    box = macbeth_page.pw.locator("#stage3d-canvas").bounding_box()
    assert box and box["width"] > 400 and box["height"] > 200


def held_look(play: Planned, scene_id: str) -> int:
    """The cue a scene holds longest once its fades are done: the scene's look (its opening may be cut short by the
    cue after it, mid-fade from the scene before)."""
    starts = [c.time_window.start for c in play.plan]
    ends = {k: next((t for t in starts[k + 1 :] if t > starts[k]), play.plan[-1].time_window.end) for k in range(len(starts))}
    fade = {
        k: max((g.transition.delay + g.transition.duration) if g.transition else 0 for g in c.groups)
        for k, c in enumerate(play.plan)
    }
    cues = [k for k, c in enumerate(play.plan) if c.scene_id == scene_id and c.called_on.kind != "structure"]
    return max(cues, key=lambda k: ends[k] - starts[k] - fade[k])


def test_a_night_cue_is_darker_and_cooler_on_stage_than_a_day_cue(macbeth_page: Page, play: Planned):
    # Out of doors, where no torch or fire in the room warms a night: the look each dated exterior scene holds.
    time_of = {s.scene_id: s.time_of_day for s in play.scenes if s.setting == "exterior"}
    night = [held_look(play, sid) for sid, tod in time_of.items() if tod in ("night", "midnight")]
    day = [held_look(play, sid) for sid, tod in time_of.items() if tod in ("day", "morning", "afternoon")]
    assert len(night) >= 1 and len(day) >= 3, "the play has too few dated exterior scenes to compare"
    seen = {}
    for k in night + day:
        show(macbeth_page, k)
        seen[k] = acting_area_colour(macbeth_page)
    brightness = {k: 0.2126 * r + 0.7152 * g + 0.0722 * b for k, (r, g, b) in seen.items()}
    coolness = {k: b / max(r, 1e-6) for k, (r, g, b) in seen.items()}
    assert statistics.median(brightness[k] for k in night) < 0.8 * statistics.median(brightness[k] for k in day), seen
    assert statistics.median(coolness[k] for k in night) > 1.15 * statistics.median(coolness[k] for k in day), seen


def only_special(number: int, fixture_id: str, start: float, focus: str | None = None) -> LightingInstruction:
    """A cue with every group out but one special of the specials group, at full (the group focused on `focus`)."""
    return LightingInstruction.model_validate(
        {
            "scene_id": "scene_001",
            "cue_number": number,
            "label": f"only {fixture_id}",
            "called_on": {"kind": "scene_start"},
            "time_window": {"start": start, "end": start + 10},
            "groups": [
                {
                    "group_id": "specials",
                    "parameters": {"intensity": 0.0, "color": "daylight"},
                    "overrides": [{"fixture_id": fixture_id, "intensity": 1.0}],
                    "focus_area": focus,
                },
                *[
                    {"group_id": g, "parameters": {"intensity": 0.0, "color": "daylight"}}
                    for g in ("front_wash", "back_light", "side_fill", "ambient")
                ],
            ],
        }
    )


def floor_landing(fixture: Fixture, point: Position) -> tuple[float, float, float]:
    """Where a beam from the fixture through a focus point (at a face's height) meets the stage floor."""
    p = fixture.position
    share = p.z / (p.z - point.z)
    return (p.x + (point.x - p.x) * share, p.y + (point.y - p.y) * share, 0.0)


def test_a_specials_pool_appears_only_where_it_is_focused(tmp_path):
    """A profile's pool in its area; the mover's beam where Phase 8's pan and tilt send it: through its focus point, at a
    face's height, on to the floor beyond (a real head lights the floor behind the actor it is focused on)."""
    kb = load_knowledge()
    acting = ("DSL", "DC", "DSR", "CS", "USL", "USC", "USR")
    areas = {a: (v["x"], v["y"], 0.0) for a, v in stage_layout()["areas"].items() if a in acting}
    window = TimeWindow(start=0, end=50)
    scene = Scene(scene_id="scene_001", script_type="raw_drama", time_window=window, text="A room.", heading="A room")
    plan = [only_special(1, "sp_dc_profile", 0.0), only_special(2, "sp_usc_profile", 10.0), only_special(3, "sp_mover", 20.0)]
    # the mover goes where its cue focuses it (Phase 8 aims it there), its own area when the cue names none
    plan += [only_special(4, "sp_mover", 30.0, "USR"), only_special(5, "sp_mover", 40.0, "DSL")]
    mover = next(f for f in kb.rig.fixtures if f.fixture_id == "sp_mover")
    assert mover.mounting is not None and "USR" in kb.rig.focus_points, "the bundled mover cannot be aimed"
    focus = {f.fixture_id: f.focus_area for f in kb.rig.fixtures}
    landings = set()
    with opened(write_preview(tmp_path, "specials", [scene], plan)) as page:
        for k, cue in enumerate(plan):
            show(page, k)  # seen from the house (from above, a fixture's body can hide the floor below it)
            fixture_id = cue.label.removeprefix("only ")
            target = cue.groups[0].focus_area or focus[fixture_id]
            spot = areas[target]
            if fixture_id == "sp_mover":
                spot = floor_landing(mover, kb.rig.focus_points[target])
                drawn_to = page.evaluate("window.cueflowPreview.beams()")["sp_mover"]["to"]
                assert math.dist(drawn_to, spot) < 0.05, f"{cue.label}: drawn to {drawn_to}, its pan and tilt send it to {spot}"
                landings.add(tuple(round(v, 1) for v in spot))
            away = {a: p for a, p in areas.items() if math.dist(p, spot) > 2.4}
            drawn = page.evaluate(f"window.cueflowPreview.stage3d.sample({[list(spot)] + [list(p) for p in away.values()]})")
            lit = sum(drawn[0])
            dark = {a: sum(rgb) for a, rgb in zip(away, drawn[1:], strict=True)}
            assert lit > 150, f"{cue.label}: its pool at {target} {spot} is not lit: {drawn[0]}"
            assert len(dark) >= 3 and all(v < lit / 3 for v in dark.values()), f"{cue.label}: light away from {target}: {dark}"
    assert len(landings) == 3, "the mover did not go where its cues focused it"


def test_a_lightning_cue_flashes_over_time(tmp_path):
    cyc = [[-2.0, 6.2, 3.0], [2.0, 6.2, 3.0], [0.0, 6.2, 2.0]]  # the cyc, below the top floods' hot spots (data/stage3d.yaml)
    with opened(write_preview(tmp_path, "storm", storm_scenes(), storm_plan())) as page:
        # at chosen moments: a strike on the cyc, and the dark between strikes
        strike = effects.strikes(STORM, 80)[2]
        at = STORM_START + strike.at_ms / 1000
        page.evaluate(f"window.cueflowPreview.seek({at + 0.02})")  # the sample draws the stage as it is now
        flash = sum(map(sum, page.evaluate(f"window.cueflowPreview.stage3d.sample({cyc})")))
        page.evaluate(f"window.cueflowPreview.seek({at - 0.3})")
        between = sum(map(sum, page.evaluate(f"window.cueflowPreview.stage3d.sample({cyc})")))
        assert flash > 1.3 * between + 60, (flash, between)
        # over seven seconds of the storm, every 50 ms (drawn at the stage's playing resolution): bright inside each
        # of Phase 8's 70 ms flashes, dark away from them
        t0, step, n = STORM_START + 20.0, 0.05, 140
        sweep = page.evaluate(
            f"""(async () => {{ const p = window.cueflowPreview, out = []; p.stage3d.moving(true);
              for (let i = 0; i < {n}; i++) out.push((await p.stageAt({t0} + i * {step}, {cyc})).flat().reduce((a, b) => a + b));
              p.stage3d.moving(false); return out; }})()"""
        )
        flashes = []
        for strike in effects.strikes(STORM, 40):
            for k in range(strike.flashes):
                on = STORM_START + (strike.at_ms + k * 160) / 1000  # data/effects.yaml: 70 ms flashes, 90 ms apart
                if t0 <= on < t0 + (n - 4) * step:
                    flashes.append((on, on + 0.07))
        assert len(flashes) >= 2, "no strike in the stretch swept: the test would prove nothing"
        lit = [i for i, v in enumerate(sweep) if v > 1.3 * between + 60]
        for on, off in flashes:
            assert any(on <= t0 + i * step < off for i in lit), f"no flash drawn at {on:.2f} s"
        for i in lit:
            t = t0 + i * step
            assert any(on - 0.001 <= t < off + 0.001 for on, off in flashes), f"a flash drawn at {t:.2f} s, away from any strike"
        # and as the show plays at real speed, a frame catches a flash and a later one the dark after it
        seen = page.evaluate(
            f"""new Promise(done => {{ const p = window.cueflowPreview, values = [];
              document.getElementById("speed").value = "1"; document.getElementById("realtime").checked = false;
              p.seek({STORM_START + 1}); p.play(); const t0 = performance.now(); let flashed = false;
              (async function frame() {{ const v = (await p.stage3d.sample({cyc})).flat().reduce((a, b) => a + b); values.push(v);
                flashed ||= v > {1.3 * between + 60};
                const over = performance.now() - t0 > 20000;
                if ((flashed && v < {1.1 * between + 30}) || over) {{ p.pause(); done({{ flashed, values }}); }}
                else requestAnimationFrame(frame); }})(); }})"""
        )
    assert seen["flashed"], f"no frame caught a flash while the storm played: {seen['values']}"


def test_without_webgl_the_page_says_so_and_the_rest_still_works(play: Planned, tmp_path):
    path = write_preview(tmp_path, "Macbeth", play.scenes, play.plan)
    with opened(path, extra_flags=["--disable-webgl", "--disable-3d-apis"]) as page:
        state = page.evaluate(
            "({ ok: window.cueflowPreview.stage3d.ok, note: document.getElementById('stage3d-note').textContent })"
        )
        assert state["ok"] is False and state["note"].startswith("3D stage unavailable:") and "WebGL" in state["note"]
        flag = page.pw.locator("#book a.flag").nth(25)
        flag.scroll_into_view_if_needed()
        flag.click()
        assert page.evaluate("document.body.dataset.cue") == flag.get_attribute("data-cue")
        assert page.evaluate("[...document.querySelectorAll('circle[data-fixture-id]')].some(c => c.dataset.rgb !== '0,0,0')")
        page.pw.click("#go")
        assert page.evaluate("document.body.dataset.cue") != flag.get_attribute("data-cue")


def test_a_movers_beam_sweeps_with_its_pan_and_tilt_during_a_lit_move(tmp_path):
    """On the mover rig, a lit MAC Aura refocused from SL to SR over a 4 s fade: at each moment the page draws its beam
    where the pan and tilt Phase 8 sends then point it (worked out here from the head's mounting and travel), its pool
    lit there, sweeping across the stage as the fade runs."""
    rig_path = ROOT / "examples" / "rigs" / "studio_movers.yaml"
    kb = load_knowledge(rig=rig_path)
    loaded = load_rig(rig_path)
    window = TimeWindow(start=0, end=30)
    scene = Scene(scene_id="scene_001", script_type="raw_drama", time_window=window, text="A room.", heading="A room")

    def movers(number: int, start: float, focus: str, fade: float) -> LightingInstruction:
        tr = {"type": "fade", "duration": fade} if fade else {"type": "cut", "duration": 0}
        return LightingInstruction.model_validate(
            {
                "scene_id": "scene_001",
                "cue_number": number,
                "label": f"movers {focus}",
                "called_on": {"kind": "scene_start"},
                "time_window": {"start": start, "end": start + 10},
                "groups": [
                    {"group_id": "movers", "parameters": {"intensity": 0.8, "color": "daylight"}, "focus_area": focus,
                     "transition": tr},
                    *[{"group_id": g, "parameters": {"intensity": 0.0, "color": "daylight"}}
                      for g in ("front", "scanners", "cyc")],
                ],
            }
        )

    plan = [movers(1, 0.0, "SL", 0), movers(2, 10.0, "SR", 4.0)]
    show_ = ShowRenderer(plan, kb.rig, kb.colours, loaded.profiles)
    aura = next(p for p in show_.fixtures if p.fixture.fixture_id == "aura_l")
    reach, mounting, at = travel(aura.fixture, aura.profile), aura.fixture.mounting, aura.fixture.position
    assert mounting is not None

    def landing(t: float) -> tuple[float, float, float]:
        state = show_.fixture_states(t)["aura_l"]
        pan, tilt = reach.degrees(state.pan, state.tilt)
        heading, lean = math.radians(pan + mounting.pan_home), math.radians(tilt)
        d = (math.sin(lean) * math.sin(heading), -math.sin(lean) * math.cos(heading), -math.cos(lean))
        share = -at.z / d[2]
        return (at.x + d[0] * share, at.y + d[1] * share, 0.0)

    seen = []
    with opened(write_preview(tmp_path, "movers", [scene], plan, rig=rig_path)) as page:
        for t in (5.0, 10.5, 11.0, 12.0, 13.0, 13.5, 16.0):
            page.evaluate(f"window.cueflowPreview.seek({t})")
            want = landing(t)
            drawn = page.evaluate("window.cueflowPreview.beams()")["aura_l"]
            assert drawn["surface"] == "floor" and math.dist(drawn["to"], want) < 0.05, (t, drawn, want)
            lit = sum(page.evaluate(f"window.cueflowPreview.stage3d.sample([{list(want)}])")[0])
            assert lit > 100, f"at {t} s nothing is lit where the beam lands {want}"
            seen.append(want[0])
    assert seen[0] < -3 and seen[-1] > 3, "the beam did not go from stage left to stage right"
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False)), f"the beam did not sweep across during the fade: {seen}"
