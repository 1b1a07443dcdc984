"""The rig's DMX patch, checked against the profiles before anything is sent."""

from dataclasses import dataclass

from phases.contracts import Fixture, Rig
from phases.rig.profiles import UNIVERSE_SIZE, FixtureProfile

from .errors import PatchError


@dataclass(frozen=True)
class PatchedFixture:
    fixture: Fixture
    profile: FixtureProfile
    universe: int  # the OLA universe the frames go to (rig universe plus any offset)
    start: int  # 0-based index of the first channel in the frame

    @property
    def end(self) -> int:
        """0-based index one past the last channel."""
        return self.start + self.profile.footprint


def patch_rig(rig: Rig, profiles: dict[str, FixtureProfile], universe_offset: int = 0) -> list[PatchedFixture]:
    """Resolve every fixture's profile and address. Raises PatchError on the first problem, naming it."""
    patched: list[PatchedFixture] = []
    for fixture in rig.fixtures:
        p = fixture.patch
        profile = profiles.get(p.profile)
        if profile is None:
            known = ", ".join(sorted(profiles))
            raise PatchError(f"fixture {fixture.fixture_id}: unknown profile {p.profile!r} (known: {known})")
        last = p.address + profile.footprint - 1
        if last > UNIVERSE_SIZE:
            raise PatchError(
                f"fixture {fixture.fixture_id}: address {p.address} + {profile.footprint} channels of {p.profile} "
                f"ends at {last}, past channel {UNIVERSE_SIZE}"
            )
        universe = p.universe + universe_offset
        if not 1 <= universe <= 63999:
            raise PatchError(f"fixture {fixture.fixture_id}: universe {universe} is outside 1..63999")
        patched.append(PatchedFixture(fixture, profile, universe, p.address - 1))
    by_universe: dict[int, list[PatchedFixture]] = {}
    for item in patched:
        by_universe.setdefault(item.universe, []).append(item)
    for universe, items in by_universe.items():
        items.sort(key=lambda f: f.start)
        for before, after in zip(items, items[1:], strict=False):
            if after.start < before.end:
                raise PatchError(
                    f"universe {universe}: fixture {after.fixture.fixture_id} at {after.start + 1} overlaps "
                    f"{before.fixture.fixture_id} ({before.start + 1}-{before.end})"
                )
    return patched
