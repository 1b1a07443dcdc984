"""Text in USITT ASCII: printable 7-bit characters only, words wrapped inside the line limit."""

import unicodedata


def plain(text: str) -> str:
    """Printable ASCII: accents dropped, other characters and control characters removed."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch if 32 <= ord(ch) < 127 else " " for ch in folded).strip()


def wrap(keyword: str, items: list[str], limit: int) -> list[str]:
    """`keyword item item ...` lines of at most `limit` characters, each starting with the keyword."""
    lines: list[str] = []
    line = keyword
    for item in items:
        if len(line) + 1 + len(item) > limit and line != keyword:
            lines.append(line)
            line = keyword
        line = f"{line} {item}"
    if line != keyword:
        lines.append(line)
    return lines


def comment_lines(text: str, limit: int) -> list[str]:
    return wrap("!", plain(text).split(), limit)
