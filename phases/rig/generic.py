"""QLC+'s built-in generic dimmer (no .qxf): N channels, each the hand-written generic dimmer's one channel."""

from .profiles import FixtureProfile, load_profiles


def generic_dimmer(channels: int, mode: str | None = None) -> FixtureProfile:
    """`mode` is kept as the workspace gives it (QLC+ writes "Generic"), so the rig can be written back."""
    one = load_profiles()["generic_dimmer"]
    if channels == 1 and mode is None:
        return one
    return FixtureProfile(
        name=f"generic_dimmer_{channels}ch",
        description=f"{channels} generic dimmer channels, driven alike (QLC+'s Generic dimmer)",
        channels=one.channels * channels,
        manufacturer="Generic",
        model="Generic",
        mode=mode or f"{channels} Channel",
    )
