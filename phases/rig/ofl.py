"""Open Fixture Library fixture files (JSON): available channels and modes -> FixtureDefinition.

An OFL fixture file does not name its manufacturer: it is the folder (fixtures/<manufacturer>/<fixture>.json),
spelled as in the library's manufacturers.json when that file is found next to the folders.
"""

import json
from pathlib import Path

from .capabilities import classify_ofl
from .definitions import FixtureDefinition
from .errors import RigError
from .profiles import CapabilityRange, Channel
from .xml_files import load_data

MAX_JSON_BYTES = 4 * 1024 * 1024


def read_ofl(path: Path, manufacturer: str | None = None) -> FixtureDefinition:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RigError(f"{path}: cannot read the fixture file ({exc.strerror})") from None
    if len(raw) > MAX_JSON_BYTES:
        raise RigError(f"{path}: fixture file larger than {MAX_JSON_BYTES // (1024 * 1024)} MiB")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", "?")
        raise RigError(f"{path}: damaged Open Fixture Library file: invalid JSON at line {line}") from None
    except RecursionError:
        raise RigError(f"{path}: not an Open Fixture Library fixture (JSON nested too deeply)") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not isinstance(data.get("modes"), list):
        raise RigError(f"{path}: not an Open Fixture Library fixture (needs 'name' and 'modes')")
    available = data.get("availableChannels") or {}
    if not isinstance(available, dict):
        raise RigError(f"{path}: availableChannels must be an object")
    wheels = data.get("wheels") or {}
    channels: dict[str, Channel] = {}
    for key, spec in available.items():
        if not isinstance(spec, dict):
            raise RigError(f"{path}: channel {key!r} must be an object")
        role = _role(spec, key, wheels)
        ranges = _ranges(spec, wheels)
        if role in EMITTING and not any(r.kind == "level" for r in ranges):
            role = "other"
        channels[key] = Channel(role=role, name=key, default=_default(spec, path, key), ranges=ranges)  # type: ignore[arg-type]
        for alias in spec.get("fineChannelAliases") or []:
            fine = f"{role}_fine" if role in ("dimmer", "pan", "tilt", "red", "green", "blue", "white", "amber") else "other"
            channels[alias] = Channel(role=fine, name=alias)  # type: ignore[arg-type]
    modes: dict[str, tuple[Channel, ...]] = {}
    for index, mode in enumerate(data["modes"]):
        if not isinstance(mode, dict) or not isinstance(mode.get("channels"), list):
            raise RigError(f"{path}: mode {index + 1} has no channel list")
        name = str(mode.get("name") or f"{len(mode['channels'])}-channel")
        layout: list[Channel] = []
        for ref in mode["channels"]:
            if ref is None:  # an unused slot
                layout.append(Channel(role="other", name="(unused)"))
            elif isinstance(ref, str) and ref in channels:
                layout.append(channels[ref])
            else:
                raise RigError(
                    f"{path}: mode {name!r} uses channel {ref!r}, which is not defined (matrix channels are not supported)"
                )
        if not layout:
            raise RigError(f"{path}: mode {name!r} has no channels")
        modes[name] = tuple(layout)
        if isinstance(mode.get("shortName"), str) and mode["shortName"] not in modes:
            modes[mode["shortName"]] = tuple(layout)
    if not modes:
        raise RigError(f"{path}: {data['name']} defines no modes")
    categories = [c for c in data.get("categories") or [] if isinstance(c, str)]
    return FixtureDefinition(
        manufacturer or _manufacturer(path), data["name"], categories[0] if categories else "Other", modes, str(path),
        travel=_travel(data),
    )  # fmt: skip


def _travel(data: dict[str, object]) -> tuple[float | None, float | None]:
    physical = data.get("physical")
    focus = physical.get("focus") if isinstance(physical, dict) else None
    found: list[float | None] = []
    for key, limit in (("panMax", 1080), ("tiltMax", 720)):
        value = focus.get(key) if isinstance(focus, dict) else None
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= limit
        found.append(float(value) if ok else None)  # type: ignore[arg-type]
    return found[0], found[1]


