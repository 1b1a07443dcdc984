"""Phase 8 errors. Every message is one line a user can act on."""

from phases.rig.errors import ProfileError  # a hand-written profile is the rig's data

__all__ = ["HardwareError", "PatchError", "PlaybackError", "ProfileError"]


class HardwareError(Exception):
    """Base of Phase 8's errors."""


class PatchError(HardwareError):
    """The rig's DMX patch cannot be played: unknown profile, overlap, or a footprint past channel 512."""


class PlaybackError(HardwareError):
    """Playback ended early: olad unreachable, a call timed out, the connection was lost, or OLA refused a frame."""
