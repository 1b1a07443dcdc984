"""A look under construction: per-group level, colour, effect and focus, before it becomes a contract."""

from dataclasses import dataclass, field

from phases.contracts import Effect


@dataclass
class GroupState:
    intensity: float
    colour: str
    effect: Effect | None = None
    focus_area: str | None = None


@dataclass
class Look:
    groups: dict[str, GroupState]
    transition_type: str | None = None  # forced by an explicit cue: "cut" or "fade"
    speed: str | None = None  # forced by an explicit cue
    honoured: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
