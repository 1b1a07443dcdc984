"""The rig: fixtures, their logical groups and their DMX patch."""

from typing import Literal

from pydantic import Field, model_validator

from ._base import Contract
from .lighting import GROUP_ID_PATTERN

Capability = Literal["intensity", "color", "color_temperature", "pan_tilt", "zoom", "gobo", "strobe"]
# What a group is for in a design. Rules and looks speak of roles; a rig's groups may have any names.
GroupRole = Literal["key", "back", "side", "special", "atmosphere", "practical"]


POSITION_LIMIT = 1000.0  # metres from the setting line: a stadium fits; NaN, Infinity and 1e308 do not


class Position(Contract):
    """Metres: x stage left(-)/right(+) from centre, y from the setting line upstage(+), z height."""

    x: float = Field(ge=-POSITION_LIMIT, le=POSITION_LIMIT, allow_inf_nan=False)
    y: float = Field(ge=-POSITION_LIMIT, le=POSITION_LIMIT, allow_inf_nan=False)
    z: float = Field(ge=-POSITION_LIMIT, le=POSITION_LIMIT, allow_inf_nan=False)


class DmxPatch(Contract):
    universe: int = Field(ge=1, le=63999)
    address: int = Field(ge=1, le=512)
    profile: str = Field(min_length=1)
    mode: str | None = None


class FixtureConstraints(Contract):
    max_intensity: float = Field(default=1.0, ge=0, le=1)
    min_intensity: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "FixtureConstraints":
        if self.min_intensity > self.max_intensity:
            raise ValueError("min_intensity is above max_intensity")
        return self


class Fixture(Contract):
    fixture_id: str = Field(min_length=1)
    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    fixture_type: str = Field(min_length=1)
    position: Position
    capabilities: list[Capability] = Field(min_length=1)
    constraints: FixtureConstraints = Field(default_factory=FixtureConstraints)
    patch: DmxPatch
    focus_area: str | None = None
    fixture_number: int | None = Field(
        default=None, ge=1, le=99999, description="The console's channel number for this fixture (USITT ASCII 'channel')."
    )
    manufacturer: str | None = Field(default=None, description="From the fixture definition (QLC+ or Open Fixture Library).")
    model: str | None = Field(default=None, description="From the fixture definition.")
    fixed_color: str | None = Field(
        default=None, description="The gel of a fixture that cannot mix colour (no 'color' capability)."
    )

    @model_validator(mode="after")
    def _colour_source(self) -> "Fixture":
        if "color" not in self.capabilities and self.fixed_color is None:
            raise ValueError(f"{self.fixture_id}: a fixture without 'color' capability needs fixed_color")
        return self


class RigGroup(Contract):
    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    description: str
    max_intensity: float = Field(default=1.0, ge=0, le=1)
    role: GroupRole | None = Field(
        default=None, description="key (front wash), back, side, special, atmosphere (cyc) or practical; inferred when absent."
    )


class Rig(Contract):
    name: str
    groups: list[RigGroup] = Field(min_length=1)
    fixtures: list[Fixture] = Field(min_length=1)
    power_budget_groups_at_full: int = Field(
        default=3, ge=1, description="How many groups may sit at full at once within the power budget."
    )

    @model_validator(mode="after")
    def _consistent(self) -> "Rig":
        group_ids = [g.group_id for g in self.groups]
        if len(set(group_ids)) != len(group_ids):
            raise ValueError("duplicate group_id in groups")
        fixture_ids = [f.fixture_id for f in self.fixtures]
        if len(set(fixture_ids)) != len(fixture_ids):
            raise ValueError("duplicate fixture_id in fixtures")
        unknown = sorted({f.group_id for f in self.fixtures} - set(group_ids))
        if unknown:
            raise ValueError(f"fixtures name groups the rig does not define: {unknown}")
        return self

    def group_ids(self) -> list[str]:
        return [g.group_id for g in self.groups]

    def fixtures_in(self, group_id: str) -> list[Fixture]:
        return [f for f in self.fixtures if f.group_id == group_id]

    def groups_with_role(self, role: GroupRole) -> list[RigGroup]:
        """The groups that do `role` (roles are filled in when a rig is loaded)."""
        return [g for g in self.groups if g.role == role]

    def role_of(self, group_id: str) -> GroupRole | None:
        return next((g.role for g in self.groups if g.group_id == group_id), None)
