"""preview.html plays what Phase 8 sends: every fixture's level, colour, pan and tilt in the page (real headless
Chromium) against the renderer's `fixture_states(t)`, to within 1/255, at moments inside fades, effects and mover
moves and at random, on the bundled rig, on a rig of moving heads (examples/rigs/studio_movers.yaml) and on QLC+'s
own Sample.qxw, with Macbeth planned for each. The cues that share a GO (the preset, house to half and house out at
0:00) are stepped one by one, each for its wait, and those steps are Phase 8's numbers too."""

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from phases.hardware import ShowRenderer
from phases.hardware.effects import strikes
from phases.knowledge import load_knowledge
from phases.rig import load_rig
from phases.rig.profiles import load_profiles
from tests.browser import Page
from tests.conftest import ROOT
from tests.preview_pages import Planned, opened, planned, write_preview
from tests.rig_files import QLC_LIBRARY

RIGS = {
    "bundled": None,
    "movers": ROOT / "examples" / "rigs" / "studio_movers.yaml",
    "sample": QLC_LIBRARY.parent / "Sample.qxw",
}
STEP = 1 / 255  # a DMX step of a level, pan or tilt; a colour's step is 1 of 255


def renderer_of(play: Planned, rig: Path | None) -> ShowRenderer:
    profiles = load_rig(rig).profiles if rig is not None else load_profiles()
    return ShowRenderer(play.plan, play.kb.rig, play.kb.colours, profiles)


