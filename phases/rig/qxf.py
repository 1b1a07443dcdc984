"""QLC+ fixture definitions (.qxf): channels, their capabilities and modes -> FixtureDefinition."""

import xml.etree.ElementTree as ET
from pathlib import Path

from phases.hardware.profiles import Channel

from .definitions import FixtureDefinition
from .errors import RigError
from .limits import rig_limits
from .xml_files import load_data, read_xml, text


def read_qxf(path: Path) -> FixtureDefinition:
    document = read_xml(path, "QLC+ fixture definition", rig_limits().max_definition_bytes)
    root = document.root
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
            raise RigError(f"{path}: line {document.line(element)}: a <Channel> without a Name")
        default = element.get("Default")
        if default is not None and _number(default) is None:
            raise RigError(f"{path}: line {document.line(element)}: a <Channel> Default that is not a DMX value (0-255)")
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
            number = _number(ref.get("Number", str(len(numbered))))
            if number is None:
                raise RigError(f"{path}: line {document.line(ref)}: a mode's channel Number is not a channel number")
            numbered.append((number, channels[channel_name]))
        if numbered:
            ordered = tuple(c for _, c in sorted(numbered, key=lambda item: item[0]))
            modes[mode_name] = _one_master(ordered, presets)
    if not modes:
        raise RigError(f"{path}: the definition has no usable mode")
    return FixtureDefinition(manufacturer, model, text(root, "Type") or "Other", modes, str(path))


def _channel(element: ET.Element, name: str) -> Channel:
    data = load_data("qlcplus")
    preset = element.get("Preset")
    group = element.find("Group")
    role = "other"
    if preset is not None:
        role = data["presets"].get(preset, "other")  # type: ignore[attr-defined]
    elif group is not None and group.text:
        role = data["groups"].get(group.text.strip(), "other")  # type: ignore[attr-defined]
        colour = text(element, "Colour")
        lowered = name.lower()
        if role == "dimmer" and colour:
            role = data["colours"].get(colour, "other")  # type: ignore[attr-defined]
        elif role in ("dimmer", "other"):
            word = next((w for w in data["name_words"] if w in lowered.split() or lowered.startswith(w)), None)  # type: ignore[attr-defined]
            if word and (role == "dimmer" or group.text.strip() == "Beam"):
                role = data["name_words"][word]  # type: ignore[index]
        if group.get("Byte") == "1":
            role = f"{role}_fine" if role in ("dimmer", "pan", "tilt", "red", "green", "blue", "white", "amber") else "other"
    return Channel(role=role, name=name, default=_default(element))  # type: ignore[arg-type]


def _default(element: ET.Element) -> int:
    """The definition's Default, else where its shutter is open, else 0."""
    given = _number(element.get("Default"))
    if given is not None:
        return min(255, given)
    open_presets = load_data("qlcplus")["open_presets"]
    for capability in element.findall("Capability"):
        label = (capability.text or "").strip().lower()
        group = text(element, "Group") or ""
        if capability.get("Preset") in open_presets or (group == "Shutter" and label in ("open", "shutter open")):  # type: ignore[operator]
            return min(255, _number(capability.get("Min")) or 0)
    return 0


def _number(value: str | None) -> int | None:
    """A small whole number written in ASCII digits, else None: str.isdigit() also takes "²", which int() refuses."""
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else None


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
