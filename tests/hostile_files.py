"""Hostile rig files, plans and output folders (issue 23), and a way to run the real CLI on them bounded.

Shared by the tests and by tests/attack_table.py, which prints the before/after table for the issue. Every
builder writes into a folder it is given and returns the path an attack uses.
"""

import copy
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .rig_files import OFL_FIXTURE, write_ofl, write_workspace

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 768 * 2**20  # address space for one CLI process: `cueflow rig check` needs under 500 MB
TIME = "/usr/bin/time"  # GNU time (Debian's `time` package): the process's own peak resident memory
GENERIC = ("Dimmer", "Generic", "Generic", "1 Channel", 0, 0, 1)


@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: killed at the timeout (a hang)
    stdout: str
    stderr: str
    seconds: float
    peak_kib: int  # the cueflow process's peak resident memory

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("cueflow: error:")]

    @property
    def clean_refusal(self) -> bool:
        """Exit 2 with exactly one short error line, no traceback, no internal error."""
        return (
            self.returncode == 2
            and len(self.error_lines) == 1
            and len(self.error_lines[0]) <= 420
            and "Traceback" not in self.stderr
            and "internal error" not in self.stderr
        )


def _child(pid: int) -> int:
    """The process GNU time runs (time passes no signal on: it ignores SIGINT and dies of SIGTERM)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else pid


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.setsid()  # its own process group, so a timeout stops its children too


def run_cli(
    *args: str,
    timeout: float = 60,
    memory: int = MEMORY_LIMIT,
    code: Path = ROOT,
    env: dict[str, str] | None = None,
    stop_after: float | None = None,
    stop_signal: int = signal.SIGINT,
    python_file: Path | None = None,
) -> Outcome:
    """`cueflow ARGS` from the checkout at `code`, under an address-space limit and a timeout.

    stop_after: send `stop_signal` to the process that many seconds after it starts (Ctrl-C is SIGINT).
    python_file: run this Python file with ARGS instead of the CLI."""
    environment = {**os.environ, "PYTHONPATH": str(code), **(env or {})}
    program = [str(python_file)] if python_file else ["-m", "flows.cli"]
    measure = tempfile.NamedTemporaryFile(prefix="cueflow-rss-", delete=False)
    measure.close()
    started = time.monotonic()
    process = subprocess.Popen(
        [TIME, "-q", "-f", "%M", "-o", measure.name, sys.executable, *program, *args],
        cwd=code,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: _limit_memory(memory),
    )
    if stop_after is not None:
        try:
            process.wait(stop_after)
        except subprocess.TimeoutExpired:
            os.kill(_child(process.pid), stop_signal)  # cueflow itself, as a terminal's Ctrl-C or `kill` would
    try:
        out, err = process.communicate(timeout=max(1.0, timeout - (time.monotonic() - started)))
        code_ = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code_ = None
    seconds = time.monotonic() - started
    written = Path(measure.name).read_text().split()
    Path(measure.name).unlink()
    peak = int(written[-1]) if written and written[-1].isdigit() else -1  # -1: killed before it could say
    return Outcome(code_, out, err, seconds, peak)


# Rig files


def workspace_with_channels(folder: Path, channels: int, name: str = "channels.qxw") -> Path:
    """A QLC+ workspace of one generic dimmer pack whose <Channels> says `channels` (1e9 took 9.6 GB)."""
    text = write_workspace(folder, name, fixtures=[GENERIC], groups=[]).read_text()
    path = folder / name
    path.write_text(text.replace("<Channels>1</Channels>", f"<Channels>{channels}</Channels>"))
    return path


def workspace_with_duplicate_ids(folder: Path) -> Path:
    text = write_workspace(folder, "dup_ids.qxw", fixtures=[GENERIC, GENERIC], groups=[]).read_text()
    path = folder / "dup_ids.qxw"
    path.write_text(text.replace("<ID>1</ID>", "<ID>0</ID>"))
    return path


YAML_FIXTURE = "{fixture_id: f1, group_id: front, position: {x: 0, y: -4, z: 6}, %s patch: {universe: 1, address: 1}}"


def yaml_rig(folder: Path, name: str, fixture_fields: str, top: str = "") -> Path:
    """A cueflow YAML rig of one fixture, with `fixture_fields` (`manufacturer: X, model: Y,` ...) and top-level lines."""
    path = folder / name
    path.write_text(
        f"name: hostile\n{top}groups: [{{group_id: front, description: front wash}}]\n"
        f"fixtures:\n  - {YAML_FIXTURE % fixture_fields}\n"
    )
    return path


def alias_bomb(depth: int = 9) -> str:
    """YAML anchors nested `depth` deep, ten to a level: about 1 KB that expands to 10**depth strings."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, depth):
        refs = ",".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def bomb_rig(folder: Path, where: str) -> Path:
    """The alias bomb fed to `fixture_library`, `definition` or `manufacturer`."""
    bomb = alias_bomb()
    last = f"*l{bomb.count(chr(10)) - 1}"
    if where == "fixture_library":
        return yaml_rig(folder, f"bomb_{where}.yaml", "manufacturer: Generic, model: Dimmer,", f"{bomb}fixture_library: {last}\n")
    return yaml_rig(folder, f"bomb_{where}.yaml", f"{where}: {last}, model: Dimmer,", bomb)


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def ofl_with(folder: Path, change: str) -> Path:
    """The test OFL fixture with one field of the wrong type; the rig beside it asks for that fixture."""
    data = copy.deepcopy(OFL_FIXTURE)
    channels = data["availableChannels"]
    if change == "type_list":
        channels["Dimmer"]["capability"]["type"] = ["Intensity"]
    elif change == "color_object":
        channels["Red"]["capability"]["color"] = {"hue": 1}
    elif change == "aliases_5":
        channels["Dimmer"]["fineChannelAliases"] = 5
    elif change == "categories_7":
        data["categories"] = 7
    else:
        raise ValueError(change)
    ofl = write_ofl(folder)
    ofl.write_text(json.dumps(data, indent=2))
    fields = "manufacturer: Cueflow Test, model: Test Wash 7,"
    return yaml_rig(folder, f"ofl_{change}.yaml", fields, "fixture_library: [fixtures]\n")


