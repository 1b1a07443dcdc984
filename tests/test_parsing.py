import io

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phases.parsing import ParseError, ParseOptions, parse_file, parse_text

from .conftest import EXAMPLE, PLAYS


@pytest.mark.parametrize(("play", "count"), [("macbeth.txt", 26), ("tempest.txt", 9), ("julius_caesar.txt", 18)])
def test_play_scene_counts_match_the_texts_headings(shared_data, play, count):
    parsed = parse_file(PLAYS / play)
    assert parsed.script_type == "raw_drama" and parsed.reader == "play"
    assert len(parsed.scenes) == count
    assert [s.scene_id for s in parsed.scenes] == [f"scene_{i:03d}" for i in range(1, count + 1)]


def test_macbeth_headings_locations_and_cues(macbeth):
    scenes = parse_file(macbeth).scenes
    first = scenes[0]
    assert first.location == "An open Place"
    assert "Thunder and Lightning." in first.explicit_lighting
    assert first.characters[:3] == ["FIRST WITCH", "SECOND WITCH", "THIRD WITCH"]
    assert "LADY MACBETH" not in first.characters  # the cast list is front matter, not dialogue
    assert scenes[5].location == "Inverness. Before the Castle"  # "The same." resolved
    assert any("torch" in c for c in scenes[7].explicit_lighting)
    assert not any("thunder" in c.lower() for c in scenes[1].explicit_lighting)  # spoken words are not cues


def test_dialogue_never_becomes_a_cue(tmp_path):
    text = "SCENE I. A heath.\n\nFIRST WITCH.\nWhen shall we three meet again\nIn thunder, lightning, or in rain?\n"
    scene = parse_text(text).scenes[0]
    assert scene.explicit_lighting == []
    assert scene.dialogue[0].character == "FIRST WITCH"


def test_fountain_through_screenplain(shared_data):
    parsed = parse_file(shared_data / "scripts" / "fountain" / "ascent_to_guru_peak.fountain")
    assert parsed.reader == "fountain" and len(parsed.scenes) == 7
    assert parsed.scenes[0].location == "MOUNT GURU FOOTHILLS" and parsed.scenes[0].time_of_day == "day"
    peak, black = parsed.scenes[-2:]
    assert peak.time_of_day == "dusk" and "CUT TO BLACK:" not in peak.explicit_lighting  # NIGHT: "It is early twilight."
    # The dialogue after "> CUT TO BLACK:" plays in the dark: the black is its own cue, not the peak's look.
    assert black.heading == "CUT TO BLACK:" and black.explicit_lighting == ["CUT TO BLACK:"]
    assert "Oh, okay, I get it." in black.text
    assert "YORBLEF" in parsed.scenes[0].characters


def test_cue_sheet_csv(shared_data):
    parsed = parse_file(shared_data / "cues" / "show-cues.csv")
    assert parsed.script_type == "cue_sheet"
    assert len(parsed.scenes) == 63
    second = parsed.scenes[1]
    assert second.heading == "LFX2" and "BLACKOUT" in second.explicit_lighting and "FADE IN SLOW" in second.explicit_lighting


def test_run_sheet_times_are_relative_to_the_first_slot():
    text = "09:00 AM Doors open and registration\n09:30 AM Welcome keynote\n10:15 AM Panel discussion\n11:00 AM Coffee break\n"
    parsed = parse_text(text)
    assert parsed.script_type == "event_schedule"
    assert [(s.time_window.start, s.time_window.end) for s in parsed.scenes[:3]] == [(0, 1800), (1800, 4500), (4500, 7200)]


def test_timestamped_script_uses_its_times():
    text = "[00:00:00] A quiet street at night.\n[00:01:30] Thunder and lightning; the door bursts open.\n[00:03:00] Blackout.\n"
    parsed = parse_text(text)
    assert parsed.script_type == "timestamped_drama"
    assert [s.time_window.start for s in parsed.scenes] == [0, 90, 180]
    assert parsed.scenes[1].explicit_lighting == ["Thunder and lightning; the door bursts open."]


def test_ordinary_words_do_not_decide_the_type():
    prose = (
        "The program of the event was long. Every act of kindness counts, said the host, and the scene "
        "outside was calm. Then the event ended and we went home.\n"
    ) * 5
    parsed = parse_text(prose)
    assert parsed.reader == "prose" and parsed.confidence <= 0.3 and len(parsed.scenes) == 1


