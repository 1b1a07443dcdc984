"""LightingDecisionEngine: a scene plus its retrieved knowledge becomes a LightingInstruction."""

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
    Transition,
)
from phases.knowledge import KnowledgeBase, load_knowledge

from .compose import Composition, compose
from .continuity import clamp_duration, rules_transition, sequence
from .explicit_cues import apply_cues
from .llm_mode import LlmOutcome, ask_for_look
from .llm_settings import LlmSettings
from .look import Look
from .rig_limits import fixed_colour, group_ceiling
from .settings import EngineSettings, cue_vocabulary, engine_settings

Method = Literal["rules", "llm", "llm_repaired", "rules_fallback"]


class LightingDecisionEngine:
    """Rules mode (the default) is deterministic: the same scene and knowledge give the same instruction.
    With `llm` settings, an OpenAI-compatible model proposes the look; the rules' look is its fallback."""

    def __init__(
        self, kb: KnowledgeBase | None = None, settings: EngineSettings | None = None, llm: LlmSettings | None = None
    ) -> None:
        self.kb = kb or load_knowledge()
        self.settings = settings or engine_settings()
        self.vocabulary = cue_vocabulary()
        self.llm = llm

    def decide(self, scene: Scene, knowledge: SceneKnowledge) -> LightingInstruction:
        """The scene's look on its own; `sequence` then sets transitions from the scene before."""
        composition = compose(scene, knowledge.rules, self.kb, self.settings)
        if self.llm is None:
            return self._finish(scene, knowledge, composition, composition.look, "rules")
        outcome = ask_for_look(scene, knowledge, self.kb, composition.look, self.llm)
        return self._finish(scene, knowledge, composition, outcome.look, outcome.method, outcome)

    def _finish(
        self,
        scene: Scene,
        knowledge: SceneKnowledge,
        composition: Composition,
        look: Look,
        method: Method,
        llm: LlmOutcome | None = None,
    ) -> LightingInstruction:
        apply_cues(look, scene.explicit_lighting, self.vocabulary, self.kb.rig, self.settings)
        self._respect_rig(look)
        seconds = scene.time_window.duration
        if look.transition_type == "cut":
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
        groups = [
            GroupInstruction(
                group_id=gid,
                parameters=GroupParameters(intensity=round(state.intensity, 3), color=state.colour, effect=state.effect),
                focus_area=state.focus_area,
                transition=transition,
            )
            for gid, state in look.groups.items()
        ]
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
            called_on=CueTrigger(kind="scene_start"),
            time_window=scene.time_window,
            groups=groups,
            metadata=InstructionMetadata(
                method=method,
                reasoning="; ".join(reasoning),
                # already validated as part of SceneKnowledge: no need to validate them again, one by one
                rules_used=[RuleUse.model_construct(rule_id=r.rule.rule_id, score=r.score) for r in knowledge.rules],
                honoured_cues=look.honoured,
                transition_source=source,
                notes=llm.notes if llm is not None else [],
            ),
        )

    def sequence(self, plan: list[LightingInstruction]) -> list[LightingInstruction]:
        """Continuity: transitions follow the size of the change between consecutive scenes."""
        return sequence(plan, self.kb, self.settings)

    def plan(self, scenes: list[Scene], knowledge: list[SceneKnowledge]) -> list[LightingInstruction]:
        """Decide every scene, then sequence them: the whole of Phase 4 without orchestration."""
        return self.sequence([self.decide(s, k) for s, k in zip(scenes, knowledge, strict=True)])

    def _respect_rig(self, look: Look) -> None:
        rig = self.kb.rig
        for group in rig.groups:
            state = look.groups[group.group_id]
            state.intensity = max(0.0, min(group_ceiling(rig, group.group_id), state.intensity))
            state.colour = fixed_colour(rig, group.group_id) or state.colour
            self.kb.colour(state.colour)  # an unknown colour is an error, never silently white
