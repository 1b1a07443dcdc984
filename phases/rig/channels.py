"""A rig's console channels: one number per fixture, the same in `cueflow rig check`, the recorded patch and
the USITT ASCII export. A fixture's own fixture_number, else the next free numbers in patch order."""

from phases.contracts import Rig

from .errors import RigError


def channel_numbers(rig: Rig) -> dict[str, int]:
    """fixture_id -> console channel. Raises RigError when two fixtures claim one number."""
    numbers: dict[str, int] = {}
    used: dict[int, str] = {}
    for f in rig.fixtures:
        if f.fixture_number is not None:
            if f.fixture_number in used:
                first = used[f.fixture_number]
                raise RigError(f"rig: fixtures {first} and {f.fixture_id} share fixture number {f.fixture_number}")
            used[f.fixture_number] = f.fixture_id
            numbers[f.fixture_id] = f.fixture_number
    following = max(used, default=0)
    for f in rig.fixtures:
        if f.fixture_id not in numbers:
            following += 1
            numbers[f.fixture_id] = following
    return numbers
