"""Every value Phase 8 sends lands in a capability that means what the cue means: a level, a colour, shutter
open. Proved over every mode of every definition in Debian's QLC+ library, and on the fixtures the issue
found strobing and running programs (the Eurolite LED PAR56's "Mode", the DJScan250's "Shutter").

The library is parsed once. Each mode's plan is checked value by value (every value a driven channel can take
for levels 0..1, every held value); then every mode is patched into one rig, a group per role, and played
through the real renderer with every effect cueflow has, every colour and several focus areas; its frames are
classified against the definitions' capabilities with numpy lookup tables.
"""

import re
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from phases.contracts import GroupRole, Mounting, Rig
from phases.contracts.lighting import EffectType
from phases.hardware import ShowRenderer
from phases.hardware.drive import writer
from phases.knowledge import load_knowledge
from phases.rig import read_definition
from phases.rig.channel_plan import ModePlan, plan_mode
from phases.rig.patching import make_fixture
from phases.rig.profiles import CapabilityClass, Channel, FixtureProfile
from phases.rig.roles import row_position
from phases.rig.xml_files import load_data
from tests.hardware_plans import cue
from tests.rig_files import QLC_LIBRARY

CLASSES: tuple[str, ...] = get_args(CapabilityClass)
SAFETY = load_data("safety")
SAFE = set(SAFETY["hold_order"]) | set(SAFETY["driven"]) | set(SAFETY["position"])
NEVER = {"strobe", "random", "program", "sound", "macro", "reset", "lamp", "effect", "fog", "unknown"}
# An independent reading of the labels a value lands in: the words the issue names, unless the label denies them.
# A speed, a sensitivity or a dimmer named after what it serves ("program speed", "halogen lamp dimmer") is not it.
UNSAFE_WORDS = re.compile(r"\b(strobe|strobing|random|programs?|auto|sound|macros?|reset|lamp)\b", re.I)
DENIED = re.compile(
    r"\b(no|off|without|stop|not|disabled?|open|speed|slow|fast|sensitivity|rate|duration|dimmer|intensity"
    r"|taken as (off|still))\b",
    re.I,
)
PRESET_LABEL = re.compile(r"\((Intensity|Position|Speed|Color|Gobo|Beam|Shutter|Prism|NoFunction)\w*\)$")


def _row(channel: Channel) -> np.ndarray:
    """Class index of each of the 256 values of a channel; values no capability covers are unknown."""
    row = np.full(256, CLASSES.index("unknown"), dtype=np.int8)
    if not channel.ranges:  # a hand-written profile's channel does what its role says
        return row
    for r in channel.ranges:
        row[r.min : r.max + 1] = CLASSES.index(r.kind)
    return row


def _labels(channel: Channel, value: int) -> str:
    found = channel.range_at(value)
    return found.label if found else ""


@pytest.fixture(scope="module")
def library() -> list[tuple[str, FixtureProfile]]:
    if not QLC_LIBRARY.is_dir():
        pytest.fail(f"QLC+'s fixture library is missing ({QLC_LIBRARY}): apt-get install qlcplus-data")
    paths = sorted(QLC_LIBRARY.rglob("*.qxf"))
    assert len(paths) == 1358
    modes = []
    for path in paths:
        definition = read_definition(path)
        for mode in definition.modes:
            profile = definition.profile(mode)
            if profile.footprint <= 512:
                modes.append((f"{path.name} / {mode}", profile))
    return modes


def _plan_values(plan: ModePlan) -> list[tuple[int, np.ndarray]]:
    """Each channel's every possible value: held values, and for driven ones every value of their span."""
    found = []
    for c in plan.channels:
        if c.drive not in (None, "fine") and c.span is not None and (plan.can_light or c.drive in ("pan", "tilt")):
            low, high = sorted((c.span.dark, c.span.bright))
            found.append((c.offset, np.array(sorted({c.span.off, *range(low, high + 1)}))))
        else:  # held, a fine byte, or a level of a fixture held dark: its rest only
            found.append((c.offset, np.array([c.hold])))
    return found


def test_every_value_any_mode_can_be_sent_is_safe(library):
    """Over all 3,706 modes: every value a plan can send lands in a safe capability; modes that have a channel
    with no safe value at all are the ones the rig loader leaves out (and rig check names)."""
    safe = np.array([c in SAFE for c in CLASSES])
    level = np.full(256, CLASSES.index("level"), dtype=np.int8)
    unsafe: list[str] = []
    words: list[str] = []
    left_out = landings = 0
    for name, profile in library:
        plan = plan_mode(profile)
        if not plan.sendable:
            left_out += 1
            continue
        for offset, values in _plan_values(plan):
            channel = profile.channels[offset]
            kinds = (_row(channel) if channel.ranges else level)[values]
            landings += len(values)
            for value in values[~safe[kinds]]:
                unsafe.append(f"{name}: {channel.name} = {value} ({_labels(channel, int(value))!r})")
            low, high = int(values.min()), int(values.max())
            for r in channel.ranges:  # every label a value lands in (the ranges its values reach)
                hit = r.min <= high and r.max >= low and bool(((values >= r.min) & (values <= r.max)).any())
                if hit and UNSAFE_WORDS.search(r.label) and not DENIED.search(r.label) and not PRESET_LABEL.search(r.label):
                    words.append(f"{name}: {channel.name} {r.min}-{r.max} ({r.label!r})")
    print(f"\n{len(library)} modes, {landings} channel values checked, {left_out} modes left out (no safe value)")
    assert unsafe == [], f"{len(unsafe)} unsafe landings, first: {unsafe[:5]}"
    assert words == [], f"{len(words)} landings whose label names a strobe, program or the like: {words[:5]}"
    assert left_out < len(library) * 0.25  # lasers, hazers, effects whose every value runs a program


