"""Turn a fixture definition's mode into a patched cueflow Fixture (shared by the .qxw and YAML readers)."""

from phases.contracts import DmxPatch, Fixture, Position

from .channel_plan import plan_mode
from .definitions import FixtureDefinition, capabilities
from .profiles import FixtureProfile
from .xml_files import load_data

# The gel a fixture that cannot mix colour is given when the rig file names none.
WHITE_FOR_TYPE = {"dimmer": "warm_white", "profile_spot": "warm_white"}
DEFAULT_WHITE = "neutral_white"


def fixture_type(definition: FixtureDefinition) -> str:
    types = load_data("qlcplus")["types"] | load_data("ofl")["categories"]  # type: ignore[operator]
    return str(types.get(definition.kind, "other"))


def make_fixture(
    *,
    fixture_id: str,
    group_id: str,
    profile: FixtureProfile,
    kind: str,
    position: Position,
    universe: int,
    address: int,
    number: int | None,
    focus_area: str | None = None,
    fixed_color: str | None = None,
) -> Fixture:
    caps = capabilities(profile)
    colour = None if "color" in caps else (fixed_color or WHITE_FOR_TYPE.get(kind, DEFAULT_WHITE))
    return Fixture(
        fixture_id=fixture_id,
        group_id=group_id,
        fixture_type=kind,
        position=position,
        capabilities=caps,
        patch=DmxPatch(universe=universe, address=address, profile=profile.name, mode=profile.mode),
        focus_area=focus_area,
        fixture_number=number,
        manufacturer=profile.manufacturer,
        model=profile.model,
        fixed_color=colour,
    )


def split_heads(profile: FixtureProfile) -> list[FixtureProfile] | None:
    """A dimmer pack (every channel a dimmer of its own) as one single-channel profile per head; else None."""
    if profile.footprint < 2 or any(c.role != "dimmer" for c in profile.channels):
        return None
    if not all(plan_mode(profile.model_copy(update={"channels": (c,)})).dims for c in profile.channels):
        return None
    heads = []
    for index, channel in enumerate(profile.channels):
        heads.append(
            FixtureProfile(
                name=f"{profile.name}_head{index + 1}"[:80] if len(set(profile.channels)) > 1 else f"{profile.name}_head",
                description=f"one head of {profile.description or profile.name}",
                channels=(channel,), manufacturer=profile.manufacturer, model=profile.model, mode=profile.mode,
            )
        )  # fmt: skip
    return heads


def unique(profile: FixtureProfile, profiles: dict[str, FixtureProfile]) -> FixtureProfile:
    """The profile under a name no other profile of the rig has: two modes whose names slug alike ("Mode 1",
    "mode-1") keep their own channel layouts."""
    name, n = profile.name, 2
    while name in profiles and profiles[name] != profile.model_copy(update={"name": name}):
        name, n = f"{profile.name}_{n}", n + 1
    return profile if name == profile.name else profile.model_copy(update={"name": name})
