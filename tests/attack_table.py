"""The attack table of issue 23's file rows: each attack through the real CLI, bounded, and what came of it.

    .venv/bin/python -m tests.attack_table                 # this checkout
    .venv/bin/python -m tests.attack_table --code DIR      # another checkout (say `git archive BASE | tar -x -C DIR`)

Every command runs under a 768 MB address-space limit (RLIMIT_AS) and a timeout, in its own process group. Columns:
exit code (or "hang" when killed at the timeout), whether it was handled cleanly (the expected exit, one error line
and no traceback or internal error), seconds, peak RSS, and what was lost or leaked. Not a test: the tests are
tests/test_hostile_*.py, test_export_whole.py, test_output_injection.py and test_deployment_rig_files.py.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .hostile_files import (
    ROOT,
    Outcome,
    bomb_rig,
    broken_ofl_beside,
    fifo,
    ofl_with,
    plan_dir,
    plan_file_replaced,
    qxf_with_default,
    run_cli,
    secret_file,
    temporary_files,
    workspace_with_channels,
    workspace_with_duplicate_ids,
    yaml_rig,
)
from .rig_files import write_workspace

Check = Callable[[Outcome], str]  # what was lost or leaked, "" when nothing
CODE = ROOT  # the checkout under attack (--code)


@dataclass
class Attack:
    area: str
    tried: str
    prepare: Callable[[Path], tuple[list[str], Check]]  # (cueflow arguments, check)
    expect: int = 2
    timeout: float = 60
    stop_after: float | None = None


def _nothing(_: Outcome) -> str:
    return ""


def _rig_check(build: Callable[[Path], Path]) -> Callable[[Path], tuple[list[str], Check]]:
    return lambda tmp: (["rig", "check", str(build(tmp))], _nothing)


def _symlink(tmp: Path, name: str, target: str) -> Path:
    (tmp / name).symlink_to(target)
    return tmp / name


def _fifo_beside(tmp: Path) -> Path:
    fifo(tmp / "stuck.qxf")
    fifo(tmp / "fixtures" / "stuck.json")
    return write_workspace(tmp)


def _play(how: str) -> Callable[[Path], tuple[list[str], Check]]:
    def prepare(tmp: Path) -> tuple[list[str], Check]:
        directory = plan_file_replaced(tmp / "plan", how)
        return ["play", str(directory), "--dry-run", str(tmp / "frames.jsonl")], _nothing

    return prepare


def _export_mixed(tmp: Path) -> tuple[list[str], Check]:
    plan = plan_dir(tmp / "plan")
    out = tmp / "console"
    env = {**os.environ, "PYTHONPATH": str(CODE)}
    command = [sys.executable, "-m", "flows.cli", "export", str(plan), "--out", str(out)]
    subprocess.run(command, cwd=CODE, env=env, capture_output=True)
    (out / "cues.asc").write_text("old export")
    (out / "show.qxw").unlink()
    (out / "show.qxw").mkdir()

    def check(_: Outcome) -> str:
        return "" if (out / "cues.asc").read_text() == "old export" else "cues.asc replaced: two exports mixed"

    return ["export", str(plan), "--out", str(out)], check


def _export_killed(tmp: Path) -> tuple[list[str], Check]:
    """What a SIGKILLed export leaves, beside --out and inside it, made by the code under test as it makes them."""
    plan = plan_dir(tmp / "plan")
    out = tmp / "console"
    out.mkdir()
    code = (
        "import os, signal, sys, tempfile; from pathlib import Path\n"
        "final = Path(sys.argv[1])\n"
        "try:\n from phases.work_marker import make_marked_folder; make_marked_folder(final, 'export')\n"
        "except ImportError:  # before the marker: what writing.py made\n"
        " tempfile.mkdtemp(prefix=f'.{final.name}.export-', dir=final.parent)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    for final in (out, out / out.name):
        subprocess.run([sys.executable, "-c", code, str(final)], cwd=CODE, env={**os.environ, "PYTHONPATH": str(CODE)})

    def check(_: Outcome) -> str:
        left = [*tmp.glob(".console.export-*"), *out.glob(".console.export-*")]
        return f"{len(left)} killed export folder(s) left" if left else ""

    return ["export", str(plan), "--out", str(out)], check


def _dry_run_interrupted(tmp: Path) -> tuple[list[str], Check]:
    directory = plan_dir(tmp / "plan", effect_all_week=True)
    frames = tmp / "frames.jsonl"

    def check(_: Outcome) -> str:
        left = temporary_files(tmp)
        return f"{sum(p.stat().st_size for p in left) / 2**20:.0f} MB .tmp left" if left else ""

    return ["play", str(directory), "--dry-run", str(frames), "--dmx-speed", "40"], check


def _export_mode(tmp: Path) -> tuple[list[str], Check]:
    plan = plan_dir(tmp / "plan")
    out = tmp / "shared"
    out.mkdir()
    os.chown(out, -1, 1)
    os.chmod(out, 0o2770)

    def check(_: Outcome) -> str:
        info = out.stat()
        mode = info.st_mode & 0o7777
        return "" if (mode, info.st_gid) == (0o2770, 1) else f"folder now mode {mode:o}, group {info.st_gid}"

    return ["export", str(plan), "--out", str(out)], check


def _qxw_well_formed(tmp: Path) -> tuple[list[str], Check]:
    plan = plan_dir(tmp / "plan", label="Storm\fbreaks\x01")

    def check(_: Outcome) -> str:
        try:
            ET.parse(tmp / "out" / "show.qxw")
        except (ET.ParseError, OSError) as exc:
            return f"show.qxw not well-formed XML ({type(exc).__name__})"
        return ""

    return ["export", str(plan), "--format", "qlc", "--out", str(tmp / "out")], check


def _dollar_run(tmp: Path) -> tuple[list[str], Check]:
    script = tmp / "$5 a $ticket.txt"
    script.write_text((ROOT / "examples" / "the_keepers_light.txt").read_text().split("SCENE II.")[0])

    def check(_: Outcome) -> str:
        return "" if (tmp / "out" / "timeline.png").exists() else "Phase 5 failed: no timeline.png"

    return ["run", str(script), "--out", str(tmp / "out"), "--no-emotion"], check


def _nan_position(tmp: Path) -> Path:
    rig = yaml_rig(tmp, "nan.yaml", "fixture_type: dimmer, fixed_color: warm_white, capabilities: [intensity],")
    rig.write_text(rig.read_text().replace("x: 0,", "x: .nan,").replace("address: 1}", "address: 1, profile: generic_dimmer}"))
    return rig


def _deployment(build: Callable[[Path], tuple[Path, str]]) -> Callable[[Path], tuple[list[str], Check]]:
    """The parameter check a served run makes (flows.entrypoints._config), with the input roots a server sets."""

    def prepare(tmp: Path) -> tuple[list[str], Check]:
        inputs = tmp / "in"
        inputs.mkdir()
        rig, secret = build(inputs)
        code = (
            "import sys; from pathlib import Path; from flows.entrypoints import ParameterError, _config\n"
            "try:\n _config({'rig': sys.argv[1]}, Path(sys.argv[2]), False, None)\n"
            "except ParameterError as exc:\n print(f'cueflow: error: {exc}', file=sys.stderr); sys.exit(2)\n"
        )
        os.environ["CUEFLOW_INPUT_ROOTS"] = str(inputs)

        def check(done: Outcome) -> str:
            return "the secret is in the error" if secret and secret in done.stderr else ""

        return ["--python", code, str(rig), str(tmp / "out")], check

    return prepare


def _huge_rig(inputs: Path) -> tuple[Path, str]:
    return workspace_with_channels(inputs, 1_000_000_000, "huge.qxw"), ""


def _secret_rig(inputs: Path) -> tuple[Path, str]:
    secret, line = secret_file(inputs.parent)
    return yaml_rig(inputs, "secret.yaml", f"definition: {secret},"), line


ATTACKS = [
    Attack("exhaustion", "rig check: .qxw <Channels>1000000000", _rig_check(lambda t: workspace_with_channels(t, 10**9))),
    Attack("exhaustion", "rig check: .qxw <Channels>10000000", _rig_check(lambda t: workspace_with_channels(t, 10**7))),
    Attack("exhaustion", "rig check: alias bomb in fixture_library", _rig_check(lambda t: bomb_rig(t, "fixture_library"))),
    Attack("exhaustion", "rig check: alias bomb in definition", _rig_check(lambda t: bomb_rig(t, "definition"))),
    Attack("exhaustion", "rig check: alias bomb in manufacturer", _rig_check(lambda t: bomb_rig(t, "manufacturer"))),
    Attack("exhaustion", "rig check: FIFOs *.qxf, fixtures/*.json beside a .qxw", _rig_check(_fifo_beside), expect=0),
    Attack(
        "exhaustion", "rig check: definition is a symlink to /dev/zero",
        _rig_check(lambda t: (_symlink(t, "zero.qxf", "/dev/zero"), yaml_rig(t, "z.yaml", "definition: zero.qxf,"))[1]),
    ),  # fmt: skip
    Attack("exhaustion", "play: lighting_instructions.json is a FIFO", _play("fifo"), timeout=30),
    Attack("exhaustion", "play: lighting_instructions.json -> /dev/zero", _play("dev_zero"), timeout=30),
    Attack(
        "exhaustion", "play --dry-run: last cue ends at 604,800 s (a hold)",
        lambda t: (["play", str(plan_dir(t / "plan", last_end=604800.0)), "--dry-run", str(t / "f.jsonl")], _nothing),
        expect=0, timeout=300,
    ),  # fmt: skip
    Attack(
        "exhaustion", "play --dry-run: an effect running 604,800 s",
        lambda t: (["play", str(plan_dir(t / "plan", effect_all_week=True)), "--dry-run", str(t / "f.jsonl")], _nothing),
        timeout=300,
    ),  # fmt: skip
    Attack("confinement", "deployment config.rig: definition: /outside/secret.json", _deployment(_secret_rig)),
    Attack("internal error", "rig check: .qxw <Channels>-5", _rig_check(lambda t: workspace_with_channels(t, -5))),
    Attack("internal error", "rig check: .qxw <Channels>1000000", _rig_check(lambda t: workspace_with_channels(t, 10**6))),
    Attack("internal error", "rig check: .qxw duplicate fixture IDs", _rig_check(workspace_with_duplicate_ids)),
    Attack("internal error", 'rig check: OFL "type": [...]', _rig_check(lambda t: ofl_with(t, "type_list"))),
    Attack("internal error", 'rig check: OFL "color": {...}', _rig_check(lambda t: ofl_with(t, "color_object"))),
    Attack("internal error", 'rig check: OFL "fineChannelAliases": 5', _rig_check(lambda t: ofl_with(t, "aliases_5"))),
    Attack("internal error", 'rig check: OFL "categories": 7', _rig_check(lambda t: ofl_with(t, "categories_7"))),
    Attack("internal error", 'rig check: .qxf Default="²"', _rig_check(lambda t: qxf_with_default(t, "²"))),
    Attack(
        "internal error", 'rig check: fixture_library: ["/proc"]',
        _rig_check(lambda t: yaml_rig(t, "p.yaml", "manufacturer: A, model: B,", 'fixture_library: ["/proc"]\n')),
    ),  # fmt: skip
    Attack("internal error", "rig check: a malformed OFL .json beside a .qxw", _rig_check(broken_ofl_beside), expect=0),
    Attack("internal error", "play: a 5,000-digit cue number", _play("digits")),
    Attack("internal error", "play: 100,000 nested brackets", _play("nested")),
    Attack(
        "internal error", "export --out NAME of 300 bytes",
        lambda t: (["export", str(plan_dir(t / "plan")), "--out", str(t / ("n" * 300))], _nothing),
    ),  # fmt: skip
    Attack(
        "internal error", "run --out NAME of 300 bytes",
        lambda t: (["run", str(ROOT / "examples" / "the_keepers_light.txt"), "--out", str(t / ("n" * 300))], _nothing),
    ),  # fmt: skip
    Attack(
        "internal error", "play --dry-run NAME of 300 bytes",
        lambda t: (["play", str(plan_dir(t / "plan")), "--dry-run", str(t / ("n" * 300))], _nothing),
    ),  # fmt: skip
    Attack("internal error", "deployment config.rig: .qxw <Channels>1000000000", _deployment(_huge_rig), timeout=180),
    Attack("whole or nothing", "export: --out holds an old export and a folder show.qxw", _export_mixed),
    Attack("whole or nothing", "export after a SIGKILLed export", _export_killed, expect=0),
    Attack(
        "whole or nothing", "Ctrl-C during play --dry-run", _dry_run_interrupted, expect=130, timeout=120, stop_after=8,
    ),  # fmt: skip
    Attack("whole or nothing", "export into an empty folder of mode 2770, group 1", _export_mode, expect=0),
    Attack("injection", "export: form feed and \\x01 in a label -> show.qxw", _qxw_well_formed, expect=0),
    Attack("injection", "run: '$' in the script's file name", _dollar_run, expect=0, timeout=600),
    Attack("injection", "rig check: position x: .nan", _rig_check(_nan_position)),
]


def _mount_point_attack(code: Path) -> tuple[str, ...]:
    """An empty mount point as --out, in a private mount namespace (needs root)."""
    with tempfile.TemporaryDirectory(prefix="cueflow-attack-") as tmp_name:
        tmp = Path(tmp_name)
        plan = plan_dir(tmp / "plan")
        mount = tmp / "mnt"
        mount.mkdir()
        script = f'mount -t tmpfs attack "{mount}" && exec "{sys.executable}" -m flows.cli export "{plan}" --out "{mount}"'
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, cwd=code, timeout=120,
            env={**os.environ, "PYTHONPATH": str(code)},
        )  # fmt: skip
        errors = [line for line in done.stderr.splitlines() if line.startswith("cueflow: error:")]
        clean = done.returncode == 0 and "Traceback" not in done.stderr
        return ("whole or nothing", "export --out an empty mount point", str(done.returncode), "yes" if clean else "no",
                "yes" if "internal error" in done.stderr else "no", "no", "", "", errors[0][16:80] if errors else "")  # fmt: skip


def run_attack(attack: Attack, code: Path) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory(prefix="cueflow-attack-") as tmp_name:
        tmp = Path(tmp_name)
        args, check = attack.prepare(tmp)
        if args[0] == "--python":
            done = _python(args[1], args[2:], code, attack.timeout)
        else:
            done = run_cli(*args, timeout=attack.timeout, code=code, stop_after=attack.stop_after, stop_signal=signal.SIGINT)
        os.environ.pop("CUEFLOW_INPUT_ROOTS", None)
        lost = check(done)
        expected = done.returncode == attack.expect
        one_line = len(done.error_lines) == (1 if attack.expect == 2 else 0)
        traceback = "Traceback" in done.stderr or "internal error" in done.stderr
        clean = expected and one_line and not traceback and not lost
        return (
            attack.area, attack.tried, "hang" if done.returncode is None else str(done.returncode), "yes" if clean else "no",
            "yes" if traceback else "no", "yes" if done.returncode is None else "no", f"{done.seconds:.1f}",
            f"{done.peak_kib / 1024:.0f}" if done.peak_kib >= 0 else "killed", lost,
        )  # fmt: skip


def _python(source: str, argv: list[str], code: Path, timeout: float) -> Outcome:
    """A few lines of Python in the checkout at `code`, bounded like the CLI (for the deployment parameter check)."""
    script = Path(tempfile.mkdtemp(prefix="cueflow-attack-")) / "check.py"
    script.write_text(source)
    outcome = run_cli(*argv, timeout=timeout, code=code, python_file=script)
    shutil.rmtree(script.parent, ignore_errors=True)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose cueflow is attacked (default: this one)")
    parser.add_argument("--only", help="run the attacks whose description contains this text")
    args = parser.parse_args(argv)
    global CODE
    code = CODE = args.code.resolve()
    print("| area | tried | exit | handled cleanly | traceback / internal error | hang | s | peak MB | lost or leaked |")
    print("|---|---|---|---|---|---|---|---|---|")
    for attack in ATTACKS:
        if args.only and args.only not in attack.tried:
            continue
        print("| " + " | ".join(run_attack(attack, code)) + " |", flush=True)
    if not args.only or args.only in "export --out an empty mount point":
        print("| " + " | ".join(_mount_point_attack(code)) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
