"""LightingDecisionEngine: a scene plus its retrieved knowledge becomes the scene's cues (LightingInstructions)."""

import re
from collections.abc import Sequence
from typing import Literal

from phases.contracts import (
    CueTrigger,
    GroupInstruction,
    GroupParameters,
    InstructionMetadata,
    LightingInstruction,
    RuleUse,
    Scene,
    SceneKnowledge,
    TimeWindow,
    Transition,
)
from phases.knowledge import KnowledgeBase, load_knowledge

from .compose import Composition, compose
from .continuity import clamp_duration, rules_transition
from .design_data import DesignSettings, Palette, design_settings, direction_rules, palettes
from .explicit_cues import apply_cues
from .llm_mode import LlmOutcome, ask_for_look
from .llm_settings import LlmSettings
from .look import Look
from .looks import base_look, blackout, clamp, look_genre, overrides, scene_moment
from .rig_limits import fixed_colour, group_ceiling
from .scene_cues import CuePoint, PlannedCue, apply_point, covered, plan_scene
from .scene_reading import Direction, SceneReading, moments_of, read_scene
from .settings import EngineSettings, cue_vocabulary, engine_settings
from .show import add_structure, continuity, number

SCENE_CHANGE = "scene change: the stage clears on the final exit"
Method = Literal["rules", "llm", "llm_repaired", "rules_fallback"]