def _capabilities(spec: dict[str, object]) -> list[dict[str, object]]:
    if isinstance(spec.get("capability"), dict):
        return [spec["capability"]]  # type: ignore[list-item]
    caps = spec.get("capabilities")
    return [c for c in caps if isinstance(c, dict)] if isinstance(caps, list) else []


EMITTING = ("dimmer", "red", "green", "blue", "white", "amber", "uv", "lime", "cyan", "magenta", "yellow")


def _ranges(spec: dict[str, object], wheels: object) -> tuple[CapabilityRange, ...]:
    """Each capability's DMX range (8-bit: a 16-bit range is read by its coarse byte) and class."""
    caps = _capabilities(spec)
    sixteen = spec.get("dmxValueResolution") == "16bit"
    found: list[CapabilityRange] = []
    for cap in caps:
        dmx = cap.get("dmxRange")
        if isinstance(dmx, list) and len(dmx) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in dmx):
            low, high = (v >> 8 if sixteen or max(dmx) > 255 else v for v in dmx)
        elif len(caps) == 1:
            low, high = 0, 255
        else:
            continue
        if not 0 <= low <= high <= 255:
            continue
        wheel = str(cap.get("wheel") or "")
        kind = classify_ofl(cap, wheel_is_gobo=load_data("ofl")["gobo_word"] in wheel.lower())  # type: ignore[operator]
        label = str(cap.get("comment") or cap.get("effectName") or cap.get("shutterEffect") or cap.get("type") or "")
        colours = cap.get("colors")
        colour = colours[0] if isinstance(colours, list) and colours and isinstance(colours[0], str) else None
        found.append(
            CapabilityRange(
                min=low, max=high, kind=kind, label=label,
                decreasing=kind == "level" and _decreasing(cap),
                colour=colour if colour and len(colour) == 7 and colour.startswith("#") else None,
            )
        )  # fmt: skip
    if not found:
        return (CapabilityRange(min=0, max=255, kind="unknown", label="no capabilities"),)
    return tuple(sorted(found, key=lambda r: r.min))


def _decreasing(cap: dict[str, object]) -> bool:
    start, end = cap.get("brightnessStart"), cap.get("brightnessEnd")
    order = {"off": 0, "dark": 0, "bright": 100}

    def number(value: object) -> float | None:
        if isinstance(value, str):
            value = order.get(value, value.rstrip("%"))
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    a, b = number(start), number(end)
    return a is not None and b is not None and a > b


def _role(spec: dict[str, object], key: str, wheels: object) -> str:
    data = load_data("ofl")
    caps = _capabilities(spec)
    if not caps:
        return "other"
    first = caps[0]
    kind = first.get("type")
    if kind == "ColorIntensity":
        return data["colours"].get(first.get("color"), "other")  # type: ignore[attr-defined]
    if all(c.get("type") == "ShutterStrobe" for c in caps) or any(c.get("type") == "ShutterStrobe" for c in caps):
        return "shutter"
    role = data["types"].get(kind, "other")  # type: ignore[attr-defined]
    if role == "wheel":
        wheel = str(first.get("wheel") or key)
        return "gobo" if data["gobo_word"] in wheel.lower() else "color_wheel"  # type: ignore[operator]
    return str(role)


def _default(spec: dict[str, object], path: Path, key: str) -> int:
    given = spec.get("defaultValue")
    if isinstance(given, int) and 0 <= given <= 255:
        return given
    for cap in _capabilities(spec):
        if cap.get("type") == "ShutterStrobe" and cap.get("shutterEffect") == "Open":
            dmx = cap.get("dmxRange")
            if isinstance(dmx, list) and dmx and isinstance(dmx[0], int):
                return max(0, min(255, dmx[0]))
    return 0


def _manufacturer(path: Path) -> str:
    key = path.parent.name
    for candidate in (path.parent.parent / "manufacturers.json", path.parent / "manufacturers.json"):
        try:
            table = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        entry = table.get(key) if isinstance(table, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            return entry["name"]
    return key.replace("-", " ").title()