def test_the_whole_library_played_with_every_effect_in_every_role_lands_nowhere_unsafe(library):
    """Every sendable mode patched into one rig (many universes), a group per role, played through the real
    renderer: fades from 0 to full with each effect, each colour of the table, each group focused somewhere."""
    kb = load_knowledge()
    roles = list(get_args(GroupRole))
    sendable = [(name, p) for name, p in library if plan_mode(p).sendable]
    fixtures, profiles, tables = [], {}, {}
    universe, address = 1, 1
    for index, (_, profile) in enumerate(sendable):
        if profiles.get(profile.name, profile) != profile:
            continue  # two modes whose names slug alike ("Mode 1", "mode-1"): the first is checked here
        if address + profile.footprint - 1 > 512:
            universe, address = universe + 1, 1
        role = roles[index % len(roles)]
        profiles[profile.name] = profile
        kind = "moving_head" if plan_mode(profile).position else "led_par"
        fixture = make_fixture(
            fixture_id=f"f{index}", group_id=role, profile=profile, kind=kind, position=row_position(role, 0, 1),
            universe=universe, address=address, number=None, focus_area="DC",
        )  # fmt: skip
        fixtures.append(fixture.model_copy(update={"mounting": Mounting(orientation="hung")} if kind == "moving_head" else {}))
        rows = tables.setdefault(universe, np.full((512, 256), CLASSES.index("neutral"), dtype=np.int8))
        for offset, channel in enumerate(profile.channels):
            rows[address - 1 + offset] = _row(channel) if channel.ranges else CLASSES.index("level")
        address += profile.footprint
    rig = Rig(
        name="the library", groups=[{"group_id": r, "description": r, "role": r} for r in roles], fixtures=fixtures,
        focus_points={"DC": {"x": 0, "y": 1.2, "z": 1.6}, "USR": {"x": 3, "y": 4.3, "z": 1.6}},
    )  # fmt: skip
    effects: list[dict | None] = [None, *({"type": e, "rate_hz": 3.0, "seed": 7} for e in get_args(EffectType))]
    colours = sorted(kb.colours)
    plan, seconds, dark = [], 2.0, len(effects)
    for n, effect in enumerate(effects):
        groups = {r: (1.0, colours[(n * len(roles) + i) % len(colours)]) for i, r in enumerate(roles)}
        extra = {r: {"effect": effect} for r in roles} if effect else {}
        fade = {"type": "fade", "duration": seconds}
        plan.append(_focused(cue(n + 1, n * seconds, (n + 1) * seconds, groups, fade, **extra)))
        black = {r: (0.0, "daylight") for r in roles}
        plan.append(cue(n + 100, (n + dark) * seconds, (n + dark + 1) * seconds, black))
    show = ShowRenderer(plan, rig, kb.colours, profiles)
    table = {u: rows for u, rows in tables.items()}
    slots = np.arange(512)
    safe = np.array([c in SAFE for c in CLASSES])
    unsafe = written = 0
    first: list[str] = []
    times = [i * 0.137 for i in range(int(show.duration / 0.137) + 1)]
    for t in times:
        for u, frame in show.frame_at(t).items():
            values = np.frombuffer(frame, dtype=np.uint8)
            kinds = table[u][slots, values]
            bad = ~safe[kinds]
            written += 512
            if bad.any():
                unsafe += int(bad.sum())
                first.append(f"t={t:.2f} universe {u} slots {np.nonzero(bad)[0][:5].tolist()}")
    for u, frame in show.blackout().items():
        assert safe[table[u][slots, np.frombuffer(frame, dtype=np.uint8)]].all(), f"the blackout frame, universe {u}"
    full, dark = show.frame_at(seconds - 0.01), show.frame_at(dark * seconds + 1.0)  # cue 1 at full; a dark cue
    unlit = [f.fixture.fixture_id for f in show.fixtures if plan_mode(f.profile).can_light
             and full[f.universe][f.start : f.end] == dark[f.universe][f.start : f.end]]  # fmt: skip
    assert unlit == [], f"the level never reached {len(unlit)} fixtures that can be lit, first {unlit[:3]}"
    print(f"\n{len(fixtures)} fixtures on {len(tables)} universes, {len(times)} frames, {written} values, {unsafe} unsafe")
    assert unsafe == 0, first[:5]