def test_docx_run_sheet_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("Annual Awards Evening")
    table = document.add_table(rows=3, cols=2)
    for row, (time, item) in zip(
        table.rows,
        [("7:00 PM", "Doors and drinks reception"), ("7:45 PM", "Welcome speech"), ("8:00 PM", "Awards ceremony")],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = time, item
    path = tmp_path / "runsheet.docx"
    document.save(path)
    parsed = parse_file(path)
    assert parsed.script_type == "event_schedule" and len(parsed.scenes) == 3
    assert [s.time_window.start for s in parsed.scenes] == [0, 2700, 3600]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"caf\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_bad_text_files_raise_parse_error(tmp_path, data, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ParseError, match=message):
        parse_file(path)


def test_cp1252_text_falls_back_cleanly(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("SCENE I. A caf\u00e9.\n\nJOHN.\nCaf\u00e9 cr\u00e8me \u2013 please.\n".encode("cp1252"))
    assert "\u2013" in parse_file(path).scenes[0].text


def test_size_limit_is_configurable(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    with pytest.raises(ParseError, match="over the 100-byte limit"):
        parse_file(path, ParseOptions(max_bytes=100))


def test_encrypted_and_corrupt_documents(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    (tmp_path / "locked.pdf").write_bytes(buffer.getvalue())
    with pytest.raises(ParseError, match="encrypted"):
        parse_file(tmp_path / "locked.pdf")
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(ParseError, match="docx"):
        parse_file(tmp_path / "bad.docx")


def test_example_play(tmp_path):
    parsed = parse_file(EXAMPLE)
    assert len(parsed.scenes) == 7
    storm, blackout = parsed.scenes[2:4]
    assert "Thunder and lightning." in storm.explicit_lighting and "Blackout." not in storm.explicit_lighting
    assert blackout.heading == "Blackout." and blackout.explicit_lighting == ["Blackout."]
    assert parsed.scenes[-1].explicit_lighting == ["The lights fade slowly to black."]
    assert parsed.scenes[0].time_of_day == "dusk"


def _windows_ok(parsed):
    previous_end = 0.0
    for scene in parsed.scenes:
        assert scene.time_window.start >= previous_end
        assert scene.time_window.end - scene.time_window.start >= 10 - 1e-6  # seconds, rounded to ms
        previous_end = scene.time_window.end


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text_raises_nothing_but_parse_error(text):
    try:
        parsed = parse_text(text)
    except ParseError:
        return
    _windows_ok(parsed)


_LINES = st.sampled_from(
    [
        "ACT I.",
        "SCENE II. A room.",
        "Scene 3",
        "INT. KITCHEN - NIGHT",
        "EXT. FIELD -- DAY",
        "[Thunder and lightning.]",
        "MACBETH.",
        "So foul and fair a day.",
        "09:00 AM Keynote",
        "[00:01:30] Storm",
        "FADE OUT.",
        "",
        "  ",
        "PROLOGUE",
        "EPILOGUE",
        "Blackout.",
        "(Lights fade.)",
        "JOHN",
        "Hello there.",
        "Actus Primus. Scoena Prima.",
        "Scena Secunda.",
        "  Ham. To be, or not to be",
        "Ham.",
        "Enter Ghost.",
        "Thunder.",
        "CHORUS.",
        "THESEUS",
        "00:00:01,000 --> 00:00:04,000",
        "ANNA: Where is everyone?",
        "CUT TO:",
        "                    MARA (CONT'D)",
        "Time,Cue,Label",
        "9:30 PM | Awards | Main Hall",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_LINES, st.text(max_size=40)), min_size=1, max_size=60))
def test_scenes_cover_the_text_in_order(lines):
    text = "\n".join(lines)
    try:
        parsed = parse_text(text)
    except ParseError:
        return
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    import unicodedata

    normalised = unicodedata.normalize("NFC", normalised).replace("\x00", "")
    assert "".join(s.text for s in parsed.scenes) == normalised
    cursor = 0
    for scene in parsed.scenes:
        assert scene.source is not None and scene.source.start_char == cursor
        cursor = scene.source.end_char
    assert cursor == len(normalised)
    _windows_ok(parsed)