def qxf_with_default(folder: Path, default: str) -> Path:
    """A QLC+ definition whose channel Default is `default` (say "²": str.isdigit() yes, int() no), and a rig naming it."""
    (folder / "odd.qxf").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<FixtureDefinition xmlns="http://www.qlcplus.org/FixtureDefinition">\n'
        " <Manufacturer>Odd</Manufacturer>\n <Model>Dimmer</Model>\n <Type>Dimmer</Type>\n"
        f' <Channel Name="Intensity" Preset="IntensityDimmer" Default="{default}"/>\n'
        ' <Mode Name="1ch"><Channel Number="0">Intensity</Channel></Mode>\n</FixtureDefinition>\n'
    )
    return yaml_rig(folder, "odd_default.yaml", "definition: odd.qxf,")


def broken_ofl_beside(folder: Path) -> Path:
    """A workspace beside a malformed OFL file (its name readable, a field of the wrong type): it used to break
    every lookup in the folder. The workspace's own fixtures are in QLC+'s library."""
    data = copy.deepcopy(OFL_FIXTURE)
    data["availableChannels"]["Dimmer"]["fineChannelAliases"] = 5
    (folder / "broken-wash.json").write_text(json.dumps(data))
    return write_workspace(folder, "beside_broken.qxw")


def secret_file(folder: Path) -> tuple[Path, str]:
    """A file outside the input roots holding a secret line, named like a fixture definition."""
    secret = "DB_PASSWORD=hunter2-cueflow-secret"
    path = folder / "secret.json"
    path.write_text(f'{{"name": "{secret}", "modes": [{{"name": "{secret}", "channels": ["{secret}"]}}]}}\n')
    return path, secret


# Plans


def plan_dir(folder: Path, **changes: object) -> Path:
    """A finished plan's folder (tests/export_plans.py's show). changes: last_end (seconds), effect_all_week, label."""
    from .export_plans import show, write_plan_dir

    scenes, cues = show()
    data = [c.model_dump(mode="json") for c in cues]
    if "last_end" in changes:
        data[-1]["time_window"]["end"] = changes["last_end"]
    if changes.get("effect_all_week"):
        data[-1]["time_window"]["end"] = 604800.0
        data[-1]["groups"][0]["parameters"].update(intensity=0.5, effect={"type": "flicker", "rate_hz": 2.0})
    if "label" in changes:
        data[1]["label"] = changes["label"]
    directory = write_plan_dir(folder, scenes, cues)
    (directory / "lighting_instructions.json").write_text(json.dumps(data))
    return directory


def plan_file_replaced(folder: Path, how: str) -> Path:
    """A plan folder whose lighting_instructions.json is a FIFO, a symlink to /dev/zero, 100,000 nested brackets,
    or holds a 5,000-digit cue number."""
    directory = plan_dir(folder)
    plan = directory / "lighting_instructions.json"
    text = plan.read_text()
    plan.unlink()
    if how == "fifo":
        fifo(plan)
    elif how == "dev_zero":
        plan.symlink_to("/dev/zero")
    elif how == "nested":
        plan.write_text("[" * 100_000 + "]" * 100_000)
    elif how == "digits":
        plan.write_text(text.replace('"cue_number": 10.0', '"cue_number": ' + "1" * 5000, 1))
    else:
        raise ValueError(how)
    return directory


def temporary_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.tmp"))
