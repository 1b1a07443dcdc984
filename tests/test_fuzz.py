"""Issue 16's fuzz test (hypothesis) over scripts, cue-sheet JSON and deployment parameters.

Asserted for every example:
- Phase 1 (what the CLI runs before Prefect, and what the flow runs first) either reads the input or refuses it
  with one ParseError line of bounded length: never another exception, never a hang;
- deployment parameters give a PipelineConfig or one ParameterError line that starts with the parameter's name;
- through the real CLI: exit 0, 1 or 2, one line on stderr when it fails, no traceback without --debug, and the
  output folder holds the old run or the new one, whole.

Bounded for 2 cores: hundreds of in-process examples (milliseconds each), a few dozen CLI calls that end on the
fail-fast path, and three full runs through ephemeral Prefect. The counts are printed for the report's table.
"""

import json
import math
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from flows.entrypoints import ParameterError, _config, confine
from phases.parsing import ParseError, parse_file, parse_text

from .test_cli import cueflow

MAX_ERROR = 420
# No shrinking: a failure prints its example as found; shrinking one once took five minutes on these cores.
_BOUNDED = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None, "phases": [Phase.generate]}
FAST = settings(max_examples=250, **_BOUNDED)
CLI = settings(max_examples=25, **_BOUNDED)

HEADINGS = ["ACT I.", "SCENE I. A heath.", "INT. KITCHEN - NIGHT", "EXT. CASTLE - DAWN", "[00:01:02]", "9:00 AM Keynote"]
DIRECTIONS = ["Thunder and lightning.", "Blackout.", "Lights fade up.", "Enter MACBETH.", "CUT TO BLACK.", "Spot on HAMLET."]
SPEECH = ["HAMLET. To be, or not to be.", "LADY MACBETH: Out, damned spot!", "  Who's there?", "BOB\nHello."]
NASTY = ["\x00", "\ud7ff", "\u202e", "\r\n", "\t", "{" * 50, "]" * 50, "NaN", "1e308", "-0", "\ufeff", "x" * 2000]

line = st.one_of(
    st.sampled_from(HEADINGS + DIRECTIONS + SPEECH + NASTY),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=80),
    st.text(alphabet=string.printable, max_size=200),
)
script_text = st.lists(line, min_size=0, max_size=60).map("\n".join)

number = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 604800, 604801, 1e308, -1]),
)
json_leaf = st.one_of(st.none(), st.booleans(), number, st.text(max_size=30), st.sampled_from(["00:01:00", "abc", "nan"]))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)
SCENE_KEYS = ("scene_id", "heading", "title", "location", "time_of_day", "start", "end", "time_window")
OPTION_KEYS = ["use_llm", "llm_base_url", "dask_address", "dask_workers", "genre", "scene_concurrency", "dmx_speed"]
scene_obj = st.fixed_dictionaries(
    {"text": st.one_of(st.text(max_size=60), json_value)},
    optional={key: json_value for key in (*SCENE_KEYS, "explicit_lighting", "script_type", "characters")},
)
cue_sheet = st.one_of(
    st.lists(scene_obj, max_size=5),
    st.fixed_dictionaries({"scenes": st.lists(scene_obj, max_size=5)}),
    json_value,
)


def _one_short_line(message: str) -> None:
    assert "\n" not in message and 0 < len(message) <= MAX_ERROR, repr(message[:200])


def _parse_or_refuse(text: str, kind: str) -> str:
    try:
        parse_text(text, name=f"fuzz.{kind}", kind=kind)
    except ParseError as exc:
        _one_short_line(str(exc))
        return "refused"
    return "read"


@FAST
@given(text=script_text, kind=st.sampled_from(["txt", "fountain", "csv"]))
def test_fuzzed_scripts_are_read_or_refused_in_one_line(text, kind):
    _parse_or_refuse(text, kind)


@FAST
@given(sheet=cue_sheet)
def test_fuzzed_cue_sheet_json_is_read_or_refused_in_one_line(sheet):
    text = json.dumps(sheet, allow_nan=True)  # NaN and Infinity as Python writes them: not JSON, but seen in files
    if _parse_or_refuse(text, "json") == "read":
        # What was read holds only finite times within the contract's week: nothing left for Phase 5 to choke on.
        scenes = parse_text(text, name="fuzz.json", kind="json").scenes
        assert all(math.isfinite(s.time_window.end) and s.time_window.end <= 604800 for s in scenes)


PARAMETER_NAMES = ("config", "enable_phase_8", "script_path", "output_dir")


