"""One way to say what a pydantic validation error is about, for one-line user errors."""

from pydantic import ValidationError


def field_error(exc: ValidationError) -> tuple[str, str]:
    """(dotted path of the first invalid field, or "(root)"; its message)."""
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]) or "(root)", first["msg"]
