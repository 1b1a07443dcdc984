"""Phase 7: every metric passes a good plan and fails a plan crafted to break it; thresholds come from the data file."""

import json

import pytest

from phases.contracts import (
    CueTrigger,
    EmotionBeat,
    EvaluationReport,
    GoldCalls,
    GroupParameters,
    InstructionMetadata,
    LightingInstruction,
    SourceSpan,
    TimeWindow,
    Transition,
)
from phases.evaluation import Thresholds, default_thresholds, evaluate
from tests.crafted_plans import (
    Crafted,
    design_review_plan,
    good,
    instruction,
    knowledge,
    scene,
    split,
    stretched,
    with_scene,
)

METRICS = [
    "schema_integrity",
    "rig_limits",
    "conflicts",
    "stability",
    "drift",
    "emotion_coherence",
    "group_coverage",
    "explicit_cue_compliance",
    "determinism",
    "night_darker_than_day",
    "key_light",
    "palette_size",
    "cue_density",
    "ends_dark",
    "directions_honoured",
    "no_op_cues",
    "ratchets",
    "specials_left_open",
    "time_against_words",
    "gold_cues",
]
# Judged against something a crafted plan does not carry (a second run, a gold file) or never failing on its own.
NOT_IN_BAD_PLANS = {"determinism", "gold_cues", "emotion_coherence"}


def report_for(
    crafted: Crafted,
    second: list[LightingInstruction] | None = None,
    thresholds: Thresholds | None = None,
    gold: GoldCalls | None = None,
) -> EvaluationReport:
    kb = knowledge()
    return evaluate(
        crafted.scenes,
        crafted.plan,
        kb.rig,
        list(kb.colours.values()),
        list(kb.rules),
        thresholds=thresholds,
        second_plan=crafted.plan if second is None else second,
        gold=gold,
    )


def metric(report: EvaluationReport, name: str):
    return next(m for m in report.metrics if m.name == name)


def test_the_good_plan_passes_every_metric():
    report = report_for(good())
    assert [m.name for m in report.metrics] == METRICS
    assert {m.name: m.verdict for m in report.metrics} == dict.fromkeys(METRICS, "PASS")
    assert report.verdict == "PASS"


def _missing_scene() -> Crafted:
    crafted = good()
    return Crafted(crafted.scenes, [c for c in crafted.plan if c.scene_id != "scene_003"])


def _cue_numbers_fall() -> Crafted:
    crafted = split(good(), 2, [0.6, 0.6, 0.6], kind="direction")
    plan = [c.model_copy(update={"cue_number": 1.5}) if c.cue_number == 2.2 else c for c in crafted.plan]
    return Crafted(crafted.scenes, plan)


def _times(crafted: Crafted, times: list[str]) -> Crafted:
    scenes = [s.model_copy(update={"time_of_day": t}) for s, t in zip(crafted.scenes, times, strict=True)]
    return Crafted(scenes, crafted.plan)


def _night_brighter() -> Crafted:
    crafted = _times(good(), ["day", "morning", "night", "night"])
    for n in (3, 4):
        crafted = with_scene(crafted, n, lambda s: instruction(s, level=0.75))
    return crafted


def _direction_late() -> Crafted:
    """Scene 2's direction stands 1500 characters into its text; its only cue is at the top of the scene."""
    crafted = good()
    text = "MACBETH. " + "Is this a dagger which I see before me? " * 38 + crafted.scenes[1].explicit_lighting[0]
    scenes = [s.model_copy(update={"text": text}) if k == 1 else s for k, s in enumerate(crafted.scenes)]
    return Crafted(scenes, crafted.plan)


def _out_of_range_intensity() -> Crafted:
    # model_construct skips validation, as a buggy or hand-edited plan would.
    def make(s):
        bad = instruction(s)
        bad.groups[0].parameters = GroupParameters.model_construct(intensity=1.7, color="neutral_white", effect=None)
        return bad

    return with_scene(good(), 2, make)


def _wrong_time_window() -> Crafted:
    return with_scene(good(), 3, lambda s: instruction(s).model_copy(update={"time_window": TimeWindow(start=0, end=5)}))


def _dim_deep_blue() -> Crafted:
    """Serene scenes lit dim and deep blue (15000 K, about 10 %)."""
    return Crafted(
        good().scenes,
        [instruction(s, level=0.1, colour="congo_blue", honoured=list(s.explicit_lighting)) for s in good().scenes],
    )


