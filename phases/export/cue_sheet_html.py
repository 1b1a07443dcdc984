"""The printable cue sheet (HTML with print CSS): what a deputy stage manager calls the show from.

Acts start a new page; each scene opens with its standby ("Standby LX 10 to 12"); each cue shows its number
large, the script line, what it is called on with the words marked in their context, its label, its time
and whether it follows by itself.
"""

from html import escape
from pathlib import Path
from string import Template

from .calling import CueCall, cue_calls
from .cue_list import ConsoleShow, number_text

DATA = Path(__file__).parent / "data"
HEAD = "<thead><tr><th>Cue</th><th>Line</th><th>Called on</th><th>Label</th><th>Time</th><th>Follow</th></tr></thead>"


def _row(call: CueCall) -> str:
    cue = call.cue
    context = ""
    if call.context_words or call.context_before:
        before = f"&hellip;{escape(call.context_before)} " if call.context_before else ""
        after = f" {escape(call.context_after)}&hellip;" if call.context_after else ""
        context = f'<span class="context">{before}<mark>{escape(call.context_words)}</mark>{after}</span>'
    auto = ' class="auto"' if call.follow else ""
    return (
        f'<tr{auto}><td class="number">{escape(number_text(cue.number))}<small>LX</small></td>'
        f'<td class="line">{escape(str(call.line or ""))}</td>'
        f'<td class="called"><span class="on">{escape(call.called_on)}</span>{context}</td>'
        f'<td class="label">{escape(cue.label)}</td><td class="time">{escape(call.time)}</td>'
        f'<td class="follow">{escape(call.follow)}</td></tr>'
    )


def _scene(calls: list[CueCall]) -> str:
    first, last = calls[0].cue.number, calls[-1].cue.number
    span = f"LX {number_text(first)}" if first == last else f"LX {number_text(first)} to {number_text(last)}"
    rows = "\n".join(_row(c) for c in calls)
    return (
        f'<section class="scene"><h3>{escape(calls[0].scene_heading)}</h3>'
        f'<p class="standby">Standby {span} ({len(calls)} cue{"s" if len(calls) != 1 else ""})</p>'
        f"<table>{HEAD}<tbody>\n{rows}\n</tbody></table></section>"
    )


def write_sheet(show: ConsoleShow) -> str:
    calls = cue_calls(show)
    parts: list[str] = []
    act: int | None = None
    group: list[CueCall] = []
    acts_seen = 0
    for call in calls:
        if group and call.scene_id != group[-1].scene_id:
            parts.append(_scene(group))
            group = []
        if call.act is not None and call.act != act:
            if group:
                parts.append(_scene(group))
                group = []
            act = call.act
            parts.append(f'<h2 class="act{" later" if acts_seen else ""}">Act {act}</h2>')
            acts_seen += 1
        group.append(call)
    if group:
        parts.append(_scene(group))
    follows = sum(1 for c in calls if c.follow)
    summary = f"{len(calls)} lighting cues ({follows} auto-follow) on {show.rig.name}"
    template = Template((DATA / "cue_sheet.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=escape(f"Cue sheet: {show.name}"),
        summary=escape(summary),
        css=(DATA / "cue_sheet.css").read_text(encoding="utf-8"),
        body="\n".join(parts),
    )
