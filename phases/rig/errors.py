"""Rig import errors. Every message is one line naming the file, the fixture or the line."""


class RigError(ValueError):
    """A rig file or fixture definition cannot be used as given."""


class ProfileError(RigError):
    """A hand-written fixture profile file is missing or malformed."""