def _with_source(crafted: Crafted, n: int, lines: int) -> Crafted:
    """Scene n placed on script lines 1..lines, so cues can be called on its lines."""
    sc = crafted.scenes[n - 1]
    placed = sc.model_copy(update={"source": SourceSpan(start_char=0, end_char=len(sc.text), start_line=1, end_line=lines)})
    return Crafted([placed if k == n - 1 else s for k, s in enumerate(crafted.scenes)], crafted.plan)


def _special_left_on() -> Crafted:
    """Scene 2 opens its specials at line 10 (a ghost) and never closes them; the scene runs to line 200."""
    crafted = _with_source(good(), 2, 200)
    sc = crafted.scenes[1]
    up = {**dict.fromkeys(knowledge().rig.group_ids(), 0.6), "specials": 0.8}
    level = {**up, "specials": 0.0}
    base = instruction(sc, level=level)
    window = base.time_window
    ghost = instruction(sc, level=up).model_copy(
        update={
            "cue_number": base.cue_number + 0.1,
            "called_on": CueTrigger(kind="direction", text="Enter the Ghost.", script_line=10),
            "time_window": TimeWindow(start=window.start + 10, end=window.end),
        }
    )
    base = base.model_copy(update={"time_window": TimeWindow(start=window.start, end=window.start + 10)})
    return Crafted(crafted.scenes, [crafted.plan[0], base, ghost, *crafted.plan[2:]])


def _lit_against_its_words() -> Crafted:
    """Scene 2 greets the morning twice and says it is day, and its base cue assumed night."""
    crafted = good()
    sc = crafted.scenes[1].model_copy(update={"text": "Good morrow, cousin. Good morrow, all. 'Tis day, and more.\n" * 3})
    night = InstructionMetadata(method="rules", time_of_day="night", time_of_day_evidence="a test")
    plan = [c.model_copy(update={"metadata": night}) if k == 1 else c for k, c in enumerate(crafted.plan)]
    return Crafted([sc if k == 1 else s for k, s in enumerate(crafted.scenes)], plan)


BAD_PLANS_LISTS = {
    "schema_integrity": [_missing_scene, _out_of_range_intensity, _wrong_time_window, _cue_numbers_fall],
    # ambient's rig ceiling is 0.9; "plaid" is in no colour table.
    "rig_limits": [
        lambda: with_scene(
            good(), 2, lambda s: instruction(s, level={**dict.fromkeys(knowledge().rig.group_ids(), 0.6), "ambient": 0.97})
        ),
        lambda: with_scene(good(), 2, lambda s: instruction(s, colour="plaid")),
    ],
    # four groups at full against a budget of three; a cue whose groups mix cut and crossfade.
    "conflicts": [
        lambda: with_scene(
            good(),
            3,
            lambda s: instruction(s, level={"front_wash": 1, "back_light": 1, "side_fill": 1, "specials": 1, "ambient": 0.6}),
        ),
        lambda: with_scene(
            good(),
            3,
            lambda s: instruction(
                s,
                transition={
                    "front_wash": Transition(type="cut", duration=0),
                    "back_light": Transition(type="crossfade", duration=3),
                    "side_fill": Transition(type="crossfade", duration=3),
                    "specials": Transition(type="crossfade", duration=3),
                    "ambient": Transition(type="crossfade", duration=3),
                },
            ),
        ),
    ],
    "stability": [lambda: with_scene(good(), 2, lambda s: instruction(s, transition=Transition(type="fade", duration=0.3)))],
    # inside one scene, cues that nothing calls (follows) swing between almost dark and near full.
    "drift": [lambda: split(good(), 2, [0.85, 0.05, 0.85, 0.05, 0.85])],
    # only the front wash is ever lit.
    "group_coverage": [
        lambda: Crafted(
            good().scenes,
            [
                instruction(
                    s,
                    level={"front_wash": 0.6, "back_light": 0, "side_fill": 0, "specials": 0, "ambient": 0},
                    honoured=list(s.explicit_lighting),
                )
                for s in good().scenes
            ],
        )
    ],
    # the script says Blackout; the cue neither lists it nor goes dark.  And a cue listed but not shown.
    "explicit_cue_compliance": [
        lambda: _with_cue("Blackout.", honoured=False),
        lambda: _with_cue("Blackout.", honoured=True),
    ],
    # night scenes lit brighter than the day scenes.
    "night_darker_than_day": [_night_brighter],
    # the back light and specials over the front wash.
    "key_light": [
        lambda: Crafted(
            good().scenes,
            [
                instruction(
                    s,
                    level={"front_wash": 0.3, "back_light": 0.7, "side_fill": 0.4, "specials": 0.5, "ambient": 0.4},
                    honoured=list(s.explicit_lighting),
                )
                for s in good().scenes
            ]
            + good().plan[4:],
        )
    ],
    # every group of every scene in another colour.
    "palette_size": [
        lambda: Crafted(
            good().scenes,
            [
                instruction(
                    s,
                    colour=dict(zip(knowledge().rig.group_ids(), PALETTE[5 * k : 5 * k + 5], strict=True)),
                    honoured=list(s.explicit_lighting),
                )
                for k, s in enumerate(good().scenes)
            ]
            + good().plan[4:],
        )
    ],
    # four scenes of 25 minutes, one look each.
    "cue_density": [lambda: stretched(good(), 25)],
    # the show holds its last look.
    "ends_dark": [lambda: good(ending=False)],
    # a direction deep in its scene, cued only at the top of the scene.
    "directions_honoured": [_direction_late],
    # three cues inside scene 2 that move nothing.
    "no_op_cues": [lambda: split(good(), 2, [0.6, 0.6, 0.6, 0.62], kind="direction")],
    # every entrance lifts the key by 0.1 and nothing takes it back.
    "ratchets": [lambda: split(good(), 2, [0.5, 0.6, 0.7, 0.8], kind="direction")],
    "specials_left_open": [_special_left_on],
    "time_against_words": [_lit_against_its_words],
}
PALETTE = [
    c
    for c in (
        "warm_white daylight cool_white full_ct_orange full_ct_blue half_ct_blue bastard_amber straw pale_gold medium_amber "
        "deep_golden_amber flame_red primary_red bright_pink light_pink special_lavender lavender dark_magenta mist_blue "
        "steel_blue sky_blue"
    ).split()
]

