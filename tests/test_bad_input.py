"""Issue 16, bad input: each refused by Phase 1 through the real CLI with one short line and exit 2.

These end on the CLI's fail-fast path (Phase 1 runs before Prefect starts), and Phase 1 inside the flow calls
the same parser, so deployments refuse them with the same line.
"""

import zipfile
from pathlib import Path

import pytest

from .test_cli import cueflow

SCENE_JSON = '[{"text": "The stage is bare. HAMLET enters.", %s}]'


def _docx_bomb(path: Path, megabytes: int) -> Path:
    """A real Word package whose document.xml inflates to `megabytes` MB (streamed: the test stays small)."""
    import docx

    small = path.with_name("small.docx")
    document = docx.Document()
    document.add_paragraph("SCENE 1")
    document.save(small)
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info, source.read(info))
                continue
            with bomb.open("word/document.xml", "w") as part:
                part.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">')
                part.write(b"<w:body><w:p><w:r><w:t>")
                chunk = b"a" * (1 << 20)
                for _ in range(megabytes):
                    part.write(chunk)
                part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


CASES = {
    "end_1e308.json": (SCENE_JSON % '"start": 0, "end": 1e308').encode(),
    "end_nan.json": (SCENE_JSON % '"start": NaN, "end": 5').encode(),
    "end_infinity.json": (SCENE_JSON % '"start": 0, "end": Infinity').encode(),
    "window_string_nan.json": (SCENE_JSON % '"time_window": {"start": "0", "end": "nan"}').encode(),
    "nested.json": b"[" * 10_000 + b"]" * 10_000,
    "time_window_abc.json": (SCENE_JSON % '"time_window": "abc"').encode(),
    "heading_123.json": (SCENE_JSON % '"heading": 123').encode(),
    "location_list.json": (SCENE_JSON % '"location": ["a"]').encode(),
    "one_line_5mb.txt": b"x" * 5_000_000,
    "no_headings_700kb.txt": b"The wind howls. A figure waits by the door and says nothing at all.\n" * 10_500,
    "5000_scenes.txt": "".join(f"SCENE {i}\n\nHAMLET. Hello.\n\n" for i in range(1, 5001)).encode(),
}
EXPECTED = {
    "end_1e308.json": "invalid start or end time",
    "end_nan.json": "NaN is not a number",
    "end_infinity.json": "Infinity is not a number",
    "window_string_nan.json": "invalid start or end time",
    "nested.json": "nested too deeply",
    "time_window_abc.json": "time_window must be an object",
    "heading_123.json": "heading must be a string",
    "location_list.json": "location must be a string",
    "one_line_5mb.txt": "over the 163,840-byte limit per scene",
    "no_headings_700kb.txt": "over the 163,840-byte limit per scene",
    "5000_scenes.txt": "5,000 scenes is over the limit of 1,000",
}


def _assert_one_line(proc, expected: str) -> None:
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("cueflow: error: ") and expected in lines[0], lines[0]
    assert len(lines[0]) <= 420, len(lines[0])  # never the input echoed back
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_in_one_short_line(tmp_path: Path, name: str) -> None:
    script = tmp_path / name
    script.write_bytes(CASES[name])
    proc = cueflow("run", str(script), "--out", str(tmp_path / "out"), timeout=120)
    _assert_one_line(proc, EXPECTED[name])
    assert not (tmp_path / "out").exists()


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = _docx_bomb(tmp_path / "bomb.docx", megabytes=100)
    assert bomb.stat().st_size < 1_000_000  # small on disk, 100 MB inside
    proc = cueflow("run", str(bomb), "--out", str(tmp_path / "out"), timeout=120)
    _assert_one_line(proc, "zip bomb")


def test_a_real_docx_still_reads(tmp_path: Path) -> None:
    from phases.parsing import parse_file

    _docx_bomb(tmp_path / "tiny.docx", megabytes=0)
    assert parse_file(tmp_path / "small.docx").scenes  # the untouched package the bomb was made from


def test_error_about_a_huge_value_is_clipped(tmp_path: Path) -> None:
    # A 1 MB unknown field name: the message names it, clipped.
    script = tmp_path / "field.json"
    script.write_text('[{"text": "words", "%s": 1}]' % ("k" * 1_000_000))
    proc = cueflow("run", str(script), "--out", str(tmp_path / "out"))
    _assert_one_line(proc, "unknown field")


@pytest.mark.parametrize("end", [1e308, float("nan"), float("inf")])
def test_cueflow_play_refuses_a_plan_with_absurd_times(tmp_path: Path, end: float) -> None:
    import json

    from tests.hardware_plans import two_cue_fade_plan

    plan = [c.model_dump(mode="json") for c in two_cue_fade_plan()]
    plan[1]["time_window"]["end"] = end
    (tmp_path / "lighting_instructions.json").write_text(json.dumps(plan))  # NaN/Infinity as Python writes them
    proc = cueflow("play", str(tmp_path), "--dry-run", str(tmp_path / "frames.jsonl"), timeout=120)
    # NaN and Infinity are not JSON: refused as the file is read, naming them; a huge number, by the contract.
    _assert_one_line(proc, "time_window.end" if end == 1e308 else f"{json.dumps(end)} is not a number")
    assert not (tmp_path / "frames.jsonl").exists()
