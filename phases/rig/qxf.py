"""QLC+ fixture definitions (.qxf): channels, their capabilities and modes -> FixtureDefinition."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .capabilities import at_rest, classify_qlc, decreasing, preset_ranges
from .definitions import FixtureDefinition
from .errors import RigError
from .profiles import CapabilityRange, Channel
from .xml_files import load_data, read_xml, text


def read_qxf(path: Path) -> FixtureDefinition:
    root = read_xml(path, "QLC+ fixture definition")
    if root.tag != "FixtureDefinition":
        raise RigError(f"{path}: not a QLC+ fixture definition (root element <{root.tag}>)")
    manufacturer, model = text(root, "Manufacturer"), text(root, "Model")
    if not manufacturer or not model:
        raise RigError(f"{path}: fixture definition without Manufacturer or Model")
    channels: dict[str, Channel] = {}
    presets: dict[str, str | None] = {}
    for element in root.findall("Channel"):
        name = element.get("Name")
        if not name:
            raise RigError(f"{path}: a <Channel> without a Name")
        channels[name] = _channel(element, name)
        presets[name] = element.get("Preset")
    folded = {name.lower(): name for name in channels}
    modes: dict[str, tuple[Channel, ...]] = {}
    for mode in root.findall("Mode"):
        mode_name = mode.get("Name") or f"{len(modes) + 1} channels"
        numbered: list[tuple[int, Channel]] = []
        for ref in mode.findall("Channel"):
            channel_name = (ref.text or "").strip()
            channel_name = folded.get(channel_name.lower(), channel_name)
            if channel_name not in channels:  # QLC+ itself leaves such a channel out of the mode
                continue
            try:
                number = int(ref.get("Number", len(numbered)))
            except ValueError:
                raise RigError(f"{path}: mode {mode_name!r}: channel number {ref.get('Number')!r}") from None
            numbered.append((number, channels[channel_name]))
        if numbered:
            ordered = tuple(c for _, c in sorted(numbered, key=lambda item: item[0]))
            modes[mode_name] = _one_master(ordered, presets)
    if not modes:
        raise RigError(f"{path}: {manufacturer} {model} defines no modes")
    return FixtureDefinition(manufacturer, model, text(root, "Type") or "Other", modes, str(path), travel=_travel(root))


def _travel(root: ET.Element) -> tuple[float | None, float | None]:
    """PanMax and TiltMax of <Physical><Focus>, in degrees (0, absent or absurd: not known)."""
    focus = root.find("Physical/Focus")
    found: list[float | None] = []
    for attribute, limit in (("PanMax", 1080), ("TiltMax", 720)):
        try:
            value = float(focus.get(attribute, "0")) if focus is not None else 0.0
        except ValueError:
            value = 0.0
        found.append(value if 0 < value <= limit else None)
    return found[0], found[1]


def _channel(element: ET.Element, name: str) -> Channel:
    data = load_data("qlcplus")
    preset = element.get("Preset")
    group_element = element.find("Group")
    group = (group_element.text or "").strip() if group_element is not None and group_element.text else ""
    ranges = _ranges(element, name, group, preset)
    role = "other"
    if preset is not None:
        role = data["presets"].get(preset, "other")  # type: ignore[attr-defined]
    elif group:
        role = data["groups"].get(group, "other")  # type: ignore[attr-defined]
        colour = text(element, "Colour")
        lowered = name.lower()
        if role == "dimmer" and colour:
            role = data["colours"].get(colour, "other")  # type: ignore[attr-defined]
        elif role in ("dimmer", "other"):
            word = next((w for w in data["name_words"] if w in lowered.split() or lowered.startswith(w)), None)  # type: ignore[attr-defined]
            if word and (role == "dimmer" or group == "Beam"):
                role = data["name_words"][word]  # type: ignore[index]
        if role in EMITTING and not any(r.kind == "level" for r in ranges):
            role = "other"  # an Intensity channel whose capabilities hold no level (a colour temperature, a mode)
        if group_element is not None and group_element.get("Byte") == "1":
            role = f"{role}_fine" if role in ("dimmer", "pan", "tilt", "red", "green", "blue", "white", "amber") else "other"
    return Channel(role=role, name=name, default=_default(element), ranges=ranges)  # type: ignore[arg-type]


EMITTING = ("dimmer", "red", "green", "blue", "white", "amber", "uv", "lime", "cyan", "magenta", "yellow")


def _ranges(element: ET.Element, name: str, group: str, preset: str | None) -> tuple[CapabilityRange, ...]:
    """Each <Capability> classified (capabilities.yaml); a preset channel without any gets QLC+'s one range."""
    found: list[CapabilityRange] = []
    for capability in element.findall("Capability"):
        try:
            low, high = int(capability.get("Min", "")), int(capability.get("Max", ""))
        except ValueError:
            continue  # QLC+ drops a capability it cannot read
        if not 0 <= low <= high <= 255:
            continue
        label = (capability.text or "").strip()
        kind = classify_qlc(label, group, capability.get("Preset"), name)
        colour = capability.get("Res1") or capability.get("Color")
        found.append(
            CapabilityRange(
                min=low, max=high, kind=kind, label=label, decreasing=kind == "level" and decreasing(label),
                colour=colour if colour and _HEX.fullmatch(colour) else None,
            )
        )  # fmt: skip
    if len(found) == 1 and (found[0].min, found[0].max) == (0, 255) and found[0].kind == "unknown" and group == "Intensity":
        only = found[0]  # one proportional range over the whole channel ("Channel 1" of a dimmer pack)
        return (only.model_copy(update={"kind": "level"}),)
    if len(found) == 1:
        return at_rest(found[0])
    if found:
        return tuple(sorted(found, key=lambda r: r.min))
    if preset is not None:
        return preset_ranges(preset, name)
    default = load_data("capabilities")["group_default"].get(group)  # type: ignore[attr-defined]
    return (CapabilityRange(min=0, max=255, kind=default or "unknown", label=f"{name} ({group or 'no group'})"),)


_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def _default(element: ET.Element) -> int:
    """The definition's Default, else where its shutter is open, else 0."""
    given = element.get("Default")
    if given is not None and given.isdigit():
        return min(255, int(given))
    open_presets = load_data("qlcplus")["open_presets"]
    for capability in element.findall("Capability"):
        label = (capability.text or "").strip().lower()
        group = text(element, "Group") or ""
        if capability.get("Preset") in open_presets or (group == "Shutter" and label in ("open", "shutter open")):  # type: ignore[operator]
            try:
                return min(255, int(capability.get("Min", "0")))
            except ValueError:
                return 0
    return 0


def _one_master(channels: tuple[Channel, ...], presets: dict[str, str | None]) -> tuple[Channel, ...]:
    """With a master dimmer, per-head dimmers sit at full: the level is applied once, not squared."""
    if not any(presets.get(c.name) == "IntensityMasterDimmer" for c in channels):
        return channels
    return tuple(
        c.model_copy(update={"role": "other", "default": 255})
        if c.role == "dimmer" and presets.get(c.name) != "IntensityMasterDimmer"
        else c
        for c in channels
    )