@FAST
@given(
    options=st.one_of(
        json_value,
        st.dictionaries(st.sampled_from([*OPTION_KEYS, "enable_phase_2", "rig", "x"]), json_value, max_size=4),
    ),
    gate=json_value,
)
def test_fuzzed_deployment_parameters_give_a_config_or_one_line_naming_the_parameter(tmp_path_factory, options, gate):
    out = tmp_path_factory.getbasetemp() / "out"
    try:
        config = _config(options, out, gate, None)
    except ParameterError as exc:
        _one_short_line(str(exc))
        assert str(exc).startswith(PARAMETER_NAMES), str(exc)
        return
    assert config.enable_phase_8 is gate  # only a JSON boolean opens the gate
    assert config.llm_base_url is None and config.dask_workers <= 8  # never the caller's endpoint


@FAST
@given(
    value=st.one_of(
        json_value, st.text(max_size=300), st.sampled_from(["../..", "/etc/passwd", "a/../../b", "x" * 300, "~root", "\x00"])
    )
)
def test_fuzzed_paths_are_confined_or_refused_naming_the_parameter(tmp_path_factory, value):
    root = tmp_path_factory.getbasetemp().resolve()
    try:
        path = confine("script_path", value, [root])
    except ParameterError as exc:
        _one_short_line(str(exc))
        assert str(exc).startswith("script_path: ")
        return
    assert path.is_relative_to(root)


def _assert_cli_outcome(proc, out: Path, before: dict[str, bytes] | None) -> None:
    assert proc.returncode in (0, 1, 2), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    if proc.returncode:
        errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("cueflow: error: ")]
        assert len(errors) == 1, proc.stderr[-2000:]
        _one_short_line(errors[0])
    if proc.returncode == 2 or not out.exists() or not (out / "result.json").exists():
        # Refused before anything ran, or died before publishing: the folder is the old run, untouched.
        assert _snapshot(out) == (before or {}), "a refused or unfinished run changed the output folder"
        return
    result = json.loads((out / "result.json").read_text())
    files = set((result.get("final_output") or {}).get("files", {}).values())
    present = {str(p) for p in out.iterdir() if p.is_file()}
    assert {Path(f).name for f in files} <= {Path(p).name for p in present}, "result.json lists a file that is not there"
    if before and _snapshot(out) != before:
        # The new run: nothing of the old one is left beside it unless the new run wrote it too.
        assert {Path(p).name for p in present} <= {Path(f).name for f in files} | {"result.json"}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()} if folder.is_dir() else {}


@pytest.fixture(scope="module")
def counts():
    tally = {"cli": 0, "exit": {0: 0, 1: 0, 2: 0}}
    yield tally
    print(f"\nfuzz CLI calls: {tally['cli']}, exits {tally['exit']}")


@CLI
@given(
    data=st.one_of(
        script_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        cue_sheet.map(lambda s: json.dumps(s, allow_nan=True).encode()),
        st.binary(max_size=300),
    ),
    suffix=st.sampled_from([".txt", ".json", ".csv", ".docx", ".pdf", ".fountain"]),
)
def test_fuzzed_input_through_the_cli_fails_fast_in_one_line(tmp_path_factory, counts, data, suffix):
    folder = tmp_path_factory.mktemp("cli")
    script = folder / f"fuzz{suffix}"
    script.write_bytes(data)
    try:
        parse_file(script)  # the CLI's own reader (it decodes bytes as the CLI does: UTF-8, then Windows-1252)
        return  # inputs Phase 1 accepts are the full runs' business (below): a full run here costs seconds each
    except ParseError:
        pass
    out = folder / "out"
    proc = cueflow("run", str(script), "--out", str(out), timeout=120)
    counts["cli"] += 1
    counts["exit"][proc.returncode] = counts["exit"].get(proc.returncode, 0) + 1
    assert proc.returncode == 2, proc.stderr[-2000:]  # what Phase 1 refuses is bad input: one line, exit 2
    _assert_cli_outcome(proc, out, None)


FULL_RUNS = [
    "SCENE I. A heath.\n\nThunder and lightning. Enter three WITCHES.\n\nFIRST WITCH. When shall we three meet again?\n",
    json.dumps([{"text": "Lights up slowly.", "start": 0, "end": 30}, {"text": "Blackout.", "start": 30, "end": 31}]),
    json.dumps([{"text": "A storm.", "start": 0, "end": 1e308}]),
]


@pytest.mark.prefect
def test_full_runs_leave_the_old_run_or_the_new_one_whole(tmp_path):
    out = tmp_path / "out"
    before: dict[str, bytes] | None = None
    for index, text in enumerate(FULL_RUNS):
        script = tmp_path / f"show{index}.{'json' if text.startswith('[') else 'txt'}"
        script.write_text(text)
        proc = cueflow("run", str(script), "--out", str(out), "--no-emotion", timeout=600)
        _assert_cli_outcome(proc, out, before)
        before = _snapshot(out)
