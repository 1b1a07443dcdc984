"""Where each mover points in a cue: the cue's focus (the group's focus_area, else the fixture's own area) as a
recorded position from the rig's focus file, else computed from the fixture's hanging and the rig's focus
points, else its home (pan and tilt at centre), never the end stop."""

from dataclasses import dataclass

from phases.contracts import Fixture, Rig
from phases.rig.profiles import FixtureProfile

from .aim import Travel, aim
from .settings import load_data


@dataclass(frozen=True)
class Focus:
    target: str | None  # the area or named position it points at; None: its home
    pan: float  # 0..1 of pan's travel (0.5: home)
    tilt: float
    how: str  # "recorded" (the rig's focus positions), "computed" (from positions), "home"


HOME = Focus(None, 0.5, 0.5, "home")


def travel(fixture: Fixture, profile: FixtureProfile) -> Travel:
    table: dict[str, list[float]] = load_data("focus")["travel"]  # type: ignore[assignment]
    pan, tilt = table.get(fixture.fixture_type, table["default"])
    return Travel(profile.pan_degrees or float(pan), profile.tilt_degrees or float(tilt))


class Focuser:
    """Resolves focus names for the rig's movers (cached per fixture and name)."""

    def __init__(self, rig: Rig) -> None:
        self.points = {name.upper(): point for name, point in rig.focus_points.items()}
        self._cache: dict[tuple[str, str | None], Focus] = {}

    def focus(self, fixture: Fixture, profile: FixtureProfile, name: str | None) -> Focus:
        key = (fixture.fixture_id, name)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._resolve(fixture, profile, name)
        return found

    def _resolve(self, fixture: Fixture, profile: FixtureProfile, name: str | None) -> Focus:
        reach = travel(fixture, profile)
        recorded = {k.upper(): v for k, v in fixture.focus.items()}
        for candidate in (name, fixture.focus_area):
            if not candidate:
                continue
            position = recorded.get(candidate.upper())
            if position is not None:
                return Focus(candidate, *reach.fractions(position.pan, position.tilt, fixture.mounting), "recorded")
            point = self.points.get(candidate.upper())
            if point is not None and fixture.mounting is not None:
                pan, tilt, _ = aim(fixture.position, point, fixture.mounting, reach)
                return Focus(candidate, *reach.fractions(pan, tilt, fixture.mounting), "computed")
        return HOME

    def reachable(self, fixture: Fixture, profile: FixtureProfile, name: str) -> bool:
        """Whether a computed focus lies within the fixture's travel (rig check)."""
        point = self.points.get(name.upper())
        if point is None or fixture.mounting is None:
            return True
        return aim(fixture.position, point, fixture.mounting, travel(fixture, profile))[2]
