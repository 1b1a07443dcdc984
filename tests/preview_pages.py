"""Real plans written to preview.html and opened in headless Chromium, for the prompt book, 3D stage and timeline tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phases.decision
import phases.emotion
import phases.knowledge
import phases.parsing
import phases.preview
from phases.contracts import EvaluationReport, LightingInstruction, Scene
from phases.rig import load_rig
from tests.browser import Chromium, Page
from tests.conftest import PLAYS


@dataclass(frozen=True)
class Planned:
    scenes: list[Scene]
    plan: list[LightingInstruction]  # in show order
    kb: phases.knowledge.KnowledgeBase


@lru_cache(maxsize=4)
def planned(play: str = "macbeth", rig: Path | None = None) -> Planned:
    """A play from ../shared planned in rules mode for a rig file (the bundled rig when None), as `cueflow run` plans
    it (fails loudly when the play or the rig is missing)."""
    path = PLAYS / f"{play}.txt"
    assert path.is_file(), f"the shared play is missing: {path}"
    assert rig is None or rig.is_file(), f"the rig is missing: {rig}"
    parsed = phases.parsing.parse_file(path)
    scenes = [s.model_copy(update={"emotion": phases.emotion.detect_emotion(s)}) for s in parsed.scenes]
    kb = phases.knowledge.load_knowledge(rig=rig)
    knowledge = [phases.knowledge.retrieve(s, kb, phases.knowledge.ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    plan = phases.decision.LightingDecisionEngine(kb=kb).plan(scenes, knowledge)
    return Planned(scenes, sorted(plan, key=lambda c: c.time_window.start), kb)


def write_preview(
    folder: Path,
    title: str,
    scenes: list[Scene],
    plan: list[LightingInstruction],
    report: EvaluationReport | None = None,
    rig: Path | None = None,
) -> Path:
    """preview.html for the plan on a rig file (the bundled rig when None), with the rig's own fixture definitions."""
    kb = phases.knowledge.load_knowledge(rig=rig)
    profiles = load_rig(rig).profiles if rig is not None else None
    path = folder / "preview.html"
    page = phases.preview.render_preview(title, scenes, plan, kb.rig, list(kb.colours.values()), report, profiles)
    path.write_text(page, encoding="utf-8")
    return path


@contextmanager
def opened(path: Path, width: int = 1400, height: int = 1000, extra_flags: list[str] | None = None) -> Iterator[Page]:
    """The page open in a real headless Chromium, its 3D stage started; no page error may happen meanwhile."""
    with Chromium(width, height, extra_flags) as browser:
        page = browser.open_page()
        page.goto(path.as_uri())
        page.evaluate("window.cueflowPreview.stage3dReady()")
        yield page
        assert page.exceptions() == [], page.exceptions()


def cue_index(plan: list[LightingInstruction], number: float) -> int:
    return next(k for k, c in enumerate(plan) if c.cue_number == number)
