"""A strict reader of USITT ASCII 3.0 cue files: every line checked against the keywords and line rules.

It reads back what consoles exchange: cues with their parts, times, follows, links, labels and channel
levels, and the patch (each channel's DMX outputs). A file that breaks a rule raises AsciiFormatError naming
the line. Manufacturer keywords ($...)
are skipped, as the standard allows; Group and Sub records are checked and skipped.
"""

import re
from dataclasses import dataclass, field

from .ascii_spec import ascii_spec
from .errors import ExportError

NUMBER = re.compile(r"^\d+(\.\d{1,3})?$|^\.\d{1,3}$")
TIME = re.compile(r"^(?:(\d+):)?(\d+(?:\.\d+)?)$")


class AsciiFormatError(ExportError):
    """The file breaks a rule of the format."""


@dataclass
class AsciiPart:
    number: int
    up_time: float = 0.0
    up_delay: float = 0.0
    down_time: float = 0.0
    down_delay: float = 0.0
    levels: dict[int, int] = field(default_factory=dict)


@dataclass
class AsciiCue:
    number: float
    label: str = ""
    up_time: float = 0.0
    up_delay: float = 0.0
    down_time: float = 0.0
    down_delay: float = 0.0
    followon: float | None = None
    link: float | None = None
    levels: dict[int, int] = field(default_factory=dict)  # channel -> percent, as written (0s included)
    parts: list[AsciiPart] = field(default_factory=list)

    def all_levels(self) -> dict[int, int]:
        """The cue's channels, its parts' included."""
        out = dict(self.levels)
        for part in self.parts:
            out.update(part.levels)
        return out


@dataclass
class AsciiFile:
    ident: str | None
    manufacturer: str | None
    console: str | None
    cues: list[AsciiCue]
    patch: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # channel -> [(DMX output, level %)]


def _level(token: str, where: str) -> int:
    text = token.upper()
    if text == "FL":
        return 100
    if text.startswith("H"):
        if not re.fullmatch(r"H[0-9A-F]{1,2}", text):
            raise AsciiFormatError(f"{where}: bad hex level {token!r}")
        return int(int(text[1:], 16) * 100 / 255 + 0.5)
    if not re.fullmatch(r"\d{1,3}", text) or int(text) > 100:
        raise AsciiFormatError(f"{where}: level {token!r} is not 0..100, FL or H00..HFF")
    return int(text)


def _time(token: str, where: str) -> float:
    match = TIME.match(token)
    if not match:
        raise AsciiFormatError(f"{where}: bad time {token!r}")
    minutes, seconds = match.group(1), float(match.group(2))
    if minutes is not None and seconds >= 60:
        raise AsciiFormatError(f"{where}: seconds past 59 in {token!r}")
    return (int(minutes) * 60 if minutes else 0) + seconds


def _cue_number(token: str, where: str) -> float:
    if not NUMBER.match(token) or float(token) <= 0:
        raise AsciiFormatError(f"{where}: bad cue number {token!r}")
    return float(token)


def _times(values: list[str], where: str) -> tuple[float, float]:
    if not 1 <= len(values) <= 2:
        raise AsciiFormatError(f"{where}: a time and an optional delay expected")
    return _time(values[0], where), _time(values[1], where) if len(values) == 2 else 0.0


def _chan(values: list[str], where: str, into: dict[int, int]) -> None:
    if not values or len(values) % 2:
        raise AsciiFormatError(f"{where}: channel/level pairs expected")
    for channel, level in zip(values[::2], values[1::2], strict=True):
        if not channel.isdigit() or int(channel) < 1:
            raise AsciiFormatError(f"{where}: bad channel {channel!r}")
        into[int(channel)] = _level(level, where)


def _patch(values: list[str], where: str, into: dict[int, list[tuple[int, int]]]) -> None:
    """Patch page channel dimmer level [channel dimmer level ...]: each channel's DMX outputs."""
    if len(values) < 4 or (len(values) - 1) % 3:
        raise AsciiFormatError(f"{where}: Patch needs a page, then channel, dimmer and level triples")
    if not values[0].isdigit():
        raise AsciiFormatError(f"{where}: bad patch page {values[0]!r}")
    for channel, dimmer, level in zip(values[1::3], values[2::3], values[3::3], strict=True):
        if not channel.isdigit() or int(channel) < 1:
            raise AsciiFormatError(f"{where}: bad channel {channel!r}")
        if not dimmer.isdigit() or int(dimmer) < 1:
            raise AsciiFormatError(f"{where}: bad dimmer {dimmer!r}")
        into.setdefault(int(channel), []).append((int(dimmer), _level(level, where)))


