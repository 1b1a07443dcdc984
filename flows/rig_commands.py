"""`cueflow rig check PATH`: the patch of a rig file, its problems, and what each group will be used for.

Imports nothing heavy at module level: `cueflow --help` and bad input stay fast.
"""

import argparse
from pathlib import Path

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


def rig_problem(path: str, roots: list[Path] | None = None) -> str | None:
    """For `run --rig` and `batch --rig`: one line when the rig cannot be used, before Prefect starts.
    roots: a deployment's input roots, which the rig's definitions and fixture libraries must lie inside."""
    from phases.rig import RigError, load_rig

    try:
        load_rig(path, roots=tuple(roots) if roots is not None else None)
    except RigError as exc:
        return str(exc)
    return None


def report(path: str, fixture_dirs: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """(the printed report, the problems). Raises RigError when the file cannot be read at all."""
    from phases.rig import load_rig

    loaded = load_rig(path, tuple(fixture_dirs), strict=False)
    rig = loaded.rig
    role = {g.group_id: g.role for g in rig.groups}
    footprint = {
        f.fixture_id: loaded.profiles[f.patch.profile].footprint for f in rig.fixtures if f.patch.profile in loaded.profiles
    }
    lines = [
        f"rig {rig.name!r} ({loaded.kind}, {Path(loaded.source).name}): {len(rig.fixtures)} fixtures, {len(rig.groups)} groups",
        "",
    ]
    lines.append(f"{'#':>4}  {'fixture':<28}{'group':<20}{'role':<12}{'patch':>9}{'ch':>5}  definition / mode")
    for f in rig.fixtures:
        p = f.patch
        made = f"{f.manufacturer} {f.model}" if f.manufacturer else p.profile
        mode = f" / {p.mode}" if p.mode else ""
        lines.append(
            f"{f.fixture_number or '':>4}  {f.fixture_id:<28}{f.group_id:<20}{role[f.group_id] or '?':<12}"
            f"{f'{p.universe}.{p.address}':>9}{footprint.get(f.fixture_id, '?'):>5}  {made}{mode}"
        )
    lines += ["", "groups:"]
    for g in rig.groups:
        how = loaded.role_source.get(g.group_id, "")
        lines.append(
            f"  {g.group_id} ({len(rig.fixtures_in(g.group_id))} fixtures): {g.role} ({how}) - {ROLE_USE[g.role or 'key']}"
        )
    for note in loaded.notes:
        lines.append(f"note: {note}")
    problems = list(loaded.problems)
    lines += [""] + ([f"problem: {p}" for p in problems] or ["patch: no overlaps, nothing past channel 512"])
    return "\n".join(lines), problems


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
