"""Scoring a plan against a designer's gold calls (phases/evaluation/gold.py), by the gold README's rule."""

import json
from pathlib import Path

import pytest

from phases.contracts import CueTrigger, GoldCalls, InstructionMetadata, Scene, SourceSpan, TimeWindow
from phases.evaluation.gold import scene_numbers, score_against_gold
from phases.parsing import parse_file
from tests.crafted_plans import instruction

TEXT = "\n".join(
    [
        "SCENE I. A heath.",  # line 10
        "[Thunder. Enter three Witches.]",
        "FIRST WITCH. When shall we three meet again?",
        "[Drum within.]",
        "SECOND WITCH. A drum, a drum!",
        "[Witches vanish.]",  # line 15
        "BANQUO. The earth hath bubbles.",
        "[Exeunt.]",
    ]
)


def _scene() -> Scene:
    return Scene(
        scene_id="scene_001",
        script_type="raw_drama",
        time_window=TimeWindow(start=0, end=60),
        text=TEXT,
        heading="SCENE I. A heath.",
        act=1,
        source=SourceSpan(start_char=0, end_char=len(TEXT), start_line=10, end_line=17),
    )


def _gold(time: str = "day") -> GoldCalls:
    return GoldCalls.model_validate(
        {
            "play": "crafted",
            "scenes": [{"scene": "1.1", "heading": "SCENE I. A heath.", "time": time}],
            "cues": [
                {"scene": "1.1", "anchor": "[Witches vanish.]", "kind": "supernatural", "must": True},
                {"scene": "1.1", "anchor": "The earth hath bubbles", "kind": "other", "must": False},
            ],
            "must_not": [{"scene": "1.1", "anchor": "[Drum within.]", "why": "an offstage sound"}],
        }
    )


def _cue(scene: Scene, line: int, kind: str = "direction", time: str | None = None):
    base = instruction(scene)
    return base.model_copy(
        update={
            "called_on": CueTrigger(kind=kind, text="x", script_line=line) if kind != "scene_start" else base.called_on,
            "metadata": InstructionMetadata(method="rules", time_of_day=time),
        }
    )


def test_a_must_cue_is_found_within_two_lines_and_noise_lowers_precision():
    scene = _scene()
    plan = [_cue(scene, 10, "scene_start", time="day"), _cue(scene, 16), _cue(scene, 12)]
    score = score_against_gold([scene], plan, _gold())
    assert [m.line for m in score.moments] == [15, 16]
    assert score.recall == 1.0  # the cue on line 16 is within 2 lines of the vanish on 15
    assert score.precision == 0.5  # line 12 is 3 lines from any gold cue
    assert [m.anchor for m in score.must_not_cued] == ["[Drum within.]"]  # line 12 is 1 line from the drum on 13
    assert (score.dated, score.time_right) == (1, 1)


def test_a_missed_must_cue_a_wrong_time_and_a_structure_cue_that_does_not_count():
    scene = _scene()
    structure = _cue(scene, 15).model_copy(update={"called_on": CueTrigger(kind="structure", moment="act_end", script_line=15)})
    score = score_against_gold([scene], [_cue(scene, 10, "scene_start", time="night"), structure], _gold())
    assert score.recall == 0.0 and [m.anchor for m in score.missed] == ["[Witches vanish.]"]
    assert score.precision is None and not score.must_not_cued
    assert score.time_wrong == [("1.1", "day", "night")]


def test_an_unknown_gold_time_is_not_scored():
    scene = _scene()
    score = score_against_gold([scene], [_cue(scene, 10, "scene_start", time="night")], _gold("unknown"))
    assert score.dated == 0 and score.time_agreement is None


@pytest.mark.parametrize("play", ["macbeth", "julius_caesar", "much_ado_about_nothing"])
def test_every_gold_anchor_lands_on_its_line_of_the_play(shared_data: Path, play: str):
    gold = GoldCalls.model_validate_json((shared_data / "gold" / f"{play}.json").read_text(encoding="utf-8"))
    path = shared_data / "scripts" / "plays" / f"{play}.txt"
    scenes = parse_file(path).scenes
    assert {s.scene for s in gold.scenes} <= set(scene_numbers(scenes))
    score = score_against_gold(scenes, [], gold)
    assert not score.unplaced
    raw = path.read_text(encoding="utf-8-sig").splitlines()
    for moment in [*score.moments, *score.must_not]:
        assert moment.anchor in raw[moment.line - 1] or moment.anchor.split()[0] in raw[moment.line - 1]


def test_a_gold_file_that_is_not_one_is_refused_in_one_line(tmp_path: Path):
    import os

    from phases.evaluation import GoldFileError, load_gold

    fifo = tmp_path / "calls.json"
    os.mkfifo(fifo)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"play": "x", "cues": [{"scene": "one", "anchor": "a", "must": true}]}')
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (4 * 1024 * 1024 + 1))
    missing = tmp_path / "no.json"
    for path, words in ((fifo, "not a regular file"), (wrong, "cues.0.scene"), (big, "at most"), (missing, "No such")):
        with pytest.raises(GoldFileError) as caught:
            load_gold(path)
        assert words in str(caught.value) and "\n" not in str(caught.value)


def test_cueflow_run_refuses_a_bad_gold_file_before_it_plans(tmp_path: Path):
    from tests.test_cli import cueflow

    from .conftest import EXAMPLE

    bad = tmp_path / "gold.json"
    bad.write_text("[1, 2]")
    proc = cueflow("run", str(EXAMPLE), "--out", str(tmp_path / "out"), "--gold", str(bad), timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "not a gold file" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.prefect
def test_cueflow_run_scores_its_cues_against_a_gold_file_in_the_report(tmp_path: Path):
    from tests.test_cli import cueflow

    from .conftest import EXAMPLE

    scenes = parse_file(EXAMPLE).scenes
    first = scenes[0]
    line = next(li for li in first.text.splitlines() if li.strip().startswith("[") and len(li.strip()) > 8).strip()
    gold = {
        "play": "the_keepers_light",
        "scenes": [{"scene": "1.1", "time": "night"}],
        "cues": [{"scene": "1.1", "anchor": line[:60], "kind": "other", "must": True}],
        "must_not": [],
    }
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold))
    proc = cueflow("run", str(EXAMPLE), "--out", str(tmp_path / "out"), "--gold", str(path), "--no-emotion")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    result = next(m for m in report["metrics"] if m["name"] == "gold_cues")
    assert result["value"] is not None and "must cues found" in result["detail"], result
