"""Every problem of a rig's DMX patch at once: overlaps, channels past 512, unknown profiles."""

from phases.contracts import Rig

from .profiles import UNIVERSE_SIZE, FixtureProfile


def patch_problems(rig: Rig, profiles: dict[str, FixtureProfile]) -> list[str]:
    problems: list[str] = []
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for fixture in rig.fixtures:
        p = fixture.patch
        profile = profiles.get(p.profile)
        if profile is None:
            problems.append(f"fixture {fixture.name or fixture.fixture_id}: unknown profile {p.profile!r}")
            continue
        last = p.address + profile.footprint - 1
        name = fixture.name or fixture.fixture_id
        if last > UNIVERSE_SIZE:
            problems.append(
                f"fixture {name}: universe {p.universe} address {p.address} + {profile.footprint} channels "
                f"ends at {last}, past channel {UNIVERSE_SIZE}"
            )
        spans.setdefault(p.universe, []).append((p.address, min(last, UNIVERSE_SIZE), fixture.name or fixture.fixture_id))
    for universe, items in sorted(spans.items()):
        items.sort(key=lambda item: item[0])  # stable: at one address, the fixture listed later is the one reported
        reach: tuple[int, int, str] | None = None
        for item in items:
            if reach is not None and item[0] <= reach[1]:
                problems.append(
                    f"fixture {item[2]}: universe {universe} address {item[0]}-{item[1]} overlaps "
                    f"fixture {reach[2]} ({reach[0]}-{reach[1]})"
                )
            if reach is None or item[1] > reach[1]:
                reach = item
    return problems
