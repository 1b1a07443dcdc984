"""What goes wrong in Phase 5: its own data files (a broken book, stage or palette file) get one line."""


class PreviewError(Exception):
    """The preview's data cannot be read or the page cannot be assembled. The message is one line."""
