"""The effects a cue plays, and its levels, are the same in the preview (real Chromium), in Phase 8's DMX, and
in every export (USITT ASCII, the QLC+ workspace, the cue sheet), cue by cue: all read from the one source of
per-fixture values in phases/hardware (cue_looks)."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import phases.preview
from phases.contracts import Effect, GroupParameters
from phases.export import console_show, export_plan, load_plan, read_ascii
from phases.export.cue_list import percent
from phases.hardware import ShowRenderer, load_profiles
from phases.hardware.cue_looks import capped, cue_looks
from phases.hardware.effects import apply_effect
from phases.knowledge import load_knowledge
from tests.browser import Chromium
from tests.export_plans import show, write_plan_dir

NS = {"q": "http://www.qlcplus.org/Workspace"}


def _plan():
    scenes, cues = show(12)
    # A flicker on the side light in the follow of scene 2, besides the storms' lightning.
    index = next(i for i, c in enumerate(cues) if c.cue_number == 21)
    groups = [
        g.model_copy(
            update={"parameters": GroupParameters(intensity=0.5, color="straw", effect=Effect(type="flicker", rate_hz=3, seed=9))}
        )
        if g.group_id == "side_fill"
        else g
        for g in cues[index].groups
    ]
    cues[index] = cues[index].model_copy(update={"groups": groups})
    return scenes, cues


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("consistent")
    scenes, cues = _plan()
    plan_dir = write_plan_dir(tmp / "plan", scenes, cues)
    files = export_plan(plan_dir, ["ascii", "qlc", "csv"], tmp / "out")
    kb = load_knowledge()
    page = tmp / "preview.html"
    page.write_text(phases.preview.render_preview("plan", scenes, cues, kb.rig, list(kb.colours.values())), encoding="utf-8")
    return {"plan_dir": plan_dir, "files": files, "preview": page, "cues": cues, "kb": kb}


def _steady_time(cue) -> float:  # noqa: ANN001
    """Inside the cue, after its fades: where its state is what the cue asks for."""
    settle = max((g.transition.delay + g.transition.duration) if g.transition else 0.0 for g in cue.groups)
    return cue.time_window.start + min(settle + 0.5, (cue.time_window.end - cue.time_window.start) * 0.9)


def test_levels_and_effects_agree_cue_by_cue(exported: dict[str, object]) -> None:
    cues = sorted(exported["cues"], key=lambda c: c.cue_number)  # type: ignore[attr-defined]
    kb = exported["kb"]
    rig = kb.rig  # type: ignore[attr-defined]
    renderer = ShowRenderer(cues, rig, kb.colours, load_profiles())  # type: ignore[attr-defined]
    caps = {g.group_id: g.max_intensity for g in rig.groups}
    fixtures = {f.fixture_id: f for f in rig.fixtures}
    files = exported["files"]
    show_ = console_show(load_plan(exported["plan_dir"]))  # type: ignore[arg-type]
    ascii_cues = {c.number: c for c in read_ascii(Path(files["ascii"]).read_text()).cues}  # type: ignore[index]
    ascii_text = Path(files["ascii"]).read_bytes().decode("ascii")  # type: ignore[index]
    sheet = {r["cue"]: r for r in csv.DictReader(io.StringIO(Path(files["csv"]).read_text()))}  # type: ignore[index]
    workspace = ET.parse(files["qlc"]).getroot()  # type: ignore[index]
    functions = {f.get("Name"): f for f in workspace.iter("{http://www.qlcplus.org/Workspace}Function")}
    times = [_steady_time(c) for c in cues]
    with Chromium(1200, 900) as browser:
        page = browser.open_page()
        page.goto(Path(exported["preview"]).as_uri())  # type: ignore[arg-type]
        in_preview = page.evaluate(f"JSON.stringify(({json.dumps(times)}).map(t => window.cueflowPreview.fixtureLevels(t)))")
    in_preview = json.loads(in_preview)
    preview_rows = phases.preview.html.preview_data("plan", [], cues, rig, list(kb.colours.values()))["cues"]  # type: ignore[attr-defined]
    qlc_ids = {p.fixture.fixture_id: i for i, p in enumerate(renderer.fixtures)}
    effect_cues = checked = 0
    for cue, t, preview_levels, console, row in zip(cues, times, in_preview, show_.cues, preview_rows, strict=True):
        looks = cue_looks(cue, rig)  # the one source
        played = renderer.fixture_levels(t)
        expected_effects = sorted(
            {(renderer.group_of(f), look.effect.type, look.effect.rate_hz) for f, look in looks.items() if look.effect}
        )
        live = all(t < other.time_window.start for other in cues if other.time_window.start > cue.time_window.start) and (
            cue.time_window.end > cue.time_window.start
        )  # a cue of no length (the preset at the top) is never alone on the show clock
        for fixture_id, look in looks.items():
            assert console.looks[fixture_id].level == look.level  # the exports' reading
            if not live:
                continue
            level, group = look.level, fixtures[fixture_id].group_id
            if look.effect is not None:  # the effect on the level, from this cue's GO
                raw = apply_effect(look.effect, look.intent, t - cue.time_window.start, group, look.index, look.count)
                level = capped(raw, fixtures[fixture_id], caps[group])
            assert played[fixture_id][0] == pytest.approx(level, abs=1e-9), (cue.cue_number, fixture_id)  # Phase 8
            assert preview_levels[fixture_id][0] == pytest.approx(level, abs=1e-9), (cue.cue_number, fixture_id)  # preview
        checked += live
        # The preview's cue list: the same effects.
        shown = sorted((g, r["e"]["type"], r["e"]["rate_hz"]) for g, r in row["groups"].items() if r["e"])
        assert shown == expected_effects
        # USITT ASCII: each channel at the steady level; the effects in comments.
        written = ascii_cues[cue.cue_number].all_levels()
        for fixture_id, channel in show_.channels.items():
            assert written.get(channel, 0) == percent(looks[fixture_id].level), (cue.cue_number, fixture_id)
        block = ascii_text.split(f"\r\nCue {console.number:g}\r\n", 1)[1].split("\r\n\r\n", 1)[0]
        assert sorted(line for line in block.split("\r\n") if line.startswith("! effect")) == sorted(
            f"! effect {g}: {kind} {rate:g} Hz" for g, kind, rate in expected_effects
        )
        # The cue sheet's effects column.
        assert sorted(filter(None, sheet[f"{cue.cue_number:g}"]["effects"].split("; "))) == sorted(
            f"{g}: {kind} {rate:g} Hz" for g, kind, rate in expected_effects
        )
        # QLC+: a Sequence per effect, named for it, whose steps are Phase 8's values for the effect's levels.
        from phases.export.qlc_workspace import cue_name

        name = cue_name(console, 3)
        sequences = sorted(
            n.split(" - ", 1)[1] for n in functions if n.startswith(f"{name} - ") and functions[n].get("Type") == "Sequence"
        )
        assert sequences == sorted(f"{g} {kind} {rate:g} Hz" for g, kind, rate in expected_effects)
        assert functions[name].get("Type") == ("Collection" if expected_effects else "Scene")
        effect_cues += bool(expected_effects)
        for g, kind, rate in expected_effects:
            sequence = functions[f"{name} - {g} {kind} {rate:g} Hz"]
            first = sequence.find("q:Step", NS)
            chunks = (first.text or "").split(":")
            written_steps = {}
            for qlc_id, pairs in zip(chunks[::2], chunks[1::2], strict=True):
                numbers = list(map(int, pairs.split(",")))
                written_steps[int(qlc_id)] = dict(zip(numbers[::2], numbers[1::2], strict=True))
            members = [f for f, look in looks.items() if look.effect is not None and fixtures[f].group_id == g]
            at = 0.0 if kind in ("lightning", "flash", "chase") else 1 / rate / (12 if kind == "pulse" else 1)
            for fixture_id in members:
                look = looks[fixture_id]
                raw = apply_effect(look.effect, look.intent, at, g, look.index, look.count)
                level = capped(raw, fixtures[fixture_id], caps[g])
                values = renderer.fixture_values(fixture_id, level, renderer.colour_of(look.colour))
                step = written_steps.get(qlc_ids[fixture_id], {})
                assert step and all(values[c] == v for c, v in step.items()), (cue.cue_number, fixture_id, step, values)
    assert effect_cues >= 3 and checked >= len(cues) - 2  # two storms and the flicker; every cue but the zero-length ones
