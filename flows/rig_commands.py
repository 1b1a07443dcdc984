"""`cueflow rig check PATH`: the patch of a rig file, its problems, what each group will be used for, the roles
it lacks and how the design adapts, what each mode is sent (the safe values held), and where its movers point.

Imports nothing heavy at module level: `cueflow --help` and bad input stay fast.
"""

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phases.contracts import Fixture, Rig
    from phases.rig.profiles import FixtureProfile

ROLE_USE = {
    "key": "key and fill light on faces (the front wash; McCandless pairs per area)",
    "back": "back light: separation from the set, colour from above",
    "side": "side light: sculpting, dance, shins",
    "special": "specials: isolating one area or person",
    "atmosphere": "atmosphere: the cyc, sky and time of day",
    "practical": "practicals: lamps and candles the script names",
}


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    rig = subparsers.add_parser("rig", help="check a rig file (cueflow YAML or QLC+ workspace)")
    sub = rig.add_subparsers(dest="rig_command", required=True)
    check = sub.add_parser("check", help="print the patch, its overlaps and overflows, and each group's role")
    check.add_argument("path", metavar="PATH", help="a rig file: .yaml/.yml (cueflow) or .qxw (QLC+ workspace)")
    check.add_argument("--fixtures", action="append", default=[], metavar="DIR", help="also look for fixture definitions in DIR")
    check.set_defaults(handler=_check)


def rig_problem(path: str) -> str | None:
    """For `run --rig` and `batch --rig`: one line when the rig cannot be used, before Prefect starts."""
    from phases.rig import RigError, load_rig

    try:
        load_rig(path)
    except RigError as exc:
        return str(exc)
    return None


