"""Phase 1 readers on real layouts: Folio and modern play texts, plain and PDF screenplays, DOCX, timed scripts."""

import json
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from phases.parsing import ParseError, parse_file, parse_text

DATA = Path(__file__).resolve().parent / "data" / "scripts"


def _covers(parsed, text: str) -> None:
    assert "".join(s.text for s in parsed.scenes) == text
    assert [s.scene_id for s in parsed.scenes] == [f"scene_{i:03d}" for i in range(1, len(parsed.scenes) + 1)]
    previous_end = 0.0
    for scene in parsed.scenes:
        assert scene.time_window.start >= previous_end
        previous_end = scene.time_window.end


def test_first_folio_latin_headings_abbreviated_speakers_and_bare_directions():
    path = DATA / "macbeth_folio_excerpt.txt"
    parsed = parse_file(path)
    _covers(parsed, path.read_text())
    assert parsed.reader == "play" and [s.heading for s in parsed.scenes] == [
        "Actus Primus. Scoena Prima.",
        "Scena Secunda.",
    ]
    first, second = parsed.scenes
    assert first.explicit_lighting == ["Thunder and Lightning."]
    assert first.characters == ["1", "2", "3", "All"]  # the Folio names the witches by number
    assert first.dialogue[0].text == "When shall we three meet againe? In Thunder, Lightning, or in Raine?"
    assert second.characters == ["King", "Mal", "Cap"]
    assert not any("Alarum" in d.text for d in second.dialogue)  # a direction is never speech


def test_modern_text_with_abbreviated_speakers_alone_on_their_lines():
    parsed = parse_file(DATA / "hamlet_excerpt.txt")
    scene = parsed.scenes[0]
    assert scene.heading == "ACT I. Scene I. Elsinore. A platform before the Castle."
    assert scene.location == "Elsinore. A platform before the Castle"
    assert scene.characters == ["Ber", "Fran", "Hor", "Mar"]
    assert scene.dialogue[0].character == "Ber" and scene.dialogue[0].text == "Who's there?"


def test_prologues_and_choruses():
    parsed = parse_file(DATA / "henry_v_excerpt.txt")
    assert [s.heading for s in parsed.scenes] == [
        "PROLOGUE.",
        "ACT FIRST. SCENE I. London. An ante-chamber in the King's palace.",
        "ACT II. PROLOGUE.",
        "SCENE I. London. A street.",
    ]
    assert parsed.scenes[0].characters == ["CHORUS"] and parsed.scenes[2].characters == ["CHORUS"]
    assert parsed.scenes[3].location == "London. A street"


def test_a_speaking_prologue_is_a_character_not_a_heading():
    parsed = parse_file(DATA / "midsummer_excerpt.txt")
    assert len(parsed.scenes) == 1
    assert parsed.scenes[0].characters == ["HIPPOLYTA", "THESEUS", "PHILOSTRATE", "PROLOGUE"]


def test_headings_inline_on_one_line_and_multi_line_directions():
    text = (
        "Scene II. Elsinore. A room in the Castle.\n\nHAM. Speak the speech, I pray you.\n\n"
        "(Enter the Ghost, with a\ntorch, while the lights\ndim.)\n\n1. Witch.\nHail!\n"
    )
    scene = parse_text(text).scenes[0]
    assert scene.location == "Elsinore. A room in the Castle"
    assert scene.characters == ["HAM", "1. Witch"]
    assert scene.explicit_lighting == ["Enter the Ghost, with a torch, while the lights dim."]


