"""Rig files for the import tests, built from Debian's QLC+ fixture library (qlcplus-data) and a small OFL file."""

import json
from pathlib import Path

QLC_LIBRARY = Path("/usr/share/qlcplus/fixtures")
NS = "http://www.qlcplus.org/Workspace"

# (name, manufacturer, model, mode, universe from 0, address from 0, channels): three manufacturers, an RGBW par,
# a moving head in its 16-bit mode, and a dimmer pack. Offsets below are from these definitions' modes.
FIXTURES = [
    ("FOH Par L", "UKing", "B55 Par Can 12 LED RGBW 12W", "8-Channel", 0, 0, 8),
    ("FOH Par R", "UKing", "B55 Par Can 12 LED RGBW 12W", "8-Channel", 0, 8, 8),
    ("Mover", "GLP", "Impression", "Extended", 0, 20, 13),
    ("Dimmer pack", "Proel", "Analogue Dimmer 6Ch", "6Ch Mode", 0, 40, 6),
]
# A group holds heads: a fixture alone is its head 0; (fixture, n) is its first n heads (the dimmer pack's six).
GROUPS = [("FOH wash", [0, 1]), ("Movers", [2]), ("Side booms", [(3, 6)])]
# UKing B55 8-Channel: macro, colour macro, strobe, master dimmer, red, green, blue, white.
PAR = {"dimmer": 3, "red": 4, "green": 5, "blue": 6, "white": 7}
# GLP Impression Extended: pan, pan fine, tilt, tilt fine, r, r fine, g, g fine, b, b fine, shutter, dimmer, dimmer fine.
MOVER = {"pan": 0, "pan_fine": 1, "red": 4, "shutter": 10, "dimmer": 11, "dimmer_fine": 12}
SHUTTER_OPEN = 240  # the definition's "Open" capability of the extended shutter channel


def workspace_xml(fixtures=FIXTURES, groups=GROUPS, namespace: bool = True) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!DOCTYPE Workspace>",
        f'<Workspace xmlns="{NS}" CurrentWindow="FixtureManager">' if namespace else "<Workspace>",
        " <Creator><Name>Q Light Controller Plus</Name><Version>4.12.6</Version><Author>cueflow tests</Author></Creator>",
        " <Engine>",
    ]
    for qlc_id, (name, manufacturer, model, mode, universe, address, channels) in enumerate(fixtures):
        parts.append(
            f"  <Fixture><Manufacturer>{manufacturer}</Manufacturer><Model>{model}</Model><Mode>{mode}</Mode>"
            f"<ID>{qlc_id}</ID><Name>{name}</Name><Universe>{universe}</Universe><Address>{address}</Address>"
            f"<Channels>{channels}</Channels></Fixture>"
        )
    for group_id, (name, members) in enumerate(groups):
        cells = [(m, 0) if isinstance(m, int) else (m[0], h) for m in members for h in range(1 if isinstance(m, int) else m[1])]
        heads = "".join(f'<Head X="{i}" Y="0" Fixture="{m}">{h}</Head>' for i, (m, h) in enumerate(cells))
        parts.append(f'  <FixtureGroup ID="{group_id}"><Name>{name}</Name><Size X="{len(members)}" Y="1"/>{heads}</FixtureGroup>')
    parts += [" </Engine>", "</Workspace>", ""]
    return "\n".join(parts)


def write_workspace(directory: Path, name: str = "rig.qxw", **kwargs: object) -> Path:
    path = directory / name
    path.write_text(workspace_xml(**kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return path


# An Open Fixture Library fixture written for the tests: 16-bit dimmer, RGBA, a shutter whose "Open" is 32.
OFL_FIXTURE = {
    "$schema": "https://raw.githubusercontent.com/OpenLightingProject/open-fixture-library/master/schemas/fixture.json",
    "name": "Test Wash 7",
    "categories": ["Color Changer"],
    "meta": {"authors": ["cueflow tests"], "createDate": "2026-12-01", "lastModifyDate": "2026-12-01"},
    "availableChannels": {
        "Dimmer": {"fineChannelAliases": ["Dimmer fine"], "capability": {"type": "Intensity"}},
        "Red": {"capability": {"type": "ColorIntensity", "color": "Red"}},
        "Green": {"capability": {"type": "ColorIntensity", "color": "Green"}},
        "Blue": {"capability": {"type": "ColorIntensity", "color": "Blue"}},
        "Amber": {"capability": {"type": "ColorIntensity", "color": "Amber"}},
        "Shutter": {
            "capabilities": [
                {"dmxRange": [0, 31], "type": "ShutterStrobe", "shutterEffect": "Closed"},
                {"dmxRange": [32, 63], "type": "ShutterStrobe", "shutterEffect": "Open"},
                {
                    "dmxRange": [64, 255],
                    "type": "ShutterStrobe",
                    "shutterEffect": "Strobe",
                    "speedStart": "1Hz",
                    "speedEnd": "20Hz",
                },
            ]
        },
        "Zoom": {"capability": {"type": "Zoom", "angleStart": "10deg", "angleEnd": "40deg"}},
    },
    "modes": [
        {
            "name": "7-channel",
            "shortName": "7ch",
            "channels": ["Dimmer", "Dimmer fine", "Red", "Green", "Blue", "Amber", "Shutter"],
        },
        {"name": "8-channel", "channels": ["Dimmer", "Dimmer fine", "Red", "Green", "Blue", "Amber", "Shutter", "Zoom"]},
    ],
}


def write_ofl(directory: Path) -> Path:
    """fixtures/<manufacturer key>/<fixture key>.json, with the library's manufacturers.json beside the folders."""
    folder = directory / "fixtures" / "cueflow-test"
    folder.mkdir(parents=True, exist_ok=True)
    (directory / "fixtures" / "manufacturers.json").write_text(json.dumps({"cueflow-test": {"name": "Cueflow Test"}}))
    path = folder / "test-wash-7.json"
    path.write_text(json.dumps(OFL_FIXTURE), encoding="utf-8")
    return path
