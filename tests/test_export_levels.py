"""The one reading of a cue every export format shares: intent -> each fixture's level and colour, and channels."""

import pytest

from phases.contracts import (
    AreaLevel,
    CueTrigger,
    FixtureConstraints,
    GroupInstruction,
    GroupParameters,
    LightingInstruction,
    TimeWindow,
)
from phases.export import ExportError, channel_numbers, fixture_looks
from phases.export.levels import check_overrides
from phases.knowledge import load_knowledge


def _cue(*groups: GroupInstruction) -> LightingInstruction:
    return LightingInstruction(
        scene_id="scene_001",
        cue_number=1,
        label="test",
        called_on=CueTrigger(kind="scene_start"),
        time_window=TimeWindow(start=0, end=10),
        groups=list(groups),
    )


def _group(group_id: str, level: float, colour: str, *overrides: AreaLevel) -> GroupInstruction:
    return GroupInstruction(
        group_id=group_id, parameters=GroupParameters(intensity=level, color=colour), overrides=list(overrides)
    )


def test_overrides_by_area_then_fixture_later_entries_win() -> None:
    rig = load_knowledge().rig
    cue = _cue(
        _group(
            "front_wash",
            0.8,
            "bastard_amber",
            AreaLevel(area="DC", intensity=0.2, color="steel_blue"),
            AreaLevel(fixture_id="fw_dc_cool", intensity=0.5),
            AreaLevel(area="DSR", intensity=0.0),
        )
    )
    looks = fixture_looks(cue, rig)
    assert (looks["fw_dsl_warm"].level, looks["fw_dsl_warm"].colour) == (0.8, "bastard_amber")
    assert (looks["fw_dc_warm"].level, looks["fw_dc_warm"].colour) == (0.2, "steel_blue")
    assert (looks["fw_dc_cool"].level, looks["fw_dc_cool"].colour) == (0.5, "steel_blue")  # keeps the area's colour
    assert looks["fw_dsr_warm"].level == looks["fw_dsr_cool"].level == 0.0
    assert all(looks[f.fixture_id].level == 0 for f in rig.fixtures if f.group_id != "front_wash")  # left out: dark


def test_caps_floors_and_fixed_gels() -> None:
    rig = load_knowledge().rig
    shin = next(f for f in rig.fixtures if f.fixture_id == "sf_sl_shin")
    floored = shin.model_copy(update={"constraints": FixtureConstraints(min_intensity=0.3, max_intensity=0.7)})
    rig = rig.model_copy(update={"fixtures": [floored if f is shin else f for f in rig.fixtures]})
    looks = fixture_looks(
        _cue(_group("side_fill", 1.0, "straw"), _group("ambient", 1.0, "sky_blue"), _group("specials", 0.1, "lavender")),
        rig,
    )
    assert looks["sf_sl_head"].level == 1.0 and looks["sf_sl_shin"].level == 0.7  # the fixture's cap
    assert looks["cyc_top_c"].level == 0.9  # the ambient group's cap
    assert looks["amb_house_l"].level == 0.8 and looks["amb_house_l"].colour == "warm_white"  # a gel, not a mix
    assert looks["sp_usc_profile"].colour == "steel_blue"
    low = fixture_looks(_cue(_group("side_fill", 0.1, "straw")), rig)
    assert low["sf_sl_shin"].level == 0.3 and low["sf_sl_head"].level == 0.1  # lit, so at least its floor


def test_overrides_must_name_the_groups_fixtures_or_areas() -> None:
    rig = load_knowledge().rig
    with pytest.raises(ExportError, match="group front_wash has no fixture 'bl_usl'"):
        check_overrides(_cue(_group("front_wash", 0.5, "straw", AreaLevel(fixture_id="bl_usl", intensity=1))), rig)
    with pytest.raises(ExportError, match="no fixture in area 'USR'"):
        check_overrides(_cue(_group("front_wash", 0.5, "straw", AreaLevel(area="USR", intensity=1))), rig)
    with pytest.raises(ExportError, match="group 'truss' is not in the rig"):
        fixture_looks(_cue(_group("truss", 0.5, "straw")), rig)


def test_channels_are_fixture_numbers_then_the_next_free_in_patch_order() -> None:
    rig = load_knowledge().rig
    assert channel_numbers(rig) == {f.fixture_id: f.fixture_number for f in rig.fixtures}
    unnumbered = [f.model_copy(update={"fixture_number": None}) if i in (0, 5) else f for i, f in enumerate(rig.fixtures)]
    numbers = channel_numbers(rig.model_copy(update={"fixtures": unnumbered}))
    assert (numbers["fw_dsl_warm"], numbers["fw_dsr_cool"], numbers["fw_dsl_cool"]) == (25, 26, 2)
    clash = [f.model_copy(update={"fixture_number": 1}) if i == 3 else f for i, f in enumerate(rig.fixtures)]
    with pytest.raises(ExportError, match="fw_dsl_warm and fw_dc_cool share fixture number 1"):
        channel_numbers(rig.model_copy(update={"fixtures": clash}))


def test_the_exports_levels_are_what_phase_8_plays() -> None:
    """The ASCII/CSV levels and the QLC+ values come from one reading of intent, the DMX renderer's."""
    from phases.export.cue_states import _steady
    from phases.hardware import ShowRenderer, load_profiles
    from tests.export_plans import show

    kb = load_knowledge()
    _, cues = show(40)
    renderer = ShowRenderer([_steady(c, i) for i, c in enumerate(cues)], kb.rig, kb.colours, load_profiles())
    for index, cue in enumerate(cues):
        played = renderer.fixture_levels(float(index))
        looks = fixture_looks(cue, kb.rig)
        assert {f: round(v[0], 6) for f, v in played.items()} == {f: round(look.level, 6) for f, look in looks.items()}, (
            cue.cue_number
        )