def test_plain_screenplay_does_not_split_on_transitions_or_blackouts():
    path = DATA / "night_ferry.txt"
    parsed = parse_file(path)
    _covers(parsed, path.read_text())
    assert (parsed.script_type, parsed.reader) == ("raw_drama", "screenplay")
    assert [(s.location, s.time_of_day) for s in parsed.scenes] == [
        ("HARBOUR QUAY", "night"),
        ("FERRY SALOON", "night"),  # CONTINUOUS carries the night on
        ("FERRY DECK", "dawn"),  # LATER would carry it too, but the action says "Dawn on the horizon."
        ("FERRY DECK", "dawn"),  # the closing FADE OUT. is its own cue after the last scene
    ]
    first, second, third, closing = parsed.scenes
    assert first.explicit_lighting[0] == "FADE IN:" and "Lightning splits the sky." in first.explicit_lighting
    assert second.characters == ["TOM", "MARA"]  # (CONT'D) and (V.O.) are extensions, not names
    assert "BLACKOUT for a beat, then the emergency lamps stutter on, red." in second.explicit_lighting
    assert "FADE OUT." not in third.explicit_lighting and closing.explicit_lighting == ["FADE OUT."]
    assert first.dialogue[1].character == "DECKHAND" and first.dialogue[1].text == "Last call. Last call for Kerrera."


def _write_pdf(lines: list[str], path: Path) -> None:
    pdf = canvas.Canvas(str(path), pagesize=letter)
    y = 740
    for line in lines:
        if y < 60:
            pdf.showPage()
            y = 740
        pdf.setFont("Courier", 12)
        pdf.drawString(72, y, line)
        y -= 14
    pdf.save()


def test_pdf_screenplay_keeps_its_layout(tmp_path):
    lines = (DATA / "night_ferry.txt").read_text().split("\n")
    _write_pdf(lines * 2, tmp_path / "ferry.pdf")  # two pages and more
    parsed = parse_file(tmp_path / "ferry.pdf")
    assert parsed.reader == "screenplay" and len(parsed.scenes) == 7  # 3 + 3, and the last FADE OUT. alone
    assert parsed.scenes[1].characters == ["TOM", "MARA"]
    assert "FADE OUT." in parsed.scenes[2].explicit_lighting


