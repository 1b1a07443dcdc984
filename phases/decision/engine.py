"""LightingDecisionEngine: a scene plus its retrieved knowledge becomes the scene's cues (LightingInstructions)."""

import bisect
import dataclasses
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
    TimeOfDay,
    TimeWindow,
    Transition,
)
from phases.knowledge import KnowledgeBase, load_knowledge

from .compose import Composition, compose
from .continuity import clamp_duration, rules_transition
from .cue_design import cue_design
from .cue_states import SUPERNATURAL_STATES, StageLook, isolation_levels, special_levels
from .design_data import DesignSettings, Palette, design_settings, direction_rules, palettes
from .explicit_cues import apply_cues
from .llm_mode import LlmOutcome, ask_for_look
from .llm_settings import LlmSettings
from .look import Look
from .look_data import look_data
from .looks import base_look, blackout, clamp, look_genre, overrides, scene_moment
from .opening_moments import CuePoint, apply_point, covered
from .rig_limits import fixed_colour, group_ceiling
from .roles import group_roles
from .scene_cues import BaseFor, PlannedCue, plan_scene
from .scene_reading import Direction, SceneReading, choose_look, moments_of, read_scene
from .settings import EngineSettings, cue_vocabulary, engine_settings
from .show import add_structure, continuity, number
from .stage_events import StagePoint

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
        self.cue_design = cue_design()
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
        base_for = self._bases(scene, seen, base, palette, genre)
        planned = plan_scene(scene, seen, base_for, rig, palette, self.palettes, self.design, self.cue_design)
        planned[0].honoured = [*planned[0].honoured, *opening.honoured]
        why = why + opening.notes + planned[0].notes
        return self._instructions(scene, knowledge, planned, seen, method, why, notes, opening)

    def _bases(self, scene: Scene, seen: SceneReading, base: Look, palette: Palette, genre: str | None) -> BaseFor:
        """The scene's base look, and its variants for a time that changes inside the scene, the end of its own
        moment (a retreat ends the battle), a move indoors and a sky that clouds over or clears: each built once,
        when a cue first needs it."""
        variants: dict[tuple[object, ...], Look] = {(seen.time_of_day, seen.moment, seen.setting, seen.overcast): base}

        def base_for(time: TimeOfDay | None, moment_on: bool, indoors: bool, overcast: bool = False) -> Look:
            moment = seen.moment if moment_on else None
            setting = "interior" if indoors else seen.setting
            key = (time, moment, setting, overcast)
            if key not in variants:
                look = choose_look(scene, time, setting, moment, overcast)
                light = look_data().looks[look].light
                reading = dataclasses.replace(
                    seen, time_of_day=time, moment=moment, setting=setting, look=look, light=light, notes=[], overcast=overcast
                )
                variants[key] = base_look(scene, reading, self.kb.rig, palette, self.palettes, genre, self.design)[0]
            return variants[key]

        return base_for

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
        seen: SceneReading,
        method: Method,
        why: list[str],
        notes: list[str],
        opening: Look | None = None,
    ) -> list[LightingInstruction]:
        window = scene.time_window
        length = max(len(scene.text), 1)
        natural = [  # each GO's place on the clock, from its place in the text
            window.start + window.duration * (c.offset / length if c.point is not None else 0.0) for c in planned
        ]
        times: list[float] = []
        kept: list[PlannedCue] = []
        for index, cue in enumerate(planned):
            if cue.follow_of is not None:
                at = times[-1] + cue.follow_wait
                coming = next((natural[i] for i in range(index + 1, len(planned)) if planned[i].follow_of is None), None)
                if at >= window.end or (coming is not None and at >= coming):
                    continue  # no room before the next GO (or the scene's end) for the follow
            else:
                at = natural[index]
            at = max(at, times[-1] if times else window.start)
            times.append(min(at, window.end))
            kept.append(cue)
        ends = [*times[1:], window.end]
        breaks = [m.start() for m in re.finditer("\n", scene.text)] if len(kept) > 8 else None  # many cues: one pass
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
                    script_line=self._line(scene, 0, breaks),
                )
                transition, source = self._opening_transition(seen), "rules"
                if transition.type == "cut":
                    source = "script"
                if cue.bump:
                    transition, source = Transition(type="cut", duration=0.0), "script"
                    why = [*why, "the scene comes up on its opening flash: a cut, then a follow settles it"]
                elif opening is not None and (opening.transition_type or opening.speed):
                    speed = opening.speed or ("snap" if opening.transition_type == "cut" else "medium")
                    seconds = self.settings.speed_seconds[speed]
                    transition = Transition(type="cut" if seconds == 0 else "fade", duration=seconds)
                    source = "script"
                label = (scene.heading or scene.scene_id)[:60]
                reasoning = "; ".join(why)
            elif cue.follow_of is not None:
                called_on = CueTrigger(kind="follow", follow_wait=round(start - times[index - 1], 3))
                transition, source = Transition(type="fade", duration=min(cue.fade, 600)), "script"
                label = cue.label[:60]
                reasoning = f"a follow: {cue.label.removeprefix('Follow: ')}"
                if cue.follow_of is not None and cue.follow_of.point is not None:
                    reasoning += "; " + self._cue_reasoning(cue.follow_of.point, seen).split("; ", 1)[-1]
                else:
                    reasoning += f"; the scene's opening state ({', '.join(w for w in (seen.light, seen.moment) if w)})"
            else:
                point = cue.point
                assert point is not None
                called_on = CueTrigger(
                    kind=point.kind,  # type: ignore[arg-type]
                    text=point.text[:240] or None,
                    char_offset=point.offset,
                    script_line=self._line(scene, point.offset, breaks),
                )
                kind = "cut" if cue.fade == 0 else "fade"
                transition, source = Transition(type=kind, duration=min(cue.fade, 600)), "script"
                label, reasoning = cue.label[:60], self._cue_reasoning(point, seen)
            result.append(
                LightingInstruction(
                    scene_id=scene.scene_id,
                    cue_number=round(number_base + index / 100, 3) if index < 100 else number_base + 0.999,
                    label=label or scene.scene_id,
                    called_on=called_on,
                    time_window=TimeWindow(start=start, end=max(start, end)),
                    groups=self._groups(cue.stage, transition, cue.lead_delay),
                    metadata=InstructionMetadata(
                        method=method,
                        reasoning=reasoning,
                        rules_used=rules_used,
                        honoured_cues=[verbatim.get(" ".join(h.split()), h) for h in cue.honoured],
                        transition_source=source,  # type: ignore[arg-type]
                        notes=notes if index == 0 else [],
                        **(self._assumed_time(scene, seen) if called_on.kind == "scene_start" else {}),
                    ),
                )
            )
        return result

    @staticmethod
    def _cue_reasoning(point: StagePoint, seen: SceneReading) -> str:
        """Where the cue is called, and the state it goes to: the scene's base and the states open on stage."""
        states = [
            layer.kind.replace("_", " ") + (" (the supernatural colour)" if layer.kind in SUPERNATURAL_STATES else "")
            for layer in point.layers
            if layer.kind != "scene"
        ]
        scene_moment = seen.moment if any(layer.kind == "scene" for layer in point.layers) else None
        base = ", ".join(w for w in (point.time or seen.light, scene_moment) if w)
        with_states = f" with {', '.join(dict.fromkeys(states))}" if states else ""
        return f"called on {point.kind} at character {point.offset}: {point.text[:80]}; a state: the base ({base}){with_states}"

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
    def _line(scene: Scene, offset: int, breaks: list[int] | None = None) -> int | None:
        base = scene.source.start_line if scene.source else 1
        return base + (bisect.bisect_left(breaks, offset) if breaks is not None else scene.text.count("\n", 0, offset))

    def _groups(self, stage: Look | StageLook, transition: Transition, lead_delay: float = 0.0) -> list[GroupInstruction]:
        """Each group's instruction. Specials light their own pools (a taper and a ghost at once), an isolation
        holds the key's other areas at its share, and a time change's cyc leads the other groups by lead_delay."""
        rig = self.kb.rig
        if isinstance(stage, Look):
            stage = StageLook(stage)
        roles = group_roles(rig)
        later = transition.model_copy(update={"delay": lead_delay}) if lead_delay else transition
        result = []
        # Validated constructors on purpose: pydantic's model_construct runs in Python and was slower here.
        for gid, state in stage.look.groups.items():
            role = roles.get(gid)
            intensity, colour, focus = state.intensity, state.colour, state.focus_area
            if role == "special" and stage.fixtures:
                intensity, colour, focus, extra = special_levels(stage, gid, rig, colour)
            elif role == "key" and state.isolate and stage.area_share is not None:
                extra = overrides(dataclasses.replace(state, isolate=None), gid, rig, self.design)
                extra += isolation_levels(state, gid, rig, stage.area_share)
            else:
                extra = overrides(state, gid, rig, self.design)
            result.append(
                GroupInstruction(
                    group_id=gid,
                    parameters=GroupParameters(intensity=round(intensity, 3), color=colour, effect=state.effect),
                    focus_area=focus,
                    transition=transition if role == "atmosphere" else later,
                    overrides=extra,
                )
            )
        return result

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
