class ParseError(ValueError):
    """The script cannot be read or segmented. The message is one line, meant for the user."""