CASE_NAMES = {
    "schema_integrity": ["missing_scene", "intensity_1.7", "time_window", "cue_numbers_fall"],
    "rig_limits": ["ambient_over_ceiling", "unknown_colour"],
    "conflicts": ["four_at_full", "cut_and_crossfade"],
    "stability": ["fade_0.3s"],
    "drift": ["swings"],
    "group_coverage": ["front_only"],
    "explicit_cue_compliance": ["not_listed", "listed_not_dark"],
    "night_darker_than_day": ["night_brighter"],
    "key_light": ["back_over_front"],
    "palette_size": ["twenty_colours"],
    "cue_density": ["one_look_per_25_minutes"],
    "ends_dark": ["holds_last_look"],
    "directions_honoured": ["direction_deep_in_scene"],
    "no_op_cues": ["moves_nothing"],
    "ratchets": ["entrances_lift"],
    "specials_left_open": ["ghost_left_on"],
    "time_against_words": ["morning_lit_as_night"],
}
WARN_AT_MOST = {"specials_left_open"}
BAD_PLANS = {metric: dict(zip(CASE_NAMES[metric], makers, strict=True)) for metric, makers in BAD_PLANS_LISTS.items()}


def _with_cue(cue: str, honoured: bool) -> Crafted:
    crafted = good()
    scenes = [s.model_copy(update={"explicit_lighting": [cue]}) if k == 3 else s for k, s in enumerate(crafted.scenes)]
    plan = [instruction(s, honoured=list(s.explicit_lighting) if honoured else []) for s in scenes]
    return Crafted(scenes, plan)


@pytest.mark.parametrize(
    ("name", "make"),
    [pytest.param(name, make, id=f"{name}-{case}") for name, cases in BAD_PLANS.items() for case, make in cases.items()],
)
def test_a_crafted_bad_plan_fails_its_metric(name, make):
    crafted = make()
    bad = metric(report_for(crafted), name)
    # A special still up at a scene's end may light someone still on stage, which a plan cannot show: it warns.
    assert bad.verdict == ("WARN" if name in WARN_AT_MOST else "FAIL"), f"{name} passed a bad plan: {bad.detail}"
    per_scene_warns = {"drift", "group_coverage", "night_darker_than_day", "key_light", "palette_size", "ratchets"}
    assert "FAIL" in bad.per_scene.values() or name in per_scene_warns
    assert bad.value != metric(report_for(good()), name).value, "the metric's value did not move with the plan"