def report(path: str, fixture_dirs: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """(the printed report, the problems). Raises RigError when the file cannot be read at all."""
    from phases.rig import load_rig
    from phases.rig.channels import channel_numbers

    loaded = load_rig(path, tuple(fixture_dirs), strict=False)
    rig = loaded.rig
    numbers = channel_numbers(rig)  # the console channels the ASCII export and the recorded patch use
    group = {g.group_id: g for g in rig.groups}
    footprint = {
        f.fixture_id: loaded.profiles[f.patch.profile].footprint for f in rig.fixtures if f.patch.profile in loaded.profiles
    }
    read = "".join(f", with {Path(c).name}" for c in loaded.companions)
    lines = [
        f"rig {rig.name!r} ({loaded.kind}, {Path(loaded.source).name}{read}): {len(rig.fixtures)} fixtures, "
        f"{len(rig.groups)} groups",
        "",
        f"{'#':>4}  {'fixture':<30}{'group':<22}{'role':<12}{'patch':>9}{'ch':>5}  definition / mode",
    ]
    for f in rig.fixtures:
        p = f.patch
        made = f"{f.manufacturer} {f.model}" if f.manufacturer else p.profile
        mode = f" / {p.mode}" if p.mode else ""
        g = group[f.group_id]
        lines.append(
            f"{numbers[f.fixture_id]:>4}  {_cut(f.name or f.fixture_id, 29):<30}{_cut(g.name or g.group_id, 21):<22}"
            f"{g.role or '?':<12}{f'{p.universe}.{p.address}':>9}{footprint.get(f.fixture_id, '?'):>5}  {made}{mode}"
        )
    lines += ["", "groups:"]
    for g in rig.groups:
        how = loaded.role_source.get(g.group_id, "")
        count = len(rig.fixtures_in(g.group_id))
        lines.append(f"  {g.name or g.group_id} ({count} fixtures): {g.role} ({how}) - {ROLE_USE[g.role or 'key']}")
    lines += _lacking(rig, loaded.role_source)
    lines += _channels(rig, loaded.profiles)
    lines += _focus(rig, loaded.profiles)
    for note in loaded.notes:
        lines.append(f"note: {note}")
    problems = list(loaded.problems)
    lines += [""] + ([f"problem: {p}" for p in problems] or ["patch: no overlaps, nothing past channel 512"])
    return "\n".join(lines), problems


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _numbers(fixtures: list["Fixture"]) -> str:
    numbers = [f.fixture_number for f in fixtures if f.fixture_number]
    if not numbers:
        return ", ".join(f.fixture_id for f in fixtures)
    runs: list[str] = []
    for n in numbers:
        if runs and runs[-1].split("-")[-1] == str(n - 1):
            runs[-1] = f"{runs[-1].split('-')[0]}-{n}"
        else:
            runs.append(str(n))
    return "#" + ", #".join(runs)


def _lacking(rig: "Rig", how: dict[str, str]) -> list[str]:
    from phases.rig.roles import missing_roles

    missing = missing_roles(rig, how)
    if not missing:
        return ["", "roles: the rig has every role (key, back, side, special, atmosphere, practical)"]
    return ["", f"roles the rig lacks ({', '.join(missing)}), and how the design adapts:"] + [
        f"  {role}: {text}" for role, text in missing.items()
    ]


def _channels(rig: "Rig", profiles: dict[str, "FixtureProfile"]) -> list[str]:
    """Per definition and mode: what each channel is sent (driven inside its safe range, or held)."""
    lines = ["", "what each mode is sent (driven channels inside their safe ranges; every other channel held):"]
    said: dict[tuple[str, ...], list[Fixture]] = {}  # the heads of a pack say the same: once for all of them
    for f in rig.fixtures:
        profile = profiles.get(f.patch.profile)
        if profile is not None:
            said.setdefault(_sent(profile), []).append(f)
    for text, fixtures in said.items():
        count = f"{len(fixtures)} fixture{'s' if len(fixtures) > 1 else ''}"
        lines.append(f"  {text[0]} ({count}: {_numbers(fixtures)}): {text[1]}")
        lines += list(text[2:])
    return lines


def _sent(profile: "FixtureProfile") -> tuple[str, ...]:
    """What a mode is sent, as rig check prints it: definition / mode, whether it can be lit, then its lines."""
    from phases.rig.channel_plan import plan_mode

    plan = plan_mode(profile)
    made = f"{profile.manufacturer} {profile.model} / {profile.mode}" if profile.manufacturer else profile.name
    state = "can be lit" if plan.can_light else "HELD DARK: it cannot be lit without a strobe, program or the like"
    driven, held = [], []
    for c in plan.channels:
        label = c.role if profile.footprint == 1 or not c.name else c.name  # a pack's heads: one line for all
        if c.drive not in (None, "fine") and c.span is not None:
            low, high = sorted((c.span.dark, c.span.bright))
            off = "" if c.span.full or c.drive in ("pan", "tilt") else f", {c.span.off} at 0"
            driven.append(f"{label} ({c.drive}) {low}-{high}{off}")
        elif c.drive is None:
            told = f" ({_cut(c.hold_label, 40)})" if c.hold_label and c.hold_label != label else ""
            held.append(f"{label} {c.hold}{told}")
    lines = [made, state]
    if driven:
        lines.append(f"    driven: {'; '.join(driven)}")
    if held:
        lines.append(f"    held: {'; '.join(held)}")
    lines += [f"    note: {note}" for note in plan.notes]
    return tuple(lines)


def _focus(rig: "Rig", profiles: dict[str, "FixtureProfile"]) -> list[str]:
    """Every mover: the focus positions it has (recorded, computed from where it hangs) or none (home)."""
    from phases.hardware.focus import Focuser
    from phases.rig.channel_plan import plan_mode

    focuser = Focuser(rig)
    movers = [f for f in rig.fixtures if f.patch.profile in profiles and plan_mode(profiles[f.patch.profile]).position]
    if not movers:
        return []
    points = ", ".join(rig.focus_points)
    lines = ["", f"focus ({len(movers)} movers; focus points: {points}):"]
    for f in movers:
        name = f.name or f.fixture_id
        own = f" (its own area {f.focus_area})" if f.focus_area else ""
        if f.focus:
            lines.append(f"  {name}: recorded positions for {', '.join(f.focus)}{own}; elsewhere home (centre)")
        elif f.mounting is not None:
            p = f.position
            out = [n for n in rig.focus_points if not focuser.reachable(f, profiles[f.patch.profile], n)]
            reach = f"; out of reach: {', '.join(out)}" if out else ""
            lines.append(
                f"  {name}: computed from where it hangs ({f.mounting.orientation} at {p.x:g}, {p.y:g}, {p.z:g}) "
                f"for every focus point{own}{reach}"
            )
        else:
            lines.append(f"  {name}: NO FOCUS: home (pan and tilt at centre) in every cue; give it positions in its focus file")
    return lines


def _check(args: argparse.Namespace) -> int:
    from flows.commands import EXIT_BAD_INPUT, EXIT_OK, fail
    from phases.rig import RigError

    try:
        text, problems = report(args.path, tuple(args.fixtures))
    except RigError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    print(text)
    if problems:
        return fail(f"{len(problems)} patch problem(s); first: {problems[0]}", EXIT_BAD_INPUT)
    return EXIT_OK