@pytest.fixture(scope="module", params=list(RIGS))
def show(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    rig = RIGS[request.param]
    if rig is not None and not rig.is_file():
        pytest.fail(f"the rig is missing: {rig} (QLC+'s is in Debian's qlcplus-data)")
    play = planned("macbeth", rig)
    path = write_preview(tmp_path_factory.mktemp(request.param), "Macbeth", play.scenes, play.plan, rig=rig)
    with opened(path) as page:
        yield request.param, play, renderer_of(play, rig), page


def moments(play: Planned, renderer: ShowRenderer) -> dict[str, list[float]]:
    """Show times to compare at, by what happens then: inside fades (and mover moves), inside effects (at lightning
    strikes and between them), and at random."""
    rng = random.Random(22)
    starts = [c.time_window.start for c in play.plan]
    out: dict[str, list[float]] = {"fade": [], "effect": [], "random": [rng.uniform(0, renderer.duration) for _ in range(150)]}
    for k, cue in enumerate(play.plan):
        end = next((s for s in starts[k + 1 :] if s > cue.time_window.start), renderer.duration)
        fades = renderer.fades(k).values()
        for fade in fades:
            tr = fade.transition
            if tr.duration > 0:
                out["fade"] += [cue.time_window.start + tr.delay + tr.duration * p for p in (0.13, 0.5, 0.87)]
        running = {(f.effect.model_dump_json(), f.effect_origin): (f.effect, f.effect_origin) for f in fades if f.effect}
        for effect, origin in running.values():
            if effect.type == "lightning":
                for strike in strikes(effect, end - origin):
                    at = origin + strike.at_ms / 1000
                    out["effect"] += [at + 0.0105, at + 0.05, at - 0.2]
            else:
                out["effect"] += [rng.uniform(cue.time_window.start, end) for _ in range(12)]
        if len(out["effect"]) > 900:
            out["effect"] = rng.sample(out["effect"], 900)
    return {kind: sorted({t for t in times if 0 <= t <= renderer.duration}) for kind, times in out.items()}


def page_states(page: Page, times: list[float]) -> list[dict[str, list[float]]]:
    seen: list[dict[str, list[float]]] = []
    for at in range(0, len(times), 250):
        chunk = json.dumps(times[at : at + 250])
        seen += json.loads(page.evaluate(f"JSON.stringify(({chunk}).map(t => window.cueflowPreview.fixtureStates(t)))"))
    return seen


def differences(on_rig: dict, in_page: dict[str, list[float]]) -> list[str]:
    wrong = []
    for fid, state in on_rig.items():
        level, r, g, b, pan, tilt = in_page[fid]
        if abs(level - state.level) > STEP or abs(pan - state.pan) > STEP or abs(tilt - state.tilt) > STEP:
            wrong.append(f"{fid}: page {level:.4f} {pan:.4f}/{tilt:.4f}, rig {state.level:.4f} {state.pan:.4f}/{state.tilt:.4f}")
        elif max(abs(x - y) for x, y in zip((r, g, b), state.colour, strict=True)) > 1:
            wrong.append(f"{fid}: page colour {(r, g, b)}, rig {state.colour}")
    return wrong


def test_the_page_plays_what_phase_8_sends_inside_fades_effects_and_moves(show):
    name, play, renderer, page = show
    times = moments(play, renderer)
    fading = effecting = moving = lit_movers = 0
    movers = [p.fixture.fixture_id for p in renderer.fixtures if p.profile.has("pan") or p.profile.has("tilt")]
    for kind, at in times.items():
        for t, in_page in zip(at, page_states(page, at), strict=True):
            on_rig = renderer.fixture_states(t)
            assert set(in_page) == set(on_rig)
            wrong = differences(on_rig, in_page)
            assert not wrong, f"{name} rig at {t:.4f} s ({kind}): {wrong[:4]}"
            k = max(i for i, c in enumerate(play.plan) if c.time_window.start <= t) if t >= play.plan[0].time_window.start else -1
            if k < 0:
                continue
            fades = renderer.fades(k)
            fading += any(min(f.level_from, f.level_to) < on_rig[i].level < max(f.level_from, f.level_to)
                          for i, f in fades.items())
            effecting += any(s.effect is not None and s.level > 0 for s in on_rig.values())
            for fid in movers:
                f, s = fades[fid], on_rig[fid]
                lit_movers += s.level > 0
                moving += f.aim_from != f.aim_to and (s.pan, s.tilt) not in (f.aim_from, f.aim_to)
    assert fading > 50 and effecting > 20, (name, fading, effecting)
    if movers:
        assert lit_movers > 50, f"{name}: its movers are never lit where compared"
    live_moves = [
        (k, fid)
        for k in range(len(play.plan))
        for fid, f in renderer.fades(k).items()
        if fid in movers and f.aim_from != f.aim_to and f.transition.duration > 0 and min(f.level_from, f.level_to) > 0
    ]
    if live_moves:  # a mover refocused while lit at both ends; a refocus into or out of black is not one
        assert moving > 0, f"{name}: no mover was caught between two focus positions ({live_moves[:3]})"


def test_cues_that_share_a_go_are_stepped_with_phase_8s_numbers(show):
    """Each cue sharing its GO with the next stands for its wait (its fade and a hold, or the follow's wait); its fade
    is what Phase 8 would send were the cues given those waits on the clock."""
    name, play, renderer, page = show
    listed = page.evaluate("window.cueflowPreview.cues()")
    waits = {k: c["wait"] for k, c in enumerate(listed) if c["wait"] is not None}
    shared = [k for k in range(len(play.plan) - 1) if play.plan[k + 1].time_window.start == play.plan[k].time_window.start]
    assert sorted(waits) == shared and shared[:3] == [0, 1, 2], f"{name}: the preset, house half and house out share 0:00"
    assert all(c["fade"] < waits[k] for k, c in enumerate(listed) if k in waits and play.plan[k + 1].called_on.kind != "follow")
    stepped, shift = [], 0.0
    for k, cue in enumerate(play.plan):
        window = cue.time_window.model_copy(update={"start": cue.time_window.start + shift, "end": cue.time_window.end + shift})
        stepped.append(cue.model_copy(update={"time_window": window}))
        shift += waits.get(k, 0.0)
    kb = load_knowledge(rig=RIGS[name])
    spread = ShowRenderer(stepped, kb.rig, kb.colours, load_rig(RIGS[name]).profiles if RIGS[name] else load_profiles())
    for k, wait in waits.items():
        for into in (0.0, 0.3 * listed[k]["fade"], 0.8 * listed[k]["fade"], wait - 0.01):
            in_page = page.evaluate(f"window.cueflowPreview.stepStates({k}, {into})")
            wrong = differences(spread.fixture_states(stepped[k].time_window.start + into), in_page)
            assert not wrong, f"{name}: cue {play.plan[k].cue_number:g} {into:.2f} s after its GO: {wrong[:4]}"


def test_playing_from_the_top_steps_through_the_preset_and_house_cues(show):
    name, play, _, page = show
    if name != "bundled":
        return  # one rig is enough for the transport
    page.evaluate("window.cueflowPreview.showCue(0)")
    seen = page.evaluate(
        """new Promise(done => { const p = window.cueflowPreview, seen = [];
          document.getElementById("speed").value = "60"; document.getElementById("realtime").checked = false;
          p.play(); const t0 = performance.now();
          (function frame() { const cue = document.body.dataset.cue;
            if (seen[seen.length - 1] !== cue) seen.push(cue);
            if (p.now() > 5 || performance.now() - t0 > 20000) { p.pause(); done(seen); }
            else requestAnimationFrame(frame); })(); })"""
    )
    numbers = [f"{c.cue_number:g}" for c in play.plan]
    assert seen == numbers[:4], f"the page did not step through the cues at 0:00 one by one: {seen}"
