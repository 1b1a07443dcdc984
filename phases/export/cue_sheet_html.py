"""The printable cue sheet (HTML with print CSS): what a deputy stage manager calls the show from.

Acts start a new page; each scene has its heading; each sequence of cues opens with its standby and where
to give it ("Standby LX 10 to 12 (3 cues), p. 4 l. 190"); each cue shows its number large, its page and
line, what it is called on with the GO word marked in its context, its label, its up and down times with
delays, its effects, and whether it follows by itself.
"""

from html import escape
from pathlib import Path
from string import Template

from .calling import CueCall, cue_calls, parts_text
from .cue_list import ConsoleShow, number_text, seconds_text

DATA = Path(__file__).parent / "data"
HEAD = (
    "<thead><tr><th>Cue</th><th>Page</th><th>GO on</th><th>Label</th><th>Up</th><th>Down</th>"
    "<th>Effects, follow</th></tr></thead>"
)
COLUMNS = 7


def _where(page: int | None, line: int | None) -> str:
    return " ".join(part for part in (f"p. {page}" if page else "", f"l. {line}" if line else "") if part)


def _fade(seconds: float, delay: float) -> str:
    return f"{seconds_text(seconds)} s" + (f" (delay {seconds_text(delay)} s)" if delay else "")


def _row(call: CueCall) -> str:
    cue = call.cue
    context = ""
    if call.context_words:
        before = f"&hellip;{escape(call.context_before)} " if call.context_before else ""
        after = f" {escape(call.context_after)}&hellip;" if call.context_after else ""
        context = f'<span class="context">{before}<mark>{escape(call.context_words)}</mark>{after}</span>'
    go = f'<span class="go">GO on &ldquo;{escape(call.go_word)}&rdquo;</span>' if call.go_word else ""
    auto = ' class="auto"' if call.follow else ""
    notes = [escape(e) for e in cue.effects]
    if cue.parts:
        notes.append(escape(parts_text(cue)))
    if call.follow:
        notes.append(f'<span class="follow">{escape(call.follow)}</span>')
    standby = ""
    if call.standby:
        where = _where(call.standby_page, call.standby_line)
        standby = (
            f'<tr class="standby"><td colspan="{COLUMNS}">{escape(call.standby)}'
            f"{f' <small>at {escape(where)}</small>' if where else ''}</td></tr>\n"
        )
    return (
        f'{standby}<tr{auto}><td class="number">{escape(number_text(cue.number))}<small>LX</small></td>'
        f'<td class="line">{escape(_where(call.page, call.line))}</td>'
        f'<td class="called"><span class="on">{escape(call.called_on)}</span>{go}{context}</td>'
        f'<td class="label">{escape(cue.label)}</td>'
        f'<td class="time">{escape(_fade(cue.up_time, cue.up_delay))}</td>'
        f'<td class="time">{escape(_fade(cue.down_time, cue.down_delay))}</td>'
        f'<td class="notes">{"<br>".join(notes)}</td></tr>'
    )


def _scene(calls: list[CueCall]) -> str:
    rows = "\n".join(_row(c) for c in calls)
    heading = escape(calls[0].scene_heading)
    return f'<section class="scene"><h3>{heading}</h3><table>{HEAD}<tbody>\n{rows}\n</tbody></table></section>'


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
    standbys = sum(1 for c in calls if c.standby)
    summary = f"{len(calls)} lighting cues ({follows} auto-follow) in {standbys} standbys, on {show.rig.name}"
    template = Template((DATA / "cue_sheet.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=escape(f"Cue sheet: {show.name}"),
        summary=escape(summary),
        css=(DATA / "cue_sheet.css").read_text(encoding="utf-8"),
        body="\n".join(parts),
    )
