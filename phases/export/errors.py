"""What goes wrong in an export: bad input (the plan, the rig, the format) gets one line."""


class ExportError(Exception):
    """The plan folder, the rig or the request cannot be exported. The message is one line for the user."""