class LightingDecisionEngine:
    """Rules mode (the default) is deterministic: the same scene and knowledge give the same cues.
    With `llm` settings, an OpenAI-compatible model proposes the scene's base look; the rules' look is its
    fallback, and the cues inside the scene start from whichever look was used."""

    def __init__(
        self,
        kb: KnowledgeBase | None = None,
        settings: EngineSettings | None = None,
        llm: LlmSettings | None = None,
        design: DesignSettings | None = None,
    ) -> None:
        self.kb = kb or load_knowledge()
        self.settings = settings or engine_settings()
        self.design = design or design_settings()
        self.vocabulary = cue_vocabulary()
        self.directions = direction_rules()
        self.palettes = palettes()
        self.llm = llm

    def decide(self, scene: Scene, knowledge: SceneKnowledge) -> LightingInstruction:
        """The scene's opening cue: its base state."""
        return self.cues(scene, knowledge)[0]

    def cues(self, scene: Scene, knowledge: SceneKnowledge) -> list[LightingInstruction]:
        """The scene's cues in order: its opening state, then the cues its text calls for."""
        if scene.script_type not in self.design.structure_script_types:
            composition = compose(scene, knowledge.rules, self.kb, self.settings)
            # a cue sheet or a run-sheet: its own states and speeds lead, one cue per entry
            if self.llm is None:
                return [self._finish(scene, knowledge, composition, composition.look, "rules")]
            outcome = ask_for_look(scene, knowledge, self.kb, composition.look, self.llm)
            return [self._finish(scene, knowledge, composition, outcome.look, outcome.method, outcome)]
        return self._design(scene, knowledge)

    def _design(self, scene: Scene, knowledge: SceneKnowledge) -> list[LightingInstruction]:
        rig = self.kb.rig
        seen = read_scene(scene, self.directions)
        genre = look_genre(knowledge, scene)
        palette = self.palettes.choose(genre, scene.script_type)
        base, why = base_look(scene, seen, rig, palette, self.palettes, genre, self.design)
        method: Method = "rules"
        notes: list[str] = []
        if self.llm is not None:
            outcome = ask_for_look(scene, knowledge, self.kb, base, self.llm)
            method, notes = outcome.method, outcome.notes
            if method != "rules_fallback":
                base = outcome.look
                if seen.moment == "storm":  # the script's storm plays whatever look the model proposed
                    why += scene_moment(base, seen, rig, palette, self.palettes, self.design, scene.scene_id)
                base = clamp(base, rig)
                why.insert(0, f"look proposed by the model {self.llm.model}: {outcome.reasoning or 'no reason given'}")
        if scene.emotion is None:
            why.insert(0, "no emotion read: time of day, place and the text's moments lead")
        why += seen.notes
        opening = self._explicit_opening(scene, seen, base, palette)
        planned = plan_scene(scene, seen, base, rig, palette, self.palettes, self.design, self.directions)
        planned[0].honoured = [*planned[0].honoured, *opening.honoured]
        return self._instructions(scene, knowledge, planned, seen, method, why + opening.notes, notes, opening)

    def _explicit_opening(self, scene: Scene, seen: SceneReading, base: Look, palette: Palette) -> Look:
        """The script's own lighting directions that are not placed in its text after the first line (a heading's
        "Thunder and Lightning", a "Spot on Macbeth."): they change the scene's opening state. Those the
        direction vocabulary knows are already in the scene's state or its cues; the rest use the cue vocabulary."""
        first_line = seen.speeches[0].offset if seen.speeches else len(scene.text)
        result = Look(groups={})
        placed = {d.text: d.offset for d in seen.directions}
        for cue in scene.explicit_lighting:
            at = placed.get(" ".join(cue.split()), scene.text.find(cue))
            if 0 <= at and at > first_line:
                moments = moments_of(Direction(at, at, cue), self.directions)
                if moments and all(covered(m, seen) for m, _ in moments):
                    result.honoured.append(cue)  # the storm's thunder: the scene's own state already plays it
                continue  # a direction at its place in the text: a cue inside the scene
            moments = moments_of(Direction(0, 0, cue), self.directions)
            if moments and at >= 0 and not any(m == "blackout" for m, _ in moments):
                result.honoured.append(cue)  # the scene's opening state already plays it
                continue
            if any(m == "blackout" for m, _ in moments):
                blackout(base)
                result.transition_type = "fade" if re.search(r"\bslow|\bfade", cue, re.IGNORECASE) else "cut"
                result.honoured.append(cue)
            elif moments and at < 0:  # not in the text: it sets the scene's opening state
                point = CuePoint(0, "direction", cue, moments, 0)
                seed = int(scene.scene_id.split("_")[-1]) * 100003
                base.groups = apply_point(base, point, self.kb.rig, palette, self.palettes, self.design, seed).groups
                bump = any(self.design.moment_cues[m].fade == 0 for m, _ in moments)
                result.transition_type = result.transition_type or ("cut" if bump else "fade")
                result.honoured.append(cue)
            elif not moments:
                before = len(base.honoured)
                apply_cues(base, [cue], self.vocabulary, self.kb.rig, self.settings)
                result.honoured += base.honoured[before:]
                result.transition_type = result.transition_type or base.transition_type
                result.speed = result.speed or base.speed
                result.notes += base.notes
                base.notes, base.transition_type, base.speed = [], None, None
        clamp(base, self.kb.rig)
        return result

    def _instructions(
        self,
        scene: Scene,
        knowledge: SceneKnowledge,
        planned: list[PlannedCue],
        seen: object,
        method: Method,
        why: list[str],
        notes: list[str],
        opening: Look | None = None,
    ) -> list[LightingInstruction]:
        window = scene.time_window
        length = max(len(scene.text), 1)
        times = []
        kept: list[PlannedCue] = []
        for cue in planned:
            if cue.follow_of is not None:
                at = times[-1] + self.design.follow_restore_wait
            elif cue.point is None:
                at = window.start
            else:
                at = window.start + window.duration * cue.offset / length
            at = max(at, times[-1] if times else window.start)
            if cue.follow_of is not None and at >= window.end:
                continue  # no room left in the scene for the follow
            if cue.scene_change:
                at = max(times[-1], min(at, window.end - 2 * cue.fade))
            times.append(min(at, window.end))
            kept.append(cue)
        ends = [*times[1:], window.end]
        rules_used = [RuleUse(rule_id=r.rule.rule_id, score=r.score) for r in knowledge.rules]
        verbatim = {" ".join(e.split()): e for e in scene.explicit_lighting}  # honoured as the script wrote them
        number_base = float(int(scene.scene_id.split("_")[1]))
        result = []
        for index, (cue, start, end) in enumerate(zip(kept, times, ends, strict=True)):
            if cue.point is None and cue.follow_of is None:
                called_on = CueTrigger(
                    kind="scene_start",
                    text=(scene.heading or None) and scene.heading[:240],
                    char_offset=0,
                    script_line=self._line(scene, 0),
                )
                transition, source = self._opening_transition(seen), "rules"
                if transition.type == "cut":
                    source = "script"
                if opening is not None and (opening.transition_type or opening.speed):
                    speed = opening.speed or ("snap" if opening.transition_type == "cut" else "medium")
                    seconds = self.settings.speed_seconds[speed]
                    transition = Transition(type="cut" if seconds == 0 else "fade", duration=seconds)
                    source = "script"
                label = (scene.heading or scene.scene_id)[:60]
                reasoning = "; ".join(why)
            elif cue.follow_of is not None:
                called_on = CueTrigger(kind="follow", follow_wait=round(start - times[index - 1], 3))
                transition, source = Transition(type="fade", duration=min(cue.fade, 600)), "script"
                label, reasoning = cue.label[:60], "a follow: the state comes back after the bump"
            else:
                point = cue.point
                assert point is not None
                called_on = CueTrigger(
                    kind=point.kind,  # type: ignore[arg-type]
                    text=point.text[:240] or None,
                    char_offset=point.offset,
                    script_line=self._line(scene, point.offset),
                )
                kind = "cut" if cue.fade == 0 else "fade"
                transition, source = Transition(type=kind, duration=min(cue.fade, 600)), "script"
                label, reasoning = cue.label[:60], f"called on {point.kind} at character {point.offset}: {point.text[:80]}"
            result.append(
                LightingInstruction(
                    scene_id=scene.scene_id,
                    cue_number=round(number_base + index / 100, 3) if index < 100 else number_base + 0.999,
                    label=label or scene.scene_id,
                    called_on=called_on,
                    time_window=TimeWindow(start=start, end=max(start, end)),
                    groups=self._groups(cue.look, transition),
                    metadata=InstructionMetadata(
                        method=method,
                        reasoning=reasoning,
                        rules_used=rules_used,
                        honoured_cues=[verbatim.get(" ".join(h.split()), h) for h in cue.honoured],
                        transition_source=source,  # type: ignore[arg-type]
                        notes=(notes if index == 0 else []) + ([SCENE_CHANGE] if cue.scene_change else []),
                        **(self._assumed_time(scene, seen) if called_on.kind == "scene_start" else {}),
                    ),
                )
            )
        return result

    @staticmethod
    def _assumed_time(scene: Scene, seen: object) -> dict[str, str | None]:
        """Phase 1's time of day and its evidence, as the base look used them; undecided, the light the look
        assumed (a look is always of the day or of the night)."""
        if scene.time_of_day is None:
            light, look = getattr(seen, "light", None), str(getattr(seen, "look", "")).replace("_", " ")
            if light is None:
                return {}
            return {"time_of_day": light, "time_of_day_evidence": f"no time of day read: the {look} look is lit as {light}"}
        return {"time_of_day": scene.time_of_day, "time_of_day_evidence": scene.time_of_day_evidence}

    def _opening_transition(self, seen: object) -> Transition:
        moment = getattr(seen, "moment", None)
        time = getattr(seen, "time_of_day", None)
        if moment == "storm":
            return Transition(type="cut", duration=0.0)
        if time in ("dawn", "dusk"):
            return Transition(type="fade", duration=self.design.fades.dawn_dusk)
        return Transition(type="fade", duration=self.design.fades.scene_change_moderate)

    @staticmethod
    def _line(scene: Scene, offset: int) -> int | None:
        base = scene.source.start_line if scene.source else 1
        return base + scene.text.count("\n", 0, offset)

    def _groups(self, look: Look, transition: Transition) -> list[GroupInstruction]:
        rig = self.kb.rig
        # Validated constructors on purpose: pydantic's model_construct runs in Python and was slower here.
        return [
            GroupInstruction(
                group_id=gid,
                parameters=GroupParameters(intensity=round(state.intensity, 3), color=state.colour, effect=state.effect),
                focus_area=state.focus_area,
                transition=transition,
                overrides=overrides(state, gid, rig, self.design),
            )
            for gid, state in look.groups.items()
        ]

    def _finish(
        self,
        scene: Scene,
        knowledge: SceneKnowledge,
        composition: Composition,
        look: Look,
        method: Method,
        llm: LlmOutcome | None = None,
    ) -> LightingInstruction:
        """A cue sheet's or run-sheet's entry: the rules' look with the entry's own directions applied."""
        apply_cues(look, scene.explicit_lighting, self.vocabulary, self.kb.rig, self.settings)
        self._respect_rig(look)
        seconds = scene.time_window.duration
        if look.transition_type == "cut" and look.speed in (None, "snap"):
            transition, source, why = Transition(type="cut", duration=0.0), "script", "the script calls for a cut"
        elif look.transition_type or look.speed:
            speed = look.speed or "medium"
            duration = clamp_duration(self.settings.speed_seconds[speed], seconds, self.settings)
            transition, source, why = Transition(type="fade", duration=duration), "script", f"the script calls for a {speed} fade"
        elif llm is not None and llm.transition is not None:
            proposed = llm.transition
            if proposed.type != "cut":
                proposed = proposed.model_copy(update={"duration": clamp_duration(proposed.duration, seconds, self.settings)})
            transition, source, why = proposed, "rules", "the model's transition"
        else:
            transition = rules_transition(composition.speed_votes, composition.type_votes, self.settings, seconds)
            source, why = "rules", "the rules' preferred transition"
        reasoning = composition.reasoning + look.notes
        if llm is not None and method != "rules_fallback":
            model = self.llm.model if self.llm else "?"
            reasoning.insert(0, f"look proposed by the model {model}: {llm.reasoning or 'no reason given'}")
        if source == "script":
            reasoning.append(f"{transition.type} over {transition.duration:g} s: {why}")
        if scene.emotion is None:
            reasoning.insert(0, "no emotion read: location, time of day and script type rules lead")
        return LightingInstruction(
            scene_id=scene.scene_id,
            cue_number=float(int(scene.scene_id.split("_")[1])),
            label=(scene.heading or scene.scene_id)[:60],
            called_on=CueTrigger(kind="scene_start", char_offset=0, script_line=self._line(scene, 0)),
            time_window=scene.time_window,
            groups=self._groups(look, transition),
            metadata=InstructionMetadata(
                method=method,
                reasoning="; ".join(reasoning),
                rules_used=[RuleUse(rule_id=r.rule.rule_id, score=r.score) for r in knowledge.rules],
                honoured_cues=look.honoured,
                transition_source=source,
                notes=llm.notes if llm is not None else [],
            ),
        )

    def sequence(self, plan: list[LightingInstruction], scenes: Sequence[Scene] = ()) -> list[LightingInstruction]:
        """The show: transitions by continuity, the show-structure cues (given the scenes), console numbers."""
        ordered = continuity(plan, self.kb, self.settings, self.design)
        return number(add_structure(ordered, list(scenes), self.kb.rig, self.design))

    def plan(self, scenes: list[Scene], knowledge: list[SceneKnowledge]) -> list[LightingInstruction]:
        """Every scene's cues, then the show: the whole of Phase 4 without orchestration."""
        cues = [cue for s, k in zip(scenes, knowledge, strict=True) for cue in self.cues(s, k)]
        return self.sequence(cues, scenes)

    def _respect_rig(self, look: Look) -> None:
        rig = self.kb.rig
        for group in rig.groups:
            state = look.groups[group.group_id]
            state.intensity = max(0.0, min(group_ceiling(rig, group.group_id), state.intensity))
            state.colour = fixed_colour(rig, group.group_id) or state.colour
            self.kb.colour(state.colour)  # an unknown colour is an error, never silently white
