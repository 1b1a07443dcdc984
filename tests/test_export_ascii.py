"""USITT ASCII 3.0 export: the file obeys the keywords and line rules, and a cue list survives the round trip."""

import re
from pathlib import Path

import pytest

from phases.export import AsciiFormatError, console_show, load_plan, read_ascii
from phases.export.ascii_spec import ascii_spec
from phases.export.usitt_ascii import write_ascii
from tests.export_plans import show, write_plan_dir

ANOTHER_CONSOLE = """\
! written by hand, the way other consoles write it
IDENT 3:0
MANUFACTURER Strand
CONSOLE 520i
CLEAR CUES
CUE 1
TEXT House to half
UP 1:30 2
DOWN 10
CHAN 1/FL 2/H80 3,50
$$OTHER private data a reader may skip
CUE 2.5
PART 1
UP 3
CHAN 4@10
PART 2
UP 5 1
CHAN 5@20
FOLLOWON 4
LINK 7
GROUP 3
CHAN 1 100
ENDDATA
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, object]:
    plan_dir = write_plan_dir(tmp_path_factory.mktemp("ascii") / "plan", *show(40))
    cues = console_show(load_plan(plan_dir))
    return write_ascii(cues), cues


def test_every_line_follows_the_rules(exported: tuple[str, object]) -> None:
    text, _ = exported
    spec = ascii_spec()
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    keywords = {k.upper() for k in [*spec.general, *spec.primary, *(k for ks in spec.secondary.values() for k in ks)]}
    data = [line for line in lines if line.strip() and not line.startswith("!")]
    assert data[0] == "Ident 3:0" and data[-1] == "EndData"
    for line in lines:
        assert len(line) <= 80, line
        assert all(32 <= ord(ch) < 127 for ch in line), line
        if line.strip() and not line.startswith("!"):
            assert line.split()[0].upper() in keywords, line
    assert any(line.startswith("Chan ") and "@" in line for line in lines)
    read_ascii(text)  # the strict reader accepts it


def test_a_cue_list_round_trips(exported: tuple[str, object]) -> None:
    text, show_ = exported
    back = read_ascii(text)
    cues = show_.cues  # type: ignore[attr-defined]
    assert [c.number for c in back.cues] == [c.number for c in cues]
    assert any(c.number % 1 == 0.5 for c in back.cues)  # point cues
    assert [c.label for c in back.cues] == [c.label for c in cues]
    assert [(c.up_time, c.up_delay, c.down_time, c.down_delay) for c in back.cues] == [
        (c.up_time, c.up_delay, c.down_time, c.down_delay) for c in cues
    ]
    assert any(c.up_delay for c in back.cues)
    # A follow is Followon on the cue before it: the wait after that cue's GO.
    follows = [None] + [c.followon for c in back.cues[:-1]]
    assert follows == [c.follow_wait for c in cues]
    assert any(f is not None for f in follows)
    for read, cue in zip(back.cues, cues, strict=True):
        assert {ch: lv for ch, lv in read.all_levels().items() if lv} == {ch: lv for ch, lv in cue.levels.items() if lv}
        # Groups on their own time come back as parts: the same times, delays and channels.
        assert [(p.number, p.up_time, p.up_delay, p.down_time, p.down_delay) for p in read.parts] == [
            (p.number, p.time, p.delay, p.time, p.delay) for p in cue.parts
        ]
        for part, mine in zip(read.parts, cue.parts, strict=True):
            assert set(part.levels) <= set(mine.channels)
    assert any(c.parts for c in back.cues) and any(not c.parts for c in back.cues)
    delayed = next(c for c in back.cues if c.number == 11)  # the cyc 2 s late
    assert (delayed.parts[-1].up_time, delayed.parts[-1].up_delay) == (5.5, 2.0)


def test_levels_come_from_intent_overrides_and_caps(exported: tuple[str, object]) -> None:
    _, show_ = exported
    by_number = {c.number: c for c in show_.cues}  # type: ignore[attr-defined]
    line = by_number[10.5].levels  # front wash 80 %, DSL pair isolated at 30 %, fw_dc_cool at 55 %
    assert (line[1], line[2], line[3], line[4], line[5], line[6]) == (30, 30, 80, 55, 80, 80)
    preset = by_number[0.5].levels  # ambient 40 %: cyc and house floods; everything else dark
    assert all(preset[ch] == 40 for ch in range(18, 25)) and all(preset[ch] == 0 for ch in range(1, 18))


def test_the_reader_reads_another_consoles_file() -> None:
    read = read_ascii(ANOTHER_CONSOLE)
    first, second = read.cues
    assert (read.manufacturer, read.console) == ("Strand", "520i")
    assert (first.number, first.label, first.up_time, first.up_delay, first.down_time) == (1.0, "House to half", 90.0, 2.0, 10.0)
    assert first.levels == {1: 100, 2: 50, 3: 50}
    assert (second.number, second.followon, second.link) == (2.5, 4.0, 7.0)
    assert [(p.number, p.up_time, p.up_delay, p.levels) for p in second.parts] == [(1, 3.0, 0.0, {4: 10}), (2, 5.0, 1.0, {5: 20})]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ident 3:0\nCue 1\nChan 1@50\n", "no EndData"),
        ("Cue 1\nChan 1@50\nEndData\n", "no Ident"),
        ("Ident 3:0\nCue 1\nChan 1@101\nEndData\n", "line 3: level '101'"),
        ("Ident 3:0\nChan 1@50\nEndData\n", "line 2: 'Chan' cannot follow"),
        ("Ident 3:0\nCue 1\nBogus 3\nEndData\n", "line 3: 'Bogus' cannot follow Cue"),
        ("Ident 3:0\nCue 1\nUp 1:75\nEndData\n", "line 3: seconds past 59"),
        ("Ident 3:0\nCue 1\nCue 1\nEndData\n", "line 3: cue 1 appears twice"),
        ("Ident 3:0\nCue 1.2345\nEndData\n", "line 2: bad cue number"),
        ("Ident 3:0\nCue 1\nChan 1@50 2\nEndData\n", "line 3: channel/level pairs"),
        ("Ident 3:0\nCue 1\nText " + "x" * 80 + "\nEndData\n", "line 3: 85 characters"),
        ("Ident 3:0\nCue 1\nText caf\u00e9\nEndData\n", "line 3: a character that is not printable ASCII"),
        ("Ident 3:0\nEndData\nCue 1\n", "line 3: data after EndData"),
        ("Manufacturer x\nIdent 3:0\nEndData\n", "line 2: Ident must come first"),
        ("Ident 2:0\nEndData\n", "line 1: Ident"),
    ],
)
def test_the_reader_refuses_what_breaks_a_rule(text: str, message: str) -> None:
    with pytest.raises(AsciiFormatError, match=message.replace("(", r"\(")):
        read_ascii(text)


def test_labels_become_plain_ascii(tmp_path: Path) -> None:
    scenes, cues = show(6)
    cues[1] = cues[1].model_copy(update={"label": "Ophélie's entrance,\tcafé " + "é" * 30})
    text = write_ascii(console_show(load_plan(write_plan_dir(tmp_path / "plan", scenes, cues))))
    assert read_ascii(text).cues[1].label == "Ophelie's entrance; cafe " + "e" * 30  # a comma is a delimiter


DELIMITERS = " \t,/<=>@"


def spec_reading(text: str) -> tuple[dict[float, str], dict[int, list[tuple[int, str]]]]:
    """A second, independent reading by the standard's own rules (not phases/export's reader): a line is cut at
    "!" (a comment), split on any run of delimiters, and Text is its values joined by single spaces. Returns each
    cue's Text and the patch: channel -> [(DMX output, level)]."""
    labels: dict[float, str] = {}
    patch: dict[int, list[tuple[int, str]]] = {}
    cue = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.split("!", 1)[0]
        tokens = [t for t in re.split("[" + re.escape(DELIMITERS) + "]+", line) if t]
        if not tokens:
            continue
        keyword = tokens[0].lower()
        if keyword == "cue":
            cue = float(tokens[1])
        elif keyword == "text" and cue is not None:
            labels[cue] = " ".join(tokens[1:])
        elif keyword == "patch":
            values = tokens[2:]
            for channel, output, level in zip(values[::3], values[1::3], values[2::3], strict=True):
                patch.setdefault(int(channel), []).append((int(output), level))
        elif keyword in ("group", "sub", "enddata"):
            cue = None
    return labels, patch