def test_corrupt_pdf_and_pdf_without_text(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage")
    with pytest.raises(ParseError, match="broken.pdf"):
        parse_file(tmp_path / "broken.pdf")
    _write_pdf([], tmp_path / "blank.pdf")
    with pytest.raises(ParseError, match="no text layer"):
        parse_file(tmp_path / "blank.pdf")
    (tmp_path / "fake.pdf").write_text("not a pdf at all")
    with pytest.raises(ParseError, match="not a PDF"):
        parse_file(tmp_path / "fake.pdf")


def test_docx_play_in_paragraphs(tmp_path):
    document = docx.Document()
    document.add_heading("The Lamp", level=1)
    for paragraph in (
        "ACT I.",
        "SCENE I. A lighthouse. Night.",
        "[Lights up slowly on the lamp room.]",
        "KEEPER.",
        "The lamp is out.",
        "SCENE II. The shore.",
        "[Blackout.]",
    ):
        document.add_paragraph(paragraph)
    path = tmp_path / "lamp.docx"
    document.save(path)
    parsed = parse_file(path)
    assert parsed.reader == "play" and len(parsed.scenes) == 2
    assert parsed.scenes[0].explicit_lighting == ["Lights up slowly on the lamp room."]
    assert parsed.scenes[0].characters == ["KEEPER"] and parsed.scenes[0].time_of_day == "night"
    assert parsed.scenes[1].explicit_lighting == ["Blackout."]


def test_docx_that_is_not_a_zip(tmp_path):
    (tmp_path / "notes.docx").write_text("just text pretending to be Word")
    with pytest.raises(ParseError, match="not a zip"):
        parse_file(tmp_path / "notes.docx")


@pytest.mark.parametrize(
    ("text", "starts", "cues"),
    [
        ("00:00 House lights dim\n01:30 Spot on the singer\n04:10 Full stage wash\n", [0, 90, 250], 3),
        (
            "00:00:00 - 00:01:20 Narrator alone, spot on narrator\n00:01:20 - 00:04:00 Storm, lightning effects\n",
            [0, 80],
            2,
        ),
        ("1\n00:00:01,000 --> 00:00:04,000\nThe sea was calm.\n\n2\n00:00:20,000 --> 00:00:25,500\nStorm.\n", [1, 20], 0),
    ],
)
def test_timestamp_variants(text, starts, cues):
    parsed = parse_text(text)
    _covers(parsed, text)
    assert parsed.script_type == "timestamped_drama"
    assert [s.time_window.start for s in parsed.scenes] == starts
    assert sum(len(s.explicit_lighting) for s in parsed.scenes) == cues


def test_timestamped_speech_lines_are_dialogue():
    text = "[00:00:00] Lights up.\nANNA: Where is everyone?\n[00:00:30] Thunder.\nBEN: Here.\n(He lights a candle.)\n"
    first, second = parse_text(text).scenes
    assert first.characters == ["ANNA"] and first.dialogue[0].text == "Where is everyone?"
    assert second.explicit_lighting == ["Thunder.", "He lights a candle."]


def test_run_sheet_past_noon_and_24_hour_ranges():
    text = "Gala run sheet\n\n11:30 AM Doors open\n12:15 PM Lunch in the Grand Hall\n1:00 PM Awards, spot on lectern\n"
    parsed = parse_text(text)
    assert parsed.script_type == "event_schedule"
    assert [s.time_window.start for s in parsed.scenes] == [0, 2700, 5400]
    assert parsed.scenes[1].location == "Grand Hall"
    assert parsed.scenes[2].explicit_lighting == ["Awards, spot on lectern"]
    ranged = parse_text("09:00 - 09:30 Registration\n09:30 - 10:30 Keynote\n10:30 - 10:45 Coffee break\n")
    assert [(s.time_window.start, s.time_window.end) for s in ranged.scenes] == [(0, 1800), (1800, 5400), (5400, 6300)]


def test_eos_style_cue_csv_and_json_scenes():
    csv_text = "Cue,Page,Time,Label\n1,1,5,Preset\n2,3,8,Blackout\n3,4,2.5,Lights up on the kitchen\n"
    parsed = parse_text(csv_text, name="eos.csv", kind="csv")
    assert parsed.script_type == "cue_sheet" and [s.heading for s in parsed.scenes] == ["1", "2", "3"]
    assert parsed.scenes[1].explicit_lighting == ["Time 8", "Blackout"]  # the fade time, never the page
    go = parse_text("Cue,Go Time,Description\nQ1,00:00:00,Preset\nQ2,00:01:10,Fade to black\n", kind="csv")
    assert [s.time_window.start for s in go.scenes] == [0, 70]
    scenes = [{"heading": "Opening", "text": "Lights rise on the harbour.", "start": 0}, {"text": "Blackout.", "start": 60}]
    parsed = parse_text(json.dumps(scenes), name="scenes.json", kind="json")
    assert [s.explicit_lighting for s in parsed.scenes] == [["Lights rise on the harbour."], ["Blackout."]]
    assert [s.time_window.start for s in parsed.scenes] == [0, 60]


def test_mixed_script_keeps_every_section_in_order():
    text = (
        "ACT I.\n\nSCENE I. A hall.\n\nANNA.\nHello.\n\nSCENE II. A garden.\n\nBEN.\nGoodbye.\n\n"
        "[00:10:00] Interval music, house lights up\n[00:25:00] Lights down for act two\n"
    )
    parsed = parse_text(text)
    _covers(parsed, text)
    assert parsed.script_type == "mixed" and 0.5 <= parsed.confidence <= 0.95
    assert [s.script_type for s in parsed.scenes] == ["raw_drama", "raw_drama", "timestamped_drama", "timestamped_drama"]
    assert parsed.scenes[0].heading == "ACT I. SCENE I. A hall." and parsed.scenes[2].time_window.start == 600


@pytest.mark.parametrize(
    "prose",
    [
        "The program of the event was long.\nAct 2 of the program was better.\nScene 3 was a disaster, the critic said.\n",
        "We met at 10:30 and talked about the event.\nThe act was over by noon.\n",
        "EVENT\nPROGRAM\nThe act of lighting a candle in the dark is an old one.\n",
    ],
)
def test_ordinary_words_never_decide_the_type(prose):
    parsed = parse_text(prose)
    assert parsed.reader == "prose" and parsed.confidence <= 0.3 and len(parsed.scenes) == 1


def test_a_folio_play_with_no_headings_is_still_read_as_a_play():
    text = "".join(f"  Poet. Good day Sir {i}\n\n   Pain. I am glad y'are well\n\n" for i in range(6))
    parsed = parse_text(text)
    assert parsed.reader == "play" and parsed.confidence == 0.5
    assert parsed.scenes[0].characters == ["Poet", "Pain"]


def test_docx_agenda_table_with_a_room_column(tmp_path):
    document = docx.Document()
    document.add_heading("Conference agenda", level=1)
    table = document.add_table(rows=4, cols=3)
    rows = [
        ("Time", "Session", "Room"),
        ("09:00 AM", "Registration and coffee", "Foyer"),
        ("09:30 AM", "Opening keynote", "Main Hall"),
        ("10:30 AM", "Panel: lighting for live events", "Studio Theatre"),
    ]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.save(tmp_path / "agenda.docx")
    parsed = parse_file(tmp_path / "agenda.docx")
    assert parsed.script_type == "event_schedule"
    assert [(s.location, s.time_window.start) for s in parsed.scenes] == [
        ("Foyer", 0),
        ("Main Hall", 1800),
        ("Studio Theatre", 5400),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)),
    suffix=st.sampled_from([".txt", ".fountain", ".csv", ".json", ".pdf", ".docx"]),
)
def test_arbitrary_files_raise_nothing_but_parse_error(tmp_path, data, suffix):
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    try:
        parsed = parse_file(path)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)  # one line, meant for the user
        return
    assert "".join(s.text for s in parsed.scenes) or suffix == ".json"