def test_every_metric_has_a_failing_plan():
    assert set(BAD_PLANS) | NOT_IN_BAD_PLANS == set(METRICS)


def test_determinism_fails_when_a_second_run_differs():
    crafted = good()
    second = [
        instruction(s, level=0.55) if k == 1 else i for k, (s, i) in enumerate(zip(crafted.scenes, crafted.plan, strict=False))
    ]
    second += crafted.plan[4:]
    result = metric(report_for(crafted, second=second), "determinism")
    assert result.verdict == "FAIL"
    assert result.value == 0.8  # 4 of 5 cues
    assert result.per_scene["scene_002"] == "FAIL"
    assert metric(report_for(crafted, second=list(crafted.plan)), "determinism").verdict == "PASS"


def test_a_blackout_that_goes_dark_complies():
    crafted = _with_cue("Blackout.", honoured=True)
    plan = [
        instruction(s, level=0.0, honoured=list(s.explicit_lighting)) if k == 3 else i
        for k, (s, i) in enumerate(zip(crafted.scenes, crafted.plan, strict=False))
    ]
    assert metric(report_for(Crafted(crafted.scenes, plan)), "explicit_cue_compliance").verdict == "PASS"


def test_thresholds_come_from_the_data_file_and_change_verdicts():
    defaults = default_thresholds()
    assert defaults.min_transition_seconds == 1.0  # phases/evaluation/data/thresholds.yaml
    stricter = defaults.model_copy(update={"min_transition_seconds": 5.0})
    report = report_for(good(), thresholds=stricter)
    assert metric(report, "stability").verdict == "FAIL"  # the good plan's fades are 3 s
    assert report.thresholds["min_transition_seconds"] == 5.0


def test_report_json_holds_values_verdicts_and_per_scene_verdicts():
    crafted = good()
    bad = with_scene(crafted, 2, lambda s: instruction(s, transition=Transition(type="fade", duration=0.3)))
    data = json.loads(report_for(bad).model_dump_json())
    assert data["verdict"] == "FAIL" and data["scene_count"] == 4
    stability = next(m for m in data["metrics"] if m["name"] == "stability")
    assert stability["value"] == 0.2 and stability["verdict"] == "FAIL"  # 5 of 25 group transitions
    assert stability["per_scene"] == {"scene_001": "PASS", "scene_002": "FAIL", "scene_003": "PASS", "scene_004": "PASS"}
    assert data["thresholds"]["drift_fail"] == default_thresholds().drift_fail


def test_a_scene_without_emotion_is_not_judged_for_coherence():
    crafted = good()
    scenes = [s.model_copy(update={"emotion": None}) for s in crafted.scenes]
    result = metric(report_for(Crafted(scenes, crafted.plan)), "emotion_coherence")
    assert result.value is None and result.verdict == "WARN"


def test_a_scene_id_with_no_scene_fails_schema_integrity():
    crafted = good()
    stray = instruction(scene(9))
    result = metric(report_for(Crafted(crafted.scenes, [*crafted.plan, stray])), "schema_integrity")
    assert result.verdict == "FAIL" and "no such scene" in result.detail


def test_a_scripted_blackout_is_not_drift():
    """Full to black and back again, as the script asks, is intent: only unasked-for jumps count as drift."""
    crafted = with_scene(good(4), 3, lambda s: instruction(s, level=0.0, transition=Transition(type="cut", duration=0)))
    kb = knowledge()
    report = evaluate(crafted.scenes, crafted.plan, kb.rig, list(kb.colours.values()), list(kb.rules))
    drift = next(m for m in report.metrics if m.name == "drift")
    assert drift.verdict == "PASS" and drift.value == 0.0
    assert "4 changes with a purpose" in drift.detail


def test_night_darker_than_day_passes_a_plan_whose_nights_are_dark():
    crafted = _times(good(), ["day", "morning", "night", "night"])
    for n in (3, 4):
        crafted = with_scene(crafted, n, lambda s: instruction(s, level=0.25))
    result = metric(report_for(crafted), "night_darker_than_day")
    assert result.verdict == "PASS" and result.value == pytest.approx(0.25 / 0.6, abs=1e-3)


