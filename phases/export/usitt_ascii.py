"""USITT ASCII Light Cues 3.0: the cue file ETC Eos/Ion/Element, Strand and others import.

Channels are the rig's console channels (as `cueflow rig check` numbers them), levels whole percent. Patch
records map each channel to its fixture's first DMX output, so a console that imports the file (Eos, Ion,
Element) patches real addresses instead of creating unaddressed dimmers. Each cue carries its number (point cues as
12.5), Text (the label), Up and Down with their delays, Followon on the cue before a follow (the follow
goes that many seconds after the previous GO) and Chan lines listing the channels that are up, plus the
channels the previous cue had up that this one takes out (so a tracking console gets them right too).
When the cue's groups move on different times (the cyc 2 s late), each time is a Part with its own Up,
Down and Chan lines, after the cue's overall Up and Down. Colour has no keyword in 3.0: each cue's
colours and gels, and its effects, are "!" comments for the programmer. Text keeps no delimiter and no "!":
a reader joins Text's values with single spaces, and "!" would start a comment.
"""

from .ascii_spec import ascii_spec
from .ascii_text import comment_lines, plain, wrap
from .cue_list import ConsoleCue, ConsoleShow, number_text, seconds_text
from .labels import cut_at_word


def _time(keyword: str, seconds: float, delay: float) -> str:
    return f"{keyword} {seconds_text(seconds)}" + (f" {seconds_text(delay)}" if delay > 0 else "")


def _pairs(cue: ConsoleCue, channels: list[int], previous: dict[int, int]) -> list[str]:
    """channel@level for the channels that are up, and those the previous cue had up (now out)."""
    return [f"{ch}@{cue.levels[ch]}" for ch in channels if cue.levels[ch] > 0 or previous.get(ch, 0) > 0]


def _colour_note(show: ConsoleShow, cue: ConsoleCue) -> str:
    parts = []
    for group_id, name in cue.group_colours.items():
        gel = show.colours[name].gel
        parts.append(f"{group_id} {name}" + (f" ({gel})" if gel else ""))
    return "colour: " + "; ".join(parts) if parts else ""


def text_value(label: str) -> str:
    """A label as a Text value: printable ASCII, no delimiter or "!", cut at a word to fit the line."""
    spec = ascii_spec()
    text = plain(label)
    for old, new in spec.text_replacements.items():
        text = text.replace(old, new)
    return cut_at_word(text, spec.max_line - len("Text "))


def _patch_lines(show: ConsoleShow, limit: int) -> list[str]:
    spec = ascii_spec()
    items = []
    for fixture in sorted(show.rig.fixtures, key=lambda f: show.channels[f.fixture_id]):
        output = (fixture.patch.universe - 1) * 512 + fixture.patch.address
        items.append(f"{show.channels[fixture.fixture_id]}<{output}@{spec.patch_level}")
    return wrap(f"Patch {spec.patch_page}", items, limit)


def write_ascii(show: ConsoleShow) -> str:
    spec = ascii_spec()
    limit = spec.max_line
    lines = [
        *comment_lines(f"cueflow export of {show.name}: {len(show.cues)} cues", limit),
        *comment_lines(f"rig: {show.rig.name}; channels as cueflow rig check numbers them, levels in percent", limit),
        f"Ident {spec.ident}",
        f"Manufacturer {spec.manufacturer}",
        f"Console {spec.console}",
        "Clear Cues",
    ]
    names = {f.fixture_id: f.name or f.fixture_id for f in show.rig.fixtures}
    by_channel = sorted((n, names[fid]) for fid, n in show.channels.items())
    lines += comment_lines("channels: " + ", ".join(f"{n} {name}" for n, name in by_channel), limit)
    lines += _patch_lines(show, limit)
    previous: dict[int, int] = {}
    for index, cue in enumerate(show.cues):
        after = show.cues[index + 1] if index + 1 < len(show.cues) else None
        lines.append("")
        lines.append(f"Cue {number_text(cue.number)}")
        label = text_value(cue.label)
        if label:
            lines.append(f"Text {label}")
        lines.append(_time("Up", cue.up_time, cue.up_delay))
        lines.append(_time("Down", cue.down_time, cue.down_delay))
        if after is not None and after.follow_wait is not None:
            lines.append(f"Followon {seconds_text(after.follow_wait)}")
        if not cue.parts:
            lines += wrap("Chan", _pairs(cue, sorted(cue.levels), previous), limit)
        for part in cue.parts:  # groups on their own time: Part, its Up and Down (with delay), its channels
            lines.append(f"Part {part.number}")
            lines.append(_time("Up", part.time, part.delay))
            lines.append(_time("Down", part.time, part.delay))
            lines += wrap("Chan", _pairs(cue, list(part.channels), previous), limit)
        for note in (_colour_note(show, cue), *(f"effect {e}" for e in cue.effects)):
            if note:
                lines += comment_lines(note, limit)
        previous = cue.levels
    lines += ["", "EndData"]
    return spec.line_end.join(lines) + spec.line_end
