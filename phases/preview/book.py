"""The prompt book: each scene's text with every cue's flag at its GO word, the standbys, and act, scene, page and
line references, all exactly as the stage manager's cue sheet has them.

The placing is the cue sheet's own (phases/export: `pages.cue_marks` for each cue's page, line and GO word,
`calling.cue_calls` for the standbys, the act and the scene), read in the cue sheet's order (by cue number), so
the book and cue_sheet.csv agree cue by cue. A flag sits on its GO word; a cue called on no word (a follow, the
house going out) sits at the start of the line the cue sheet gives it, and, in a scene the script gave no lines
for, at the top of the text (the end for a moment that closes a scene, beside the cue before for a follow).
"""

from collections.abc import Sequence

from phases.contracts import Colour, LightingInstruction, Rig, Scene
from phases.export.calling import CueCall, cue_calls
from phases.export.cue_list import console_show
from phases.export.errors import ExportError
from phases.export.pages import CueMark, cue_marks, page_of, page_settings
from phases.export.plan_files import Plan
from phases.rig.profiles import FixtureProfile, load_profiles

from .errors import PreviewError


def sheet_calls(
    scenes: Sequence[Scene],
    ordered: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    profiles: dict[str, FixtureProfile] | None = None,
    lines_per_page: int | None = None,
) -> tuple[list[int], list[CueMark], list[CueCall]]:
    """The cue sheet's reading of the plan: the cues' show-order indices in the sheet's order (by cue number), and
    for each its mark (page, line, GO word and where it sits) and its call (standby, act, scene)."""
    order = sorted(range(len(ordered)), key=lambda k: ordered[k].cue_number)
    by_id = {s.scene_id: s for s in scenes}
    plan = Plan(
        name="preview",
        cues=[ordered[k] for k in order],
        scenes=by_id,
        rig=rig,
        colours={c.name: c for c in colours},
        profiles=profiles or load_profiles(),
    )
    try:
        calls = cue_calls(console_show(plan, lines_per_page))
    except ExportError as exc:
        raise PreviewError(f"the prompt book: {exc}") from None
    marks = cue_marks([(by_id.get(c.scene_id), c.called_on) for c in plan.cues], lines_per_page)
    return order, marks, calls


def _line_start(scene: Scene, line: int) -> int:
    """Where script line `line` starts in the scene's text (clamped to the scene)."""
    assert scene.source is not None
    text, at = scene.text, 0
    for _ in range(max(0, line - scene.source.start_line)):
        nxt = text.find("\n", at)
        if nxt < 0:
            return at
        at = nxt + 1
    return at


def _flag_place(scene: Scene, cue: LightingInstruction, mark: CueMark, previous: int | None) -> tuple[int, int]:
    trigger = cue.called_on
    if mark.start is not None and mark.end is not None:
        return mark.start, mark.end
    if trigger.kind == "follow" and previous is not None:  # beside the cue it follows (the cue sheet's line too)
        return previous, previous
    if mark.line is not None and scene.source is not None:
        at = _line_start(scene, mark.line)
        return at, at
    if trigger.kind == "structure" and trigger.moment in page_settings().end_moments:
        return len(scene.text), len(scene.text)
    return 0, 0


def _pages(scene: Scene, lines_per_page: int | None) -> list[dict[str, int]]:
    """Where each page of the script begins inside the scene's text (the scene's first line's page first)."""
    if scene.source is None:
        return []
    out, page = [], None
    for n, line in enumerate(range(scene.source.start_line, scene.source.start_line + scene.text.count("\n") + 1)):
        now = page_of(scene, line, lines_per_page)
        if now != page:
            page = now
            out.append({"page": now, "line": line, "at": _line_start(scene, line) if n else 0})
    return out


def prompt_book(
    scenes: Sequence[Scene],
    ordered: Sequence[LightingInstruction],
    rig: Rig,
    colours: Sequence[Colour],
    profiles: dict[str, FixtureProfile] | None = None,
    lines_per_page: int | None = None,
) -> list[dict[str, object]]:
    """Per scene, in order: its references, its text, its pages, its cues' flags and its standbys (cues by their
    show-order index)."""
    order, marks, calls = sheet_calls(scenes, ordered, rig, colours, profiles, lines_per_page)
    by_id = {s.scene_id: s for s in scenes}
    flags: dict[str, list[dict[str, object]]] = {s.scene_id: [] for s in scenes}
    stbys: dict[str, list[dict[str, object]]] = {s.scene_id: [] for s in scenes}
    previous: tuple[str, int] | None = None  # the scene and place of the flag before, in the cue sheet's order
    for k, mark, call in zip(order, marks, calls, strict=True):
        cue = ordered[k]
        scene = by_id.get(cue.scene_id) or _nearest(scenes, cue)
        if scene is None:
            continue
        at, end = _flag_place(scene, cue, mark, previous[1] if previous and previous[0] == scene.scene_id else None)
        previous = (scene.scene_id, at)
        flags[scene.scene_id].append({"cue": k, "at": at, "end": end, "page": mark.page, "line": mark.line, "word": mark.go_word})
        if call.standby:
            where = _line_start(scene, call.standby_line) if call.standby_line is not None and scene.source else at
            stbys[scene.scene_id].append(
                {"at": min(where, at), "cue": k, "text": call.standby, "page": call.standby_page, "line": call.standby_line}
            )
    book = []
    for scene in scenes:
        book.append(
            {
                "id": scene.scene_id,
                "act": scene.act,
                "heading": scene.heading or scene.scene_id,  # as the cue sheet names the scene
                "line0": scene.source.start_line if scene.source else None,
                "text": scene.text,
                "pages": _pages(scene, lines_per_page),
                # in the margin line by line, in show order on a line
                "flags": sorted(flags[scene.scene_id], key=lambda f: (scene.text.count("\n", 0, f["at"]), f["cue"])),  # type: ignore[arg-type]
                "standbys": stbys[scene.scene_id],
            }
        )
    return book


def _nearest(scenes: Sequence[Scene], cue: LightingInstruction) -> Scene | None:
    start = cue.time_window.start
    inside = [s for s in scenes if s.time_window.start <= start]
    return (inside[-1] if inside else scenes[0]) if scenes else None
