"""LightingDecisionEngine: a scene plus its retrieved knowledge becomes a LightingInstruction."""

from phases.contracts import (
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

from .compose import compose
from .continuity import clamp_duration, rules_transition, sequence
from .explicit_cues import apply_cues
from .look import Look
from .settings import EngineSettings, cue_vocabulary, engine_settings


class LightingDecisionEngine:
    """Rules mode: deterministic. The same scene, knowledge and previous cue give the same instruction."""

    def __init__(self, kb: KnowledgeBase | None = None, settings: EngineSettings | None = None) -> None:
        self.kb = kb or load_knowledge()
        self.settings = settings or engine_settings()
        self.vocabulary = cue_vocabulary()

    def decide(self, scene: Scene, knowledge: SceneKnowledge) -> LightingInstruction:
        """The scene's look on its own; `sequence` then sets transitions from the scene before."""
        composition = compose(scene, knowledge.rules, self.kb, self.settings)
        look = composition.look
        apply_cues(look, scene.explicit_lighting, self.vocabulary, self.kb.rig, self.settings)
        self._respect_rig(look)
        seconds = scene.time_window.duration
        if look.transition_type == "cut":
            transition, source, why = Transition(type="cut", duration=0.0), "script", "the script calls for a cut"
        elif look.transition_type or look.speed:
            speed = look.speed or "medium"
            duration = clamp_duration(self.settings.speed_seconds[speed], seconds, self.settings)
            transition, source, why = Transition(type="fade", duration=duration), "script", f"the script calls for a {speed} fade"
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
        if source == "script":
            reasoning.append(f"{transition.type} over {transition.duration:g} s: {why}")
        if scene.emotion is None:
            reasoning.insert(0, "no emotion read: location, time of day and script type rules lead")
        return LightingInstruction(
            scene_id=scene.scene_id,
            time_window=scene.time_window,
            groups=groups,
            metadata=InstructionMetadata(
                method="rules",
                reasoning="; ".join(reasoning),
                rules_used=[RuleUse(rule_id=r.rule.rule_id, score=r.score) for r in knowledge.rules],
                honoured_cues=look.honoured,
                transition_source=source,
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
            fixtures = rig.fixtures_in(group.group_id)
            ceiling = min(group.max_intensity, max(f.constraints.max_intensity for f in fixtures))
            state.intensity = max(0.0, min(ceiling, state.intensity))
            if not any("color" in f.capabilities for f in fixtures):
                state.colour = fixtures[0].fixed_color or state.colour
            self.kb.colour(state.colour)  # an unknown colour is an error, never silently white
