"""Explicit lighting directions from the script override the composed look."""

import re

from phases.contracts import Effect, Rig

from .look import Look
from .settings import CueRule, EngineSettings

_SPEED_WORDS = {
    "snap": "snap",
    "quick": "quick",
    "fast": "quick",
    "medium": "medium",
    "med": "medium",
    "slow": "slow",
    "very slow": "very_slow",
}
_FOCUS = re.compile(r"\b(DSL|DSR|DSC|DC|USL|USR|USC|CS|SL|SR)\b", re.IGNORECASE)
_SPOT_ON = re.compile(r"spot(?:light)?s?\s+(?:on|picks out|finds)\s+([A-Z][\w'’]*(?:\s+[A-Z][\w'’]*)?)", re.IGNORECASE)


def apply_cues(look: Look, cues: list[str], vocabulary: tuple[CueRule, ...], rig: Rig, settings: EngineSettings) -> None:
    for cue in cues:
        actions = []
        for rule in vocabulary:
            match = rule.regex.search(cue)
            if match:
                actions.append((rule, match))
                if rule.entry.exclusive:
                    break
        for rule, match in actions:
            _apply(look, cue, rule, match, rig, settings)
        if actions:
            look.honoured.append(cue)


def _apply(look: Look, cue: str, rule: CueRule, match: re.Match[str], rig: Rig, settings: EngineSettings) -> None:
    groups = look.groups
    action = rule.entry.action
    if action == "speed":
        look.speed = _SPEED_WORDS.get(match.group(1).lower(), "medium")
        look.transition_type = look.transition_type or "fade"
    elif action == "blackout":
        for state in groups.values():
            state.intensity, state.effect = 0.0, None
        look.transition_type = "cut" if re.search(r"cut|snap|black ?out", cue, re.I) else "fade"
        look.notes.append(f"blackout: every group to 0 ({look.transition_type})")
    elif action == "cut":
        look.transition_type = "cut"
    elif action == "fade_in":
        look.transition_type = look.transition_type or "fade"
    elif action == "lights_up":
        for state in groups.values():
            if state.intensity > 0:  # a dark special stays dark: lights up is the stage, not every fixture
                state.intensity = min(1.0, state.intensity * 1.2 + 0.05)
        look.transition_type = look.transition_type or "fade"
    elif action == "lights_down":
        for state in groups.values():
            state.intensity *= 0.6
        look.transition_type = "fade"
    elif action == "isolate":
        area = _FOCUS.search(cue)
        who = _SPOT_ON.search(cue)
        for gid, state in groups.items():
            if gid == "specials":
                state.intensity = settings.special_level
                state.focus_area = area.group(1).upper() if area else (who.group(1) if who else "CS")
            else:
                state.intensity = min(state.intensity, settings.isolation_level)
        look.notes.append("isolation: specials up, other groups held low")
    elif action == "flash":
        depth = rule.entry.depth or 1.0
        for gid in ("back_light", "side_fill"):
            if gid in groups:
                current = groups[gid].effect
                if current is not None and current.type == "flash":
                    depth = max(depth, current.depth)  # "thunder and lightning": the lightning's full flash wins
                groups[gid].effect = Effect(type="flash", rate_hz=0.5, depth=depth, duration=8.0)
                groups[gid].colour = "cool_white"
                groups[gid].intensity = max(groups[gid].intensity, 0.3)
    elif action == "flicker":
        if "side_fill" in groups:
            groups["side_fill"].colour = "deep_golden_amber"
            groups["side_fill"].intensity = max(groups["side_fill"].intensity, 0.35)
            groups["side_fill"].effect = Effect(type="flicker", rate_hz=8.0, depth=0.25)
    elif action == "moonlight":
        if "back_light" in groups:
            groups["back_light"].colour = "moonlight_blue"
            groups["back_light"].intensity = max(groups["back_light"].intensity, 0.4)
    elif action in ("chase", "pulse"):
        for gid in ("ambient", "side_fill"):
            if gid in groups:
                groups[gid].effect = Effect(type=action, rate_hz=2.0 if action == "chase" else 1.0, depth=0.6)
                groups[gid].intensity = max(groups[gid].intensity, 0.5)
    elif action == "wash" and rule.entry.level is not None:
        for gid, state in groups.items():
            if gid != "specials":
                state.intensity = rule.entry.level
        look.transition_type = look.transition_type or "fade"
    elif action == "full":
        for gid, state in groups.items():
            state.intensity = max(state.intensity, 0.85 if gid != "specials" else 0.0)
    elif action == "preset":
        for gid, state in groups.items():
            state.intensity = {"ambient": 0.6, "front_wash": 0.2}.get(gid, 0.0)
            if gid == "ambient":
                state.colour = "bastard_amber"
    elif action == "colour" and rule.entry.colour:
        for gid in ("front_wash", "side_fill", "back_light", "ambient"):
            if gid in groups and any("color" in f.capabilities for f in rig.fixtures_in(gid)):
                groups[gid].colour = rule.entry.colour
