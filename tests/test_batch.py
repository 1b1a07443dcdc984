import shutil

import pytest

from flows import run_batch, run_directory
from flows.batch import list_scripts
from flows.outputs import output_folder

from .conftest import EXAMPLE

pytestmark = pytest.mark.prefect


def test_one_bad_script_does_not_stop_the_others(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / "a_play.txt")
    (inbox / "b_empty.txt").write_text("")
    shutil.copy(EXAMPLE, inbox / "c_play.txt")
    (inbox / ".hidden.txt").write_text("ignored")
    (inbox / "notes.md").write_text("ignored")
    assert [p.name for p in list_scripts(inbox)] == ["a_play.txt", "b_empty.txt", "c_play.txt"]
    summary = run_directory(inbox, tmp_path / "out")
    assert (summary.total, summary.succeeded, summary.failed) == (3, 2, 1)
    bad = next(i for i in summary.items if not i.success)
    assert bad.script.endswith("b_empty.txt") and "empty" in bad.error
    for name in ("a_play.txt", "c_play.txt"):
        assert (output_folder(tmp_path / "out", inbox / name) / "lighting_instructions.json").exists()


def test_run_batch_takes_explicit_paths(tmp_path):
    summary = run_batch([EXAMPLE, tmp_path / "missing.txt"], tmp_path / "out")
    assert [i.success for i in summary.items] == [True, False]
    assert "no such file" in summary.items[1].error