def test_purposeful_contrast_is_not_drift():
    """Big jumps at scene changes, at a change of time of day and on called cues are design; follows are not."""
    at_scene_changes = Crafted(
        good().scenes, [instruction(s, level=0.05 if k % 2 else 0.85) for k, s in enumerate(good().scenes)]
    )
    on_directions = split(good(), 2, [0.85, 0.05, 0.85, 0.05, 0.85], kind="direction")
    for crafted in (at_scene_changes, on_directions):
        result = metric(report_for(crafted), "drift")
        assert result.verdict == "PASS" and result.value == 0.0, result.detail
    assert metric(report_for(split(good(), 2, [0.85, 0.05, 0.85], kind="follow")), "drift").verdict == "FAIL"


def test_metrics_judge_every_cue_of_a_multi_cue_plan():
    crafted = split(good(), 2, [0.6, 0.65, 0.6], kind="direction")
    report = report_for(crafted)
    assert report.verdict == "PASS", [(m.name, m.detail) for m in report.metrics if m.verdict != "PASS"]
    # one bad cue inside scene 2 (the second of three) is found and charged to scene 2
    bad = crafted.plan[2].model_copy(
        update={"groups": instruction(crafted.scenes[1], transition=Transition(type="fade", duration=0.2)).groups}
    )
    plan = [bad if k == 2 else c for k, c in enumerate(crafted.plan)]
    result = metric(report_for(Crafted(crafted.scenes, plan)), "stability")
    assert result.verdict == "FAIL" and result.per_scene["scene_002"] == "FAIL" and result.per_scene["scene_001"] == "PASS"


def test_a_direction_cued_where_it_stands_is_honoured():
    crafted = _direction_late()
    at = crafted.scenes[1].text.find(crafted.scenes[1].explicit_lighting[0])
    look = crafted.plan[1]
    cue = look.model_copy(
        update={
            "cue_number": 2.5,
            "called_on": CueTrigger(kind="direction", text=crafted.scenes[1].explicit_lighting[0], char_offset=at - 20),
            "time_window": TimeWindow(start=look.time_window.start + 30, end=look.time_window.end),
        }
    )
    first = look.model_copy(update={"time_window": TimeWindow(start=look.time_window.start, end=look.time_window.start + 30)})
    plan = [crafted.plan[0], first, cue, *crafted.plan[2:]]
    result = metric(report_for(Crafted(crafted.scenes, plan)), "directions_honoured")
    assert result.verdict == "PASS" and result.value == 1.0


def test_the_design_review_plan_does_not_pass():
    """One look per scene, flat levels, night as bright as day, key under back light, a dozen colours, no
    structure, the last look held: the faults of design-review.md must not get an overall PASS."""
    report = report_for(design_review_plan())
    verdicts = {m.name: m.verdict for m in report.metrics}
    assert report.verdict == "FAIL"
    assert verdicts["cue_density"] == "FAIL"
    assert verdicts["key_light"] == "FAIL"
    assert verdicts["palette_size"] == "FAIL"
    assert verdicts["ends_dark"] == "FAIL"
    assert verdicts["night_darker_than_day"] == "FAIL"
    # the contract-level metrics still pass: it is the design that fails, not the file
    assert verdicts["schema_integrity"] == verdicts["rig_limits"] == "PASS"


def test_a_cue_inside_a_beat_is_judged_by_the_beats_emotion():
    """Scene 2 is serene, but its second cue is called inside a beat of fear: dim deep blue fits the beat."""
    crafted = split(good(), 2, [0.6, 0.6], kind="direction")
    sc = crafted.scenes[1]
    fear = sc.emotion.model_copy(update={"primary": "fear"})
    scenes = [
        sc.model_copy(update={"beats": [EmotionBeat(start_char=5, end_char=40, emotion=fear)]}) if k == 1 else s
        for k, s in enumerate(crafted.scenes)
    ]
    cue = crafted.plan[2]  # called at char 10, inside the beat
    dim_blue = instruction(sc, level=0.1, colour="congo_blue").groups
    plan = [cue.model_copy(update={"groups": dim_blue}) if k == 2 else c for k, c in enumerate(crafted.plan)]
    in_beat = metric(report_for(Crafted(scenes, plan)), "emotion_coherence")
    without_beat = metric(report_for(Crafted(crafted.scenes, plan)), "emotion_coherence")
    assert in_beat.per_scene["scene_002"] == "PASS" and without_beat.per_scene["scene_002"] == "WARN"


def test_a_direction_is_found_across_the_line_breaks_of_the_page():
    from phases.evaluation.design_metrics import locate

    text = "SCENE II.\n\n[Enter CALIBAN, with a burden of wood. A noise of thunder\nheard]\n"
    assert locate("A noise of thunder heard", text) == text.index("A noise")
    assert locate("A noise of lightning", text) == -1


