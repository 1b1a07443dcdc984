"""The cue sheet as CSV: one row per cue, the columns a stage manager's prompt book uses (the standby on the
first cue of each sequence, page and line, the GO word, times, follow, effects, part timings)."""

import csv
import io

from .calling import cue_calls, parts_text
from .cue_list import ConsoleShow, number_text, seconds_text

COLUMNS = (
    "standby", "cue", "act", "scene", "page", "line", "go_word", "called_on", "label",
    "up", "up_delay", "down", "down_delay", "follow", "effects", "parts",
)  # fmt: skip


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Script text as a cell, never a formula: a spreadsheet would run `=HYPERLINK(...)` from a script."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(show: ConsoleShow) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for call in cue_calls(show):
        cue = call.cue
        writer.writerow(
            _cell(v)
            for v in (
                call.standby,
                number_text(cue.number),
                call.act or "",
                call.scene_heading,
                call.page or "",
                call.line or "",
                call.go_word,
                call.called_on,
                cue.label,
                seconds_text(cue.up_time),
                seconds_text(cue.up_delay),
                seconds_text(cue.down_time),
                seconds_text(cue.down_delay),
                call.follow,
                "; ".join(cue.effects),
                parts_text(cue) if cue.parts else "",
            )
        )
    return out.getvalue()
