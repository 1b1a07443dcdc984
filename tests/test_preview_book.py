"""The prompt book's placing (phases/preview/book.py), without a browser: flags at the GO words, standbys, references."""

from phases.contracts import CueTrigger, LightingInstruction, Scene, SourceSpan, TimeWindow
from phases.preview.book import book_flags, go_words, prompt_book, standbys
from tests.preview_pages import planned

TEXT = (
    "SCENE II. A heath.\n\n"
    "[Thunder. Enter the three\nWitches.]\n\n"
    "FIRST WITCH.\nWhere hast thou been, sister?\n"
    + "SECOND WITCH.\nKilling swine.\n" * 12
    + "[Exeunt.]\n"
)


def scene(text: str = TEXT) -> Scene:
    return Scene(
        scene_id="scene_002",
        script_type="raw_drama",
        time_window=TimeWindow(start=10, end=100),
        text=text,
        heading="SCENE II. A heath.",
        act=1,
        source=SourceSpan(start_char=500, end_char=500 + len(text), start_line=40, end_line=40 + text.count("\n")),
    )


def cue(number: float, start: float, called_on: dict) -> LightingInstruction:
    return LightingInstruction.model_validate(
        {
            "scene_id": "scene_002",
            "cue_number": number,
            "label": f"cue {number:g}",
            "called_on": called_on,
            "time_window": {"start": start, "end": start + 5},
            "groups": [{"group_id": "front_wash", "parameters": {"intensity": 0.5, "color": "straw"}}],
        }
    )


def test_a_direction_is_found_across_its_line_break_and_a_line_past_its_speaker():
    text = TEXT
    at = text.index("[Thunder")
    span = go_words(text, CueTrigger(kind="direction", text="Thunder. Enter the three Witches.", char_offset=at))
    assert span is not None and text[span[0] : span[1]] == "Thunder. Enter the three\nWitches."
    line = CueTrigger(kind="line", text="FIRST WITCH: Where hast thou been, sister?", char_offset=text.index("FIRST"))
    span = go_words(text, line)
    assert span is not None and text[span[0] : span[1]] == "Where hast thou been, sister?"


def test_words_not_near_the_offset_are_found_anywhere_in_the_scene_and_no_words_means_no_span():
    text = TEXT
    span = go_words(text, CueTrigger(kind="direction", text="Exeunt.", char_offset=0))
    assert span is not None and text[span[0] : span[1]] == "Exeunt."
    assert go_words(text, CueTrigger(kind="structure", moment="interval")) is None


def test_flags_sit_at_the_heading_the_words_beside_a_follow_and_before_or_after_the_text():
    s = scene()
    cues = [
        cue(1, 10, {"kind": "structure", "moment": "house_out"}),
        cue(2, 10, {"kind": "scene_start", "text": "SCENE II. A heath.", "char_offset": 0}),
        cue(3, 12, {"kind": "direction", "text": "Thunder. Enter the three Witches.", "char_offset": TEXT.index("[Thunder")}),
        cue(4, 15, {"kind": "follow", "follow_wait": 2}),
        cue(5, 90, {"kind": "structure", "moment": "act_end", "text": "Exeunt.", "char_offset": TEXT.index("[Exeunt")}),
        cue(6, 99, {"kind": "structure", "moment": "interval"}),
    ]
    flags = book_flags(s, list(enumerate(cues)))
    spans = [TEXT[f.at : f.end] for f in flags]
    assert spans == ["", "SCENE II. A heath.", "Thunder. Enter the three\nWitches.", "", "Exeunt.", ""]
    assert flags[0].at == 0 and flags[3].at == flags[2].at and flags[5].at == len(TEXT)


def test_standbys_warn_the_scene_at_its_top_and_a_distant_go_some_lines_before_it():
    s = scene()
    cues = [
        cue(1, 10, {"kind": "scene_start", "text": "SCENE II. A heath.", "char_offset": 0}),
        cue(2, 12, {"kind": "direction", "text": "Thunder. Enter the three Witches.", "char_offset": TEXT.index("[Thunder")}),
        cue(3, 90, {"kind": "direction", "text": "Exeunt.", "char_offset": TEXT.index("[Exeunt")}),
    ]
    marks = standbys(s, book_flags(s, list(enumerate(cues))))
    assert marks[0] == {"at": 0, "cues": [0, 1, 2], "scene": True}
    assert [m["cues"] for m in marks[1:]] == [[2]], "only the exit is far from the GO before it"
    before = TEXT.count("\n", 0, TEXT.index("[Exeunt")) - TEXT.count("\n", 0, marks[1]["at"])
    assert before == 6  # data/book.yaml: standby_lines


def test_every_cue_of_a_real_play_has_one_flag_in_its_own_scene_and_lines_match_the_plan():
    play = planned("macbeth")
    book = prompt_book(play.scenes, play.plan)
    flagged = [f["cue"] for s in book for f in s["flags"]]
    assert sorted(flagged) == list(range(len(play.plan)))
    by_scene = {s["id"]: s for s in book}
    checked = 0
    for k, c in enumerate(play.plan):
        s = by_scene[c.scene_id]
        flag = next(f for f in s["flags"] if f["cue"] == k)
        if c.called_on.kind == "direction" and c.called_on.script_line:
            assert flag["line"] == c.called_on.script_line, (c.cue_number, flag, c.called_on)
            words = s["text"][flag["at"] : flag["end"]]
            assert " ".join(words.split()) == " ".join(c.called_on.text.split()), (c.cue_number, words)
            checked += 1
    assert checked >= 30