def test_a_weak_emotion_read_is_not_a_brief_for_coherence():
    """A dim deep-blue plan breaks a confident serenity; read at 0.2 confidence, the emotion does not judge it."""
    crafted = good()
    dim = Crafted(crafted.scenes, [instruction(s, level=0.1, colour="congo_blue") for s in crafted.scenes])
    assert metric(report_for(dim), "emotion_coherence").verdict == "WARN"
    weak = [s.model_copy(update={"emotion": s.emotion.model_copy(update={"primary_confidence": 0.2})}) for s in crafted.scenes]
    result = metric(report_for(Crafted(weak, dim.plan)), "emotion_coherence")
    assert result.value is None and "confident" in result.detail


def test_emotion_coherence_warns_but_never_fails_a_plan_on_its_own():
    """Cues follow the text, not an emotion label: a look against a confident read is a question, not a fault."""
    report = report_for(_dim_deep_blue())
    result = metric(report, "emotion_coherence")
    assert result.verdict == "WARN" and result.value == 0.0
    assert "FAIL" not in result.per_scene.values()
    assert metric(report_for(good()), "emotion_coherence").verdict == "PASS"


def _gold(anchor_scene: str = "1.2") -> GoldCalls:
    return GoldCalls.model_validate(
        {
            "play": "crafted",
            "scenes": [{"scene": "1.2", "time": "day"}],
            "cues": [{"scene": anchor_scene, "anchor": "A direction.", "kind": "other", "must": True}],
            "must_not": [],
        }
    )


def test_gold_cues_fail_a_plan_that_misses_the_designers_must_cues():
    """Scene 2 placed on lines 1-40 and numbered 1.2; the gold's must cue sits on its text's direction."""
    crafted = split(good(), 2, [0.6, 0.9], kind="direction")
    sc = crafted.scenes[1].model_copy(update={"text": "Scene 2. A direction.", "act": 1, "heading": "SCENE II"})
    sc = sc.model_copy(update={"source": SourceSpan(start_char=0, end_char=len(sc.text), start_line=5, end_line=40)})
    scenes = [sc if k == 1 else s.model_copy(update={"act": 1}) for k, s in enumerate(crafted.scenes)]
    called = crafted.plan[2].called_on.model_copy(update={"script_line": 5})
    hit = [c.model_copy(update={"called_on": called}) if k == 2 else c for k, c in enumerate(crafted.plan)]
    far = [c.model_copy(update={"called_on": called.model_copy(update={"script_line": 30})}) if k == 2 else c
           for k, c in enumerate(crafted.plan)]
    found = metric(report_for(Crafted(scenes, hit), gold=_gold()), "gold_cues")
    missed = metric(report_for(Crafted(scenes, far), gold=_gold()), "gold_cues")
    assert found.value == 1.0 and found.verdict == "PASS", found.detail
    assert missed.value == 0.0 and missed.verdict == "FAIL" and "first missed: 1.2" in missed.detail
    none = metric(report_for(Crafted(scenes, hit)), "gold_cues")
    assert none.value is None and none.verdict == "PASS"


def test_a_plan_with_design_review_2s_faults_does_not_pass():
    """Cues that move nothing, entrances that ratchet, a ghost's special left on, a morning lit as night (the
    faults ranked in design-review-2.md), together in one plan: each fails its metric and the plan fails."""
    noisy = split(good(), 3, [0.6, 0.6, 0.7, 0.8, 0.9], kind="direction")  # a no-op, then three lifts
    ghost, morning = _special_left_on(), _lit_against_its_words()
    scenes = [morning.scenes[0], ghost.scenes[1], *noisy.scenes[2:]]
    scenes[1] = scenes[1].model_copy(update={"text": morning.scenes[1].text})
    plan = [
        morning.plan[0],
        *(c.model_copy(update={"metadata": morning.plan[1].metadata}) if k == 0 else c for k, c in enumerate(ghost.plan[1:3])),
        *noisy.plan[2:],
    ]
    report = report_for(Crafted(scenes, plan))
    verdicts = {m.name: m.verdict for m in report.metrics}
    assert report.verdict == "FAIL"
    for name in ("no_op_cues", "ratchets", "specials_left_open", "time_against_words"):
        expected = "WARN" if name in WARN_AT_MOST else "FAIL"
        assert verdicts[name] == expected, (name, metric(report, name).detail)