def _focused(instruction):
    """Every other group of the cue focused on USR; the rest on their own area (DC)."""
    groups = [g.model_copy(update={"focus_area": "USR" if i % 2 else None}) for i, g in enumerate(instruction.groups)]
    return instruction.model_copy(update={"groups": groups})


def _mode(library, file: str, mode: str) -> FixtureProfile:
    return next(p for name, p in library if name == f"{file} / {mode}")


def test_the_eurolite_mode_channel_holds_its_dimmer_and_the_emitters_dim(library):
    """Mode: 0-31 "Dimmer", above it pulse fade, auto colour mix, flashes, sound control. It is a mode switch:
    held inside 0-31, and red, green and blue carry the level."""
    profile = _mode(library, "Eurolite-LED-PAR56.qxf", "Mode 1")
    plan = plan_mode(profile)
    mode = next(c for c in plan.channels if c.name == "Mode")
    assert mode.drive is None and mode.hold == 31 and mode.hold_kind == "level"
    assert plan.can_light and plan.emitters == ("red", "green", "blue") and not plan.dims
    frame = bytearray(6)
    writer(profile).write(frame, 0, 0.5, (255.0, 255.0, 255.0), {"red": 255.0, "green": 255.0, "blue": 255.0}, 0.5, 0.5)
    assert list(frame) == [128, 128, 128, 0, 0, 31]  # colour macro at "Manual Mix", speed 0


def test_the_djscan_shutter_dims_inside_dimmer_control_and_never_strobes(library):
    """Shutter: 0-5 closed, 6-128 dimmer control, 129-131 reset, 132-139 open, 140-199 strobe, 200-249 random
    strobe. Every level from 0 to 1 lands in 0 or 6..128."""
    profile = _mode(library, "Futurelight-DJScan250.qxf", "Mode 1")
    out = writer(profile)
    sent = set()
    for step in range(1001):
        frame = bytearray(6)
        out.write(frame, 0, step / 1000, (255.0, 255.0, 255.0), None, 0.5, 0.5)
        sent.add(frame[5])
    assert min(sent - {0}) == 6 and max(sent) == 128 and 0 in sent
    assert out.plan.can_light and out.plan.dims


def test_blackout_is_every_fixture_at_rest_not_all_zeros(library):
    """A fixture whose 0 is not dark or not safe (a shutter that opens at 255, a mode channel) rests safely."""
    profile = _mode(library, "Martin-MAC-Aura.qxf", "Extended Mode")
    rest = plan_mode(profile).rest()
    shutter = profile.channels[0]
    assert shutter.range_at(rest[0]).kind == "open"  # type: ignore[union-attr]
    kinds = [profile.channels[i].range_at(v) for i, v in enumerate(rest) if profile.channels[i].ranges]
    assert all(k is not None and k.kind in SAFE for k in kinds)


def test_the_loader_leaves_out_a_fixture_with_no_safe_value_and_says_why(tmp_path: Path, library):
    from phases.rig import load_rig
    from tests.rig_files import write_workspace

    name, profile = next((n, p) for n, p in library if not plan_mode(p).sendable and plan_mode(p).can_light is False)
    file, mode = name.split(" / ", 1)
    definition = read_definition(next(QLC_LIBRARY.rglob(file)))
    fixtures = [
        ("Par", "Eurolite", "LED PAR56", "Mode 1", 0, 0, 6),
        ("Unsafe", definition.manufacturer, definition.model, mode, 0, 10, profile.footprint),
    ]
    loaded = load_rig(write_workspace(tmp_path, fixtures=fixtures, groups=[]))
    assert [f.name for f in loaded.rig.fixtures] == ["Par"]
    assert any(note.startswith("Unsafe:") and "no safe value" in note for note in loaded.notes), loaded.notes


def test_a_fixture_that_cannot_dim_safely_is_held_dark_and_rig_check_says_so(tmp_path: Path, library):
    from phases.rig import load_rig
    from phases.rig.definitions import lights
    from tests.rig_files import write_workspace
    from tests.test_rig_import import cueflow

    name, profile = next(
        (n, p) for n, p in library if plan_mode(p).sendable and not plan_mode(p).can_light and lights(p) and p.footprint < 40
    )
    file, mode = name.split(" / ", 1)
    definition = read_definition(next(QLC_LIBRARY.rglob(file)))
    fixtures = [("Held", definition.manufacturer, definition.model, mode, 0, 0, profile.footprint)]
    path = write_workspace(tmp_path, fixtures=fixtures, groups=[])
    loaded = load_rig(path)
    kb = load_knowledge(rig=path)
    group = loaded.rig.groups[0].group_id
    show = ShowRenderer([cue(1, 0, 1, {group: (1.0, "daylight")})], kb.rig, kb.colours, loaded.profiles)
    assert show.fixture_levels(0.5)[loaded.rig.fixtures[0].fixture_id][0] == 0.0
    assert show.frame_at(0.5)[1][: profile.footprint] == plan_mode(profile).rest()
    proc = cueflow("rig", "check", str(path))
    assert proc.returncode == 0 and "HELD DARK: it cannot be lit without a strobe, program or the like" in proc.stdout
