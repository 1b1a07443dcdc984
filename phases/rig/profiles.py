"""Fixture profiles: the DMX channels of each fixture mode, in order, with what each range of each channel does.
Imported modes come from fixture definitions (qxf.py, ofl.py); the hand-written ones (data/profiles/*.json)
serve the bundled rig and generic dimmers."""

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from phases.contracts.validation import field_error

from .errors import ProfileError

PROFILE_DIR = Path(__file__).parent / "data" / "profiles"
UNIVERSE_SIZE = 512  # DMX512: channels in a universe

# What a channel does. The renderer drives dimmer and colour emitters (and their fine bytes); every other
# channel (pan/tilt, zoom, gobo, strobe, shutter, wheels, macros: "other") is held at its default.
Role = Literal[
    "dimmer", "dimmer_fine",
    "red", "red_fine", "green", "green_fine", "blue", "blue_fine", "white", "white_fine", "amber", "amber_fine",
    "uv", "lime", "cyan", "magenta", "yellow", "color_temperature", "color_wheel",
    "pan", "pan_fine", "tilt", "tilt_fine", "zoom", "focus", "gobo", "prism", "strobe", "shutter", "other",
]  # fmt: skip
# What a DMX range of a channel does (phases/rig/data/capabilities.yaml says how definitions are read into these).
# Phase 8 sends only values in ranges of the safe classes (data/safety.yaml); `unknown` is never safe.
CapabilityClass = Literal[
    "level", "closed", "open", "neutral", "colour", "gobo", "beam", "position", "speed",
    "strobe", "random", "program", "sound", "macro", "reset", "lamp", "effect", "fog", "setting", "unknown",
]  # fmt: skip
FINE_OF = {
    "dimmer_fine": "dimmer", "pan_fine": "pan", "tilt_fine": "tilt", "red_fine": "red", "green_fine": "green",
    "blue_fine": "blue", "white_fine": "white", "amber_fine": "amber",
}  # fmt: skip


class CapabilityRange(BaseModel):
    """One capability of a channel: DMX values min..max do `kind` (the definition's own words in `label`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = Field(ge=0, le=255)
    max: int = Field(ge=0, le=255)
    kind: CapabilityClass
    label: str = ""
    decreasing: bool = Field(default=False, description="A level range that runs from bright (min) to dark (max).")
    colour: str | None = Field(default=None, description="#rrggbb of a colour slot, when the definition gives it.")

    @model_validator(mode="after")
    def _ordered(self) -> "CapabilityRange":
        if self.min > self.max:
            raise ValueError(f"capability range {self.min}-{self.max} runs backwards")
        return self


class Channel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role
    name: str = Field(default="", description="The definition's own name for the channel.")
    default: int = Field(default=0, ge=0, le=255, description="The definition's default value.")
    ranges: tuple[CapabilityRange, ...] = Field(
        default=(), description="What each DMX range does; empty: the whole channel does what its role says."
    )

    def range_at(self, value: int) -> CapabilityRange | None:
        return next((r for r in self.ranges if r.min <= value <= r.max), None)


class FixtureProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str = ""
    manufacturer: str | None = None
    model: str | None = None
    mode: str | None = None
    channels: tuple[Channel, ...] = Field(min_length=1, max_length=512)
    pan_degrees: float | None = Field(default=None, gt=0, le=1080, description="Pan's full travel, from the definition.")
    tilt_degrees: float | None = Field(default=None, gt=0, le=720, description="Tilt's full travel, from the definition.")

    @model_validator(mode="after")
    def _consistent(self) -> "FixtureProfile":
        # A role may repeat: every head of a dimmer pack or a pixel bar is driven alike.
        roles = [c.role for c in self.channels]
        for fine, coarse in FINE_OF.items():
            if fine in roles and coarse not in roles:
                raise ValueError(f"{fine} without {coarse}")
        if not {"red", "green", "blue"} <= set(roles) and {"red", "green", "blue"} & set(roles):
            raise ValueError("colour mixing needs all of red, green and blue")
        return self

    @property
    def footprint(self) -> int:
        return len(self.channels)

    def offset(self, role: str) -> int | None:
        """The channel's 0-based offset from the fixture's start address, or None if the mode lacks it."""
        return next((i for i, c in enumerate(self.channels) if c.role == role), None)

    def offsets(self, role: str) -> list[int]:
        """Every 0-based offset with this role (one per head)."""
        return [i for i, c in enumerate(self.channels) if c.role == role]

    def has(self, role: str) -> bool:
        return any(c.role == role for c in self.channels)

    @property
    def mixes_colour(self) -> bool:
        return self.has("red")

    @property
    def subtractive(self) -> bool:
        """CMY mixing (cyan, magenta, yellow flags) without RGB emitters."""
        return not self.has("red") and {"cyan", "magenta", "yellow"} <= {c.role for c in self.channels}


def load_profiles(directory: Path = PROFILE_DIR) -> dict[str, FixtureProfile]:
    return dict(_load_cached(directory.resolve()))


@lru_cache(maxsize=4)
def _load_cached(directory: Path) -> tuple[tuple[str, FixtureProfile], ...]:
    if not directory.is_dir():
        raise ProfileError(f"{directory}: profile directory not found")
    profiles: dict[str, FixtureProfile] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            profile = FixtureProfile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise ProfileError(f"{path.name}: invalid JSON ({exc})") from None
        except ValidationError as exc:
            where, message = field_error(exc)
            raise ProfileError(f"{path.name}: field {where}: {message}") from None
        if profile.name != path.stem:
            raise ProfileError(f"{path.name}: profile name {profile.name!r} must match the file name")
        profiles[profile.name] = profile
    return tuple(profiles.items())
