"""Labels as consoles show them: cut at a word, never inside one."""

LABEL_MAX = 60  # LightingInstruction.label's own limit: a label this long may have been cut mid-word upstream


def cut_at_word(text: str, limit: int, ellipsis: str = "...") -> str:
    """`text` in at most `limit` characters, cut after a whole word (with `ellipsis`) when it is longer.

    A label as long as the plan allows is taken to be cut already: its last word, possibly a fragment, goes.
    """
    text = " ".join(text.split())
    if len(text) <= limit and len(text) < LABEL_MAX:
        return text
    room = text[: max(1, limit - len(ellipsis)) + 1]
    cut = room.rsplit(" ", 1)[0] if " " in room.strip() else room[: max(1, limit - len(ellipsis))]
    return cut.rstrip(" ,;:.-") + ellipsis
