class ParseError(ValueError):
    """The script cannot be read or segmented. The message is one line, meant for the user, and short:
    whatever input it quotes is clipped, so a 5 MB line never becomes a 5 MB error."""

    def __init__(self, message: str) -> None:
        from .limits import clip

        super().__init__(clip(message))