def test_the_patch_maps_every_channel_to_its_dmx_address(tmp_path: Path) -> None:
    """Patch records, read by the project's reader and by the standard's rules, for a QLC+ workspace rig."""
    from phases.export import rig_record
    from tests.rig_files import write_workspace

    rig_file = write_workspace(tmp_path)
    scenes, cues = [], []
    record = rig_record(rig_file)
    from phases.contracts import CueTrigger, GroupInstruction, GroupParameters, LightingInstruction, TimeWindow

    cues = [
        LightingInstruction(
            scene_id="scene_001", cue_number=1, label="Storm! Lights up, fast/bright <now> = 100% @ full",
            called_on=CueTrigger(kind="scene_start"), time_window=TimeWindow(start=0, end=10),
            groups=[GroupInstruction(group_id="foh_wash", parameters=GroupParameters(intensity=0.5, color="straw"))],
        )
    ]  # fmt: skip
    text = write_ascii(console_show(load_plan(write_plan_dir(tmp_path / "plan", scenes, cues), rig_file)))
    expected = {p.channel: [((p.universe - 1) * 512 + p.address, 100)] for p in record.patch}
    assert read_ascii(text).patch == expected
    labels, patch = spec_reading(text)
    assert {ch: [(out, 100 if lv == "FL" else int(lv)) for out, lv in outs] for ch, outs in patch.items()} == expected
    # The label whole in both readings: its words all there, no delimiter lost, no "!" starting a comment.
    assert labels[1.0] == read_ascii(text).cues[0].label == "Storm. Lights up; fast-bright (now) - 100% at full"


def test_no_label_is_cut_by_a_reader(exported: tuple[str, object]) -> None:
    text, show_ = exported
    labels, _ = spec_reading(text)
    ours = {c.number: c.label for c in read_ascii(text).cues}
    assert labels == ours
    for cue in show_.cues:  # type: ignore[attr-defined]
        words = re.findall(r"[A-Za-z0-9']+", cue.label)
        assert re.findall(r"[A-Za-z0-9']+", labels[cue.number])[: len(words)] == words, cue.label