def read_ascii(text: str) -> AsciiFile:
    spec = ascii_spec()
    split = re.compile("[" + re.escape(spec.delimiters) + "]+")
    general = {k.upper(): k for k in spec.general}
    primary = {k.upper(): k for k in spec.primary}
    secondary = {p.upper(): {k.upper() for k in ks} for p, ks in spec.secondary.items()}
    in_part = {k.upper() for k in spec.part}
    ident = manufacturer = console = None
    cues: list[AsciiCue] = []
    patch: dict[int, list[tuple[int, int]]] = {}
    current: str | None = None  # the primary keyword being read
    cue: AsciiCue | None = None
    part: AsciiPart | None = None
    ended = False
    seen_content = False
    for lineno, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        where = f"line {lineno}"
        if len(raw) > spec.max_line:
            raise AsciiFormatError(f"{where}: {len(raw)} characters, more than {spec.max_line}")
        if any(not (32 <= ord(ch) < 127 or ch == "\t") for ch in raw):
            raise AsciiFormatError(f"{where}: a character that is not printable ASCII")
        body = raw.split("!", 1)[0].strip()
        if not body:
            continue
        if ended:
            raise AsciiFormatError(f"{where}: data after EndData")
        keyword = split.split(body, maxsplit=1)[0]
        rest = body[len(keyword) :].strip()
        key = keyword.upper()
        if key.startswith("$"):
            continue  # manufacturer-specific
        if not re.fullmatch(r"[A-Z][A-Z0-9]*", key):
            raise AsciiFormatError(f"{where}: {keyword!r} is not a keyword")
        values = [v for v in split.split(rest) if v] if key != "TEXT" else [rest]
        if key == "IDENT":
            if seen_content:
                raise AsciiFormatError(f"{where}: Ident must come first")
            ident = "".join(values)
            if ident.replace(" ", "") != spec.ident:
                raise AsciiFormatError(f"{where}: Ident {rest!r}, expected {spec.ident}")
            seen_content = True
            continue
        seen_content = True
        if key in general:
            current, cue, part = None, None, None
            if key == "ENDDATA":
                ended = True
            elif key == "MANUFACTURER":
                manufacturer = rest
            elif key == "CONSOLE":
                console = rest
            elif key == "CLEAR" and not values:
                raise AsciiFormatError(f"{where}: Clear needs what to clear")
            elif key == "PATCH":
                _patch(values, where, patch)
            continue
        if key in primary:
            if len(values) not in (1, 2):
                raise AsciiFormatError(f"{where}: {keyword} needs a number")
            current, part = key, None
            if key == "CUE":
                number = _cue_number(values[0], where)
                if any(c.number == number for c in cues):
                    raise AsciiFormatError(f"{where}: cue {values[0]} appears twice")
                cue = AsciiCue(number)
                cues.append(cue)
            else:
                cue = None
            continue
        if current is None or key not in secondary[primary[current].upper()]:
            owner = primary[current] if current else "a primary keyword"
            raise AsciiFormatError(f"{where}: {keyword!r} cannot follow {owner}")
        if cue is None:  # Group or Sub data: checked, not kept
            if key == "CHAN":
                _chan(values, where, {})
            continue
        if key == "PART":
            if len(values) != 1 or not values[0].isdigit():
                raise AsciiFormatError(f"{where}: Part needs a whole number")
            part = AsciiPart(int(values[0]))
            cue.parts.append(part)
            continue
        # Up, Down, Chan and Text after a Part belong to the part; Followon and Link always to the cue.
        target = part if part is not None and key in in_part else cue
        if key == "TEXT":
            if part is None:
                cue.label = rest
        elif key == "UP":
            target.up_time, target.up_delay = _times(values, where)
        elif key == "DOWN":
            target.down_time, target.down_delay = _times(values, where)
        elif key == "FOLLOWON":
            if len(values) != 1:
                raise AsciiFormatError(f"{where}: Followon needs one time")
            cue.followon = _time(values[0], where)
        elif key == "LINK":
            if len(values) != 1:
                raise AsciiFormatError(f"{where}: Link needs one cue number")
            cue.link = _cue_number(values[0], where)
        elif key == "CHAN":
            _chan(values, where, target.levels)
    if not ended:
        raise AsciiFormatError("the file has no EndData")
    if ident is None:
        raise AsciiFormatError("the file has no Ident line")
    return AsciiFile(ident, manufacturer, console, cues, patch)
