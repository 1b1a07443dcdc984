"""The prompt book's placing (phases/preview/book.py), without a browser: the cue sheet's GO words, pages, lines and
standbys, each flag in its own scene, a follow beside its cue, show moments before or after the text."""

from phases.contracts import LightingInstruction, Scene, SourceSpan, TimeWindow
from phases.export.calling import sheet_words
from phases.export.pages import page_settings
from phases.knowledge import load_knowledge
from phases.preview.book import prompt_book, sheet_calls
from tests.preview_pages import planned

TEXT = (
    "SCENE II. A heath.\n\n"
    "[Thunder. Enter the three\nWitches.]\n\n"
    "FIRST WITCH.\nWhere hast thou been, sister?\n"
    + "SECOND WITCH.\nKilling swine.\n" * 40
    + "[Exeunt.]\n"
)


def scene(text: str = TEXT, source: bool = True) -> Scene:
    return Scene(
        scene_id="scene_002",
        script_type="raw_drama",
        time_window=TimeWindow(start=10, end=100),
        text=text,
        heading="SCENE II. A heath.",
        act=1,
        source=SourceSpan(start_char=500, end_char=500 + len(text), start_line=40, end_line=40 + text.count("\n"))
        if source
        else None,
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


CUES = [
    cue(1, 10, {"kind": "structure", "moment": "house_out"}),
    cue(2, 10, {"kind": "scene_start", "text": "SCENE II. A heath.", "char_offset": 0}),
    cue(3, 12, {"kind": "direction", "text": "Thunder. Enter the three Witches.", "char_offset": TEXT.index("[Thunder")}),
    cue(4, 15, {"kind": "follow", "follow_wait": 2}),
    cue(5, 16, {"kind": "line", "text": "FIRST WITCH: Where hast thou been, sister?", "char_offset": TEXT.index("FIRST")}),
    cue(6, 90, {"kind": "direction", "text": "Exeunt.", "char_offset": TEXT.index("[Exeunt")}),
    cue(7, 99, {"kind": "structure", "moment": "interval"}),
]


def book(scenes: list[Scene], cues: list[LightingInstruction]) -> list[dict]:
    kb = load_knowledge()
    return prompt_book(scenes, cues, kb.rig, list(kb.colours.values()))


def test_flags_sit_on_the_cue_sheets_go_words_and_a_follow_beside_its_cue():
    pages = book([scene()], CUES)[0]
    flags = {f["cue"]: f for f in pages["flags"]}
    words = {k: TEXT[f["at"] : f["end"]] for k, f in flags.items()}
    assert words == {0: "", 1: "Thunder", 2: "Thunder", 3: "", 4: "Where", 5: "Exeunt", 6: ""}
    assert flags[3]["at"] == flags[2]["at"], "a follow sits beside the cue it follows"
    assert [f["word"] for f in pages["flags"]] == [words[f["cue"]] for f in pages["flags"]]
    # the house cue on the heading's line, the interval on the scene's last line, as the cue sheet prints them
    assert flags[0]["line"] == 40 and flags[6]["line"] == 40 + TEXT.count("\n")
    assert flags[4]["line"] == 40 + TEXT[: TEXT.index("Where")].count("\n")


def test_without_script_lines_moments_go_before_or_after_the_text():
    pages = book([scene(source=False)], CUES)[0]
    flags = {f["cue"]: f for f in pages["flags"]}
    assert flags[0]["at"] == 0 and flags[6]["at"] == len(TEXT)  # house out before the text, the interval after it
    assert "interval" in page_settings().end_moments and flags[0]["page"] is None
    assert pages["pages"] == []


def test_standbys_are_the_cue_sheets_and_written_lead_lines_before_their_first_cue():
    pages = book([scene()], CUES)[0]
    kb = load_knowledge()
    _, _, calls = sheet_calls([scene()], CUES, kb.rig, list(kb.colours.values()))
    assert [s["text"] for s in pages["standbys"]] == [c.standby for c in calls if c.standby]
    assert [s["text"] for s in pages["standbys"]] == ["Standby LX 1 to 5 (5 cues)", "Standby LX 6 and 7"]
    exit_line = 40 + TEXT[: TEXT.index("[Exeunt")].count("\n")
    assert pages["standbys"][1]["line"] == exit_line - sheet_words().standby.lead_lines
    at = pages["standbys"][1]["at"]
    assert 40 + TEXT[:at].count("\n") == pages["standbys"][1]["line"]


def test_pages_begin_where_the_cue_sheet_counts_them():
    long = "SCENE II. A heath.\n" + "Words.\n" * 130
    pages = book([scene(long)], [cue(1, 10, {"kind": "scene_start", "char_offset": 0})])[0]["pages"]
    per = page_settings().lines_per_page
    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    assert [p["line"] for p in pages] == [40, per + 1, 2 * per + 1, 3 * per + 1]
    assert all(long.count("\n", 0, p["at"]) == p["line"] - 40 for p in pages)


def test_every_cue_of_a_real_play_has_one_flag_in_its_own_scene():
    play = planned("macbeth")
    pages = book(play.scenes, play.plan)
    flagged = [f["cue"] for s in pages for f in s["flags"]]
    assert sorted(flagged) == list(range(len(play.plan)))
    for s in pages:
        for f in s["flags"]:
            assert play.plan[f["cue"]].scene_id == s["id"]
            if f["word"]:
                assert s["text"][f["at"] : f["end"]] == f["word"]
    assert sum(1 for s in pages for f in s["flags"] if f["word"]) > 0.8 * len(play.plan)