def test_damaged_word_files(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "other.docx", "w") as archive:
        archive.writestr("hello.txt", "a zip, but not Word")
    with pytest.raises(ParseError, match="not a Word document"):
        parse_file(tmp_path / "other.docx")
    document = docx.Document()
    document.add_paragraph("SCENE I. A room.")
    document.save(tmp_path / "good.docx")
    with zipfile.ZipFile(tmp_path / "good.docx") as source, zipfile.ZipFile(tmp_path / "cut.docx", "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, body[:200] if item.filename == "word/document.xml" else body)
    with pytest.raises(ParseError, match="damaged"):
        parse_file(tmp_path / "cut.docx")


def test_utf16_text_with_a_byte_order_mark(tmp_path):
    (tmp_path / "wide.txt").write_bytes("SCENE I. A room.\n\nANNA.\nHi.\n".encode("utf-16"))
    assert parse_file(tmp_path / "wide.txt").scenes[0].characters == ["ANNA"]


def test_modern_play_layout_with_spelled_numbers_and_colon_speakers():
    text = (
        "THE KITCHEN SINK\n\nAct One, Scene Two: The Kitchen\n\nANNA: Where did you put the matches?\n"
        "BEN: By the candles.\n\n(She lights a candle. The lights dim.)\n\nACT TWO\n\nSCENE ONE. The garden.\n\n"
        "ANNA: It is getting dark.\n\nSong.\nLa la la.\n"
    )
    first, second = parse_text(text).scenes
    assert (first.heading, first.location) == ("Act One, Scene Two: The Kitchen", "The Kitchen")
    assert first.characters == ["ANNA", "BEN"]
    assert first.explicit_lighting == ["She lights a candle.", "The lights dim."]
    assert second.heading == "ACT TWO SCENE ONE. The garden." and second.characters == ["ANNA"]  # `Song.` is no one
