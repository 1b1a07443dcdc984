"""A cue's intent -> each fixture's level, colour and effect, and the rig's console channels: every export
format reads these through phases/hardware/cue_looks.py, the reading Phase 8's renderer plays."""

from phases.contracts import LightingInstruction, Rig
from phases.hardware.cue_looks import FixtureLook, cue_looks
from phases.hardware.errors import HardwareError
from phases.rig.channels import channel_numbers as rig_channels
from phases.rig.errors import RigError

from .errors import ExportError

__all__ = ["FixtureLook", "channel_numbers", "check_overrides", "fixture_looks"]


def fixture_looks(cue: LightingInstruction, rig: Rig) -> dict[str, FixtureLook]:
    """Every fixture of the rig, in patch order, with its level, colour and effect in this cue."""
    try:
        return cue_looks(cue, rig)
    except HardwareError as exc:
        raise ExportError(str(exc)) from None


def check_overrides(cue: LightingInstruction, rig: Rig) -> None:
    """An override must name a fixture or an area of its group: otherwise the plan was made for another rig."""
    fixture_looks(cue, rig)  # an unknown group or fixture
    for g in cue.groups:
        areas = {f.focus_area for f in rig.fixtures_in(g.group_id)}
        for o in g.overrides:
            if o.area is not None and o.area not in areas:
                raise ExportError(f"cue {cue.cue_number:g}: group {g.group_id} has no fixture in area {o.area!r}")


def channel_numbers(rig: Rig) -> dict[str, int]:
    """Console channel per fixture, as `cueflow rig check` numbers them (phases/rig/channels.py)."""
    try:
        return rig_channels(rig)
    except RigError as exc:
        raise ExportError(str(exc)) from None
