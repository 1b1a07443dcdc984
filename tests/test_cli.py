"""The `cueflow` command as a user meets it: bad input is one line and exit 2; a good run writes five files."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLE, ROOT

CUEFLOW = [sys.executable, "-m", "flows.cli"]


def cueflow(*args, cwd=ROOT, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*CUEFLOW, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def _bad(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n   ", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type .png"),
        ("undecodable.txt", b"SCENE 1\nCaf\x81\x8d\x8f\x90\x9d text\n", "neither UTF-8 nor Windows-1252"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "PDF is damaged"),
        ("notzip.docx", b"plain words, not a zip", "not a zip"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, name, data, message):
    proc = cueflow("run", str(_bad(tmp_path, name, data)), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cueflow: error: ") and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_missing_file_is_exit_2(tmp_path):
    proc = cueflow("run", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_usage_errors_are_exit_2(tmp_path):
    assert cueflow("run", str(EXAMPLE)).returncode == 2  # --out is required
    assert cueflow("dance").returncode == 2
    proc = cueflow("batch", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "not a directory" in proc.stderr


@pytest.mark.prefect
def test_run_writes_all_five_outputs_and_a_summary(tmp_path):
    out = tmp_path / "demo"
    proc = cueflow("run", str(EXAMPLE), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "cue_sheet.csv",
        "cue_sheet.html",
        "cues.asc",
        "lighting_instructions.json",
        "preview.html",
        "report.json",
        "result.json",
        "rig_patch.json",
        "scenes.json",
        "show.qxw",
        "timeline.png",
    ]
    assert "cueflow: 7 scenes (raw_drama" in proc.stderr
    assert "start-up" in proc.stderr and "phase work" in proc.stderr and "+ exit " in proc.stderr
    assert "8 dmx" in proc.stderr
    result = json.loads((out / "result.json").read_text())
    assert result["success"] is True
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
