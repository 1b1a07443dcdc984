"""QLC+'s built-in generic dimmer (no .qxf): N channels, each the hand-written generic dimmer's one channel."""

from phases.hardware.profiles import FixtureProfile, load_profiles


def generic_dimmer(channels: int) -> FixtureProfile:
    one = load_profiles()["generic_dimmer"]
    if channels == 1:
        return one
    return FixtureProfile(
        name=f"generic_dimmer_{channels}ch",
        description=f"{channels} generic dimmer channels, driven alike (QLC+'s Generic dimmer)",
        channels=one.channels * channels,
        manufacturer="Generic",
        model="Generic",
        mode=f"{channels} Channel",
    )
