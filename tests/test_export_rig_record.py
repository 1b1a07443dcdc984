"""A plan records the rig it was designed for (rig_patch.json: the file, a fingerprint, the patch), so the real
`cueflow export` and `cueflow play` need no --rig; a recorded rig that is missing or has changed is one line
and exit 2; an explicit --rig overrides the record and says what differs."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

from phases.contracts import CueTrigger, GroupInstruction, GroupParameters, LightingInstruction, RigPatch, TimeWindow
from phases.export import RIG_PATCH_FILE, read_ascii, rig_record
from tests.export_plans import write_plan_dir
from tests.rig_files import FIXTURES, write_workspace

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "phases" / "contracts" / "schemas" / "rig_patch.json").read_text())


def cueflow(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, env=env, timeout=120)


def _plan_for_workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A plan made for a QLC+ workspace, with its record written the way the pipeline writes it."""
    rig_file = write_workspace(tmp_path)
    cue = LightingInstruction(
        scene_id="scene_001",
        cue_number=1,
        label="Warm wash",
        called_on=CueTrigger(kind="scene_start"),
        time_window=TimeWindow(start=0, end=30),
        groups=[GroupInstruction(group_id="foh_wash", parameters=GroupParameters(intensity=0.6, color="bastard_amber"))],
    )
    plan_dir = write_plan_dir(tmp_path / "plan", [], [cue])
    (plan_dir / RIG_PATCH_FILE).write_text(rig_record(rig_file).model_dump_json(indent=2))
    return plan_dir, rig_file


def test_the_record_names_the_file_its_fingerprint_and_its_patch(tmp_path: Path) -> None:
    plan_dir, rig_file = _plan_for_workspace(tmp_path)
    data = json.loads((plan_dir / RIG_PATCH_FILE).read_text())
    jsonschema.validate(data, SCHEMA)  # the contract's own JSON Schema
    record = RigPatch.model_validate(data)
    assert record.rig_file == str(rig_file.resolve()) and record.kind == "QLC+ workspace"
    assert record.fingerprint == "sha256:" + hashlib.sha256(rig_file.read_bytes()).hexdigest()
    # The workspace's own names, addresses from 1, and channel counts (a dimmer pack: each head its own channel);
    # channels as `rig check` numbers them.
    expected = []
    for name, _, _, _, universe, address, channels in FIXTURES:
        if name == "Dimmer pack":
            expected += [(f"{name} / {n + 1}", universe + 1, address + 1 + n, 1) for n in range(channels)]
        else:
            expected.append((name, universe + 1, address + 1, channels))
    assert [(p.name, p.universe, p.address, p.footprint) for p in record.patch] == expected
    check = cueflow("rig", "check", str(rig_file))
    assert check.returncode == 0, check.stderr
    rows = [r for r in check.stdout.splitlines() if r[:4].strip().isdigit()]
    assert [(int(r[:4]), r[6:36].strip()) for r in rows] == [(p.channel, p.name) for p in record.patch]


def test_export_and_play_use_the_recorded_rig(tmp_path: Path) -> None:
    plan_dir, _ = _plan_for_workspace(tmp_path)
    done = cueflow("export", str(plan_dir), "--format", "ascii", "--out", str(tmp_path / "eos"))
    assert done.returncode == 0 and "note" not in done.stderr, done.stderr
    assert read_ascii((tmp_path / "eos" / "cues.asc").read_text()).cues[0].levels == {1: 60, 2: 60}  # the workspace's pars
    frames = tmp_path / "frames.jsonl"
    done = cueflow("play", str(plan_dir), "--dry-run", str(frames), "--dmx-speed", "100")
    assert done.returncode == 0, done.stderr
    assert frames.stat().st_size > 0


def test_a_changed_or_missing_rig_is_one_line_and_exit_2(tmp_path: Path) -> None:
    plan_dir, rig_file = _plan_for_workspace(tmp_path)
    rig_file.write_text(rig_file.read_text().replace("<Address>8</Address>", "<Address>100</Address>"))
    export = ["export", str(plan_dir), "--out", str(tmp_path / "out")]
    for args in (export, ["play", str(plan_dir), "--dry-run", str(tmp_path / "f")]):
        done = cueflow(*args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert str(rig_file.resolve()) in lines[0] and "has changed since the plan was made" in lines[0]
    assert not (tmp_path / "out").exists() and not (tmp_path / "f").exists()
    # An explicit --rig overrides the record, and says what differs.
    done = cueflow("export", str(plan_dir), "--rig", str(rig_file), "--format", "ascii", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    note = done.stderr.splitlines()[0]
    assert note.startswith("cueflow: note: ") and "foh_par_r moved 1.9 -> 1.101" in note
    rig_file.unlink()
    done = cueflow("export", str(plan_dir), "--out", str(tmp_path / "again"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "the rig this plan was made for is missing" in done.stderr


def test_a_plan_without_a_record_uses_the_bundled_rig(tmp_path: Path) -> None:
    from tests.export_plans import show

    plan_dir = write_plan_dir(tmp_path / "plan", *show(6))
    done = cueflow("export", str(plan_dir), "--format", "ascii")
    assert done.returncode == 0 and done.stderr.count("\n") == 1, done.stderr
