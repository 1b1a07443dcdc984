"""Phase 8: fixture profiles as data, and the patch checks that run before anything is sent."""

import pytest

from phases.contracts import Rig
from phases.hardware import PatchError, load_profiles, patch_rig
from phases.hardware.profiles import ProfileError
from phases.hardware.profiles import load_profiles as load_from
from phases.knowledge import load_knowledge

REQUIRED = {"generic_dimmer": 1, "rgbw_dimmer": 5, "rgba_dimmer": 5, "led_par_16bit": 6, "moving_head_basic": 9}


def _rig(*fixtures: tuple[str, int, str]) -> Rig:
    return Rig.model_validate(
        {
            "name": "test rig",
            "groups": [{"group_id": "front_wash", "description": "x"}],
            "fixtures": [
                {
                    "fixture_id": fid,
                    "group_id": "front_wash",
                    "fixture_type": "led_par",
                    "position": {"x": 0, "y": 0, "z": 0},
                    "capabilities": ["intensity", "color"],
                    "patch": {"universe": 1, "address": address, "profile": profile},
                }
                for fid, address, profile in fixtures
            ],
        }
    )


def test_the_required_profiles_are_data_with_their_footprints():
    profiles = load_profiles()
    assert {name: profiles[name].footprint for name in REQUIRED} == REQUIRED
    par = profiles["led_par_16bit"]
    assert (par.offset("dimmer"), par.offset("dimmer_fine")) == (0, 1)
    mover = profiles["moving_head_basic"]
    assert {"pan", "tilt", "dimmer", "red"} <= {c.role for c in mover.channels}


def test_the_default_rig_patches_cleanly():
    patched = patch_rig(load_knowledge().rig, load_profiles())
    assert len(patched) == 24
    assert {p.universe for p in patched} == {1}
    assert patched[0].start == 0 and patched[0].end == 6


def test_universe_offset_moves_the_whole_rig():
    patched = patch_rig(load_knowledge().rig, load_profiles(), universe_offset=4)
    assert {p.universe for p in patched} == {5}


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(PatchError, match=r"fixture a: unknown profile 'laser_9000' \(known: "):
        patch_rig(_rig(("a", 1, "laser_9000")), load_profiles())


def test_overlapping_addresses_are_a_clear_error():
    with pytest.raises(PatchError, match=r"universe 1: fixture b at 5 overlaps a \(1-6\)"):
        patch_rig(_rig(("a", 1, "led_par_16bit"), ("b", 5, "generic_dimmer")), load_profiles())


def test_footprint_past_512_is_a_clear_error():
    with pytest.raises(PatchError, match=r"fixture a: address 510 \+ 6 channels of led_par_16bit ends at 515, past channel 512"):
        patch_rig(_rig(("a", 510, "led_par_16bit")), load_profiles())


def test_adjacent_fixtures_and_channel_512_are_fine():
    rig = _rig(("a", 1, "led_par_16bit"), ("b", 7, "generic_dimmer"), ("c", 512, "generic_dimmer"))
    patched = patch_rig(rig, load_profiles())
    assert [p.start for p in patched] == [0, 6, 511]


def test_a_malformed_profile_file_is_a_clear_error(tmp_path):
    (tmp_path / "bad.json").write_text('{"name": "bad", "channels": [{"role": "dimmer_fine"}]}')
    with pytest.raises(ProfileError, match=r"bad.json: field \(root\): .*dimmer_fine without dimmer"):
        load_from(tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ProfileError, match=r"bad.json: invalid JSON"):
        load_from(tmp_path)
