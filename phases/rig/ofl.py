"""Open Fixture Library fixture files (JSON): available channels and modes -> FixtureDefinition.

An OFL fixture file does not name its manufacturer: it is the folder (fixtures/<manufacturer>/<fixture>.json),
spelled as in the library's manufacturers.json when that file is found next to the folders.
"""

import json
from pathlib import Path

from phases.hardware.profiles import Channel

from .definitions import FixtureDefinition
from .errors import RigError
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
        channels[key] = Channel(role=role, name=key, default=_default(spec, path, key))  # type: ignore[arg-type]
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
        manufacturer or _manufacturer(path), data["name"], categories[0] if categories else "Other", modes, str(path)
    )


def _capabilities(spec: dict[str, object]) -> list[dict[str, object]]:
    if isinstance(spec.get("capability"), dict):
        return [spec["capability"]]  # type: ignore[list-item]
    caps = spec.get("capabilities")
    return [c for c in caps if isinstance(c, dict)] if isinstance(caps, list) else []


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
