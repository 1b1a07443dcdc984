"""The rig: fixtures, their logical groups and their DMX patch."""

from typing import Literal

from pydantic import Field, model_validator

from ._base import Contract
from .lighting import GROUP_ID_PATTERN

Capability = Literal["intensity", "color", "color_temperature", "pan_tilt", "zoom", "gobo", "strobe"]
# What a group is for in a design. Rules and looks speak of roles; a rig's groups may have any names.
GroupRole = Literal["key", "back", "side", "special", "atmosphere", "practical"]


class Position(Contract):
    """Metres: x stage left(-)/right(+) from centre, y from the setting line upstage(+), z height."""

    x: float
    y: float
    z: float


class Mounting(Contract):
    """How a moving head or scanner is hung, so pan and tilt can be computed from where it is and its target."""

    orientation: Literal["hung", "standing"] = Field(
        description="hung: base up, the beam points straight down at tilt centre; standing: base down, straight up."
    )
    pan_home: float = Field(
        default=0.0, ge=-360, le=360,
        description="Degrees: the way the beam leans at pan centre, clockwise seen from above, 0 towards the audience.",
    )  # fmt: skip
    invert_pan: bool = False
    invert_tilt: bool = False


class Aim(Contract):
    """A focus position of a mover, in degrees from its home (pan and tilt at the centre of their range)."""

    pan: float = Field(ge=-720, le=720)
    tilt: float = Field(ge=-360, le=360)


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
    name: str | None = Field(
        default=None, max_length=120, description="The rig file's own name for the fixture (fixture_id is a slug of it)."
    )
    unit: str | None = Field(
        default=None, max_length=120,
        description="A head of a multi-head unit (a dimmer pack): the unit's name in the rig file; null for a unit of its own.",
    )  # fmt: skip
    head: int | None = Field(default=None, ge=1, le=512, description="Which head of `unit` this is, from 1.")
    mounting: Mounting | None = Field(
        default=None, description="A mover's hanging, when its position is real: pan and tilt are aimed from it."
    )
    focus: dict[str, Aim] = Field(
        default_factory=dict,
        description="A mover's recorded focus positions: area or named position -> pan and tilt (from a focus file).",
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
    name: str | None = Field(default=None, max_length=120, description="The rig file's own name for the group.")


class Rig(Contract):
    name: str
    groups: list[RigGroup] = Field(min_length=1)
    fixtures: list[Fixture] = Field(min_length=1)
    power_budget_groups_at_full: int = Field(
        default=3, ge=1, description="How many groups may sit at full at once within the power budget."
    )
    focus_points: dict[str, Position] = Field(
        default_factory=dict,
        description="Where movers point: acting areas (DSL, DC, ...) and named positions, in stage metres.",
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


class PatchLine(Contract):
    """One fixture of a recorded patch: its console channel, its DMX address and what it is."""

    channel: int = Field(ge=1, le=99999, description="Console channel, as `cueflow rig check` and the ASCII export number it.")
    fixture_id: str = Field(min_length=1)
    name: str = Field(min_length=1, description="The rig's own name for the fixture.")
    group_id: str = Field(pattern=GROUP_ID_PATTERN)
    universe: int = Field(ge=1, le=63999)
    address: int = Field(ge=1, le=512)
    footprint: int = Field(ge=1, le=512, description="DMX channels the fixture's mode takes.")
    profile: str = Field(min_length=1)
    manufacturer: str | None = None
    model: str | None = None
    mode: str | None = None


class RigPatch(Contract):
    """The rig a plan was designed for (rig_patch.json beside the plan): its file, a fingerprint of its content,
    and its patch. `cueflow export` and `cueflow play` use it when no --rig is given, and refuse a rig file
    that is missing or has changed since."""

    rig_file: str | None = Field(description="The rig file's absolute path; null for the bundled rig.")
    kind: Literal["bundled", "cueflow YAML", "QLC+ workspace"]
    fingerprint: str = Field(pattern=r"^sha256:[0-9a-f]{64}$", description="SHA-256 of the rig file's bytes.")
    rig_name: str
    patch: list[PatchLine] = Field(min_length=1)
