"""What each DMX range of a channel does, in the classes Phase 8 acts on (vocabulary: data/capabilities.yaml).

QLC+ says it with presets where the definition has them, else with the capability's label and the channel's
group; the Open Fixture Library with typed capabilities. A label nothing here recognises is `unknown`, which
Phase 8 never sends: only positive evidence makes a range safe.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from .profiles import CapabilityClass, CapabilityRange
from .xml_files import load_data

UNSAFE = frozenset(("strobe", "random", "program", "sound", "macro", "reset", "lamp", "effect", "fog", "setting", "unknown"))
_WORDS = re.compile(r"[^a-z0-9%]+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_KELVIN = re.compile(r"\b\d[\d ]*k\b")


def words(label: str) -> str:
    """The label as lower-case words separated by one space (digits and % kept)."""
    return _WORDS.sub(" ", label.lower().replace("°k", "k").replace("°", " deg ")).strip()


def _alternatives(phrases: list[str] | tuple[str, ...], at: str = "any") -> re.Pattern[str] | None:
    """One regular expression for whole-word phrases: anywhere, at the start or at the end of the words."""
    if not phrases:
        return None
    body = "|".join(sorted((re.escape(words(p)) for p in phrases if words(p)), key=len, reverse=True))
    before = "^" if at == "start" else r"(?:^|(?<= ))"
    after = "$" if at == "end" else r"(?:$|(?= ))"
    return re.compile(f"{before}(?:{body}){after}")


@dataclass(frozen=True)
class _Rule:
    kind: CapabilityClass
    phrases: re.Pattern[str] | None
    exact: frozenset[str]
    starts: re.Pattern[str] | None
    ends: re.Pattern[str] | None
    first: frozenset[str]
    unless: re.Pattern[str] | None
    pattern: re.Pattern[str] | None
    groups: frozenset[str]
    max_words: int | None

    def matches(self, text: str, group: str) -> bool:
        if self.groups and group not in self.groups:
            return False
        if self.max_words is not None and text.count(" ") + 1 > self.max_words:
            return False
        if self.unless is not None and self.unless.search(text):
            return False
        if text in self.exact or (self.pattern is not None and self.pattern.search(text)):
            return True
        if self.starts is not None and self.starts.search(text):
            return True
        if self.ends is not None and self.ends.search(text):
            return not self.first or text.split(" ", 1)[0] in self.first
        return self.phrases is not None and self.phrases.search(text) is not None


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    rules = []
    for raw in load_data("capabilities")["label_rules"]:  # type: ignore[attr-defined]
        rules.append(
            _Rule(
                kind=raw["class"],
                phrases=_alternatives(raw.get("phrases", ())),
                exact=frozenset(words(p) for p in raw.get("exact", ())),
                starts=_alternatives(raw.get("starts", ()), "start"),
                ends=_alternatives(raw.get("ends", ()), "end"),
                first=frozenset(raw.get("first", ())),
                unless=_alternatives(raw.get("unless", ())),
                pattern=re.compile(raw["pattern"]) if raw.get("pattern") else None,
                groups=frozenset(raw.get("groups", ())),
                max_words=raw.get("max_words"),
            )
        )
    return tuple(rules)


def classify_label(label: str, group: str) -> CapabilityClass:
    """A QLC+ capability's class from its label and its channel's group (Intensity, Shutter, Colour...)."""
    data = load_data("capabilities")
    plain = words(_PARENTHESES.sub(" ", label))
    if plain and plain != words(label):  # "No function (shutter open)": the words outside say what it is, but
        outside = classify_label(_PARENTHESES.sub(" ", label), group)  # the words inside may still forbid it:
        whole = classify_label(plain + " " + words(label), group)  # "0-100% (auto programs must be active)"
        return whole if whole in UNSAFE and whole != "unknown" or outside == "unknown" else outside
    text = words(label)
    if not text:
        return "unknown"
    if group in ("Intensity", "Colour") and _KELVIN.search(text):
        return "colour"  # a colour temperature: 3200K, "10 000K -> 2 500K"
    for rule in _rules():
        if rule.matches(text, group):
            kind = rule.kind
            if kind in ("open", "neutral") and text.split()[0] == "open":
                kind = data["open_by_group"].get(group, kind)  # type: ignore[attr-defined]
            return kind
    return data["group_default"].get(group, "unknown")  # type: ignore[attr-defined,no-any-return]


@lru_cache(maxsize=65536)
def classify_qlc(label: str, group: str, preset: str | None, channel: str = "") -> CapabilityClass:
    """A QLC+ <Capability>: its preset when that says what the range does, else its label (and its channel's
    name: "Off" on a channel named Strobe is the strobe off)."""
    data = load_data("capabilities")
    presets: dict[str, CapabilityClass] = data["qlc_capability_presets"]  # type: ignore[assignment]
    kind = classify_label(label, group)
    if kind in ("closed", "neutral", "unknown") and words(label) in data["strobe_off_labels"]:  # type: ignore[operator]
        if set(words(channel).split()) & set(data["strobe_channel_words"]):  # type: ignore[arg-type]
            kind = "open"
    if preset and preset in presets and preset not in data["qlc_generic_capability_presets"]:  # type: ignore[operator]
        # A preset can say a range is safe while its label says it strobes: the unsafe reading wins.
        if kind in UNSAFE and kind != "unknown" or kind == "closed":
            return kind
        return presets[preset]
    if kind == "unknown" and preset in presets:
        return presets[preset]  # type: ignore[index]
    return kind


def decreasing(label: str) -> bool:
    """A level range that runs from bright to dark ("dimmer 100 - 0 %")."""
    padded = f" {words(label)} "
    return any(f" {words(p)} " in padded for p in load_data("capabilities")["decreasing_level"])  # type: ignore[attr-defined]


def preset_ranges(preset: str, name: str) -> tuple[CapabilityRange, ...]:
    """The one range QLC+ gives a channel that has a channel preset and no capabilities of its own."""
    data = load_data("capabilities")
    rest = data["qlc_preset_rest"].get(preset)  # type: ignore[attr-defined]
    kind = next((k for prefix, k in data["qlc_channel_presets"].items() if preset.startswith(prefix)), "unknown")  # type: ignore[attr-defined]
    label = f"{name} ({preset})"
    if rest is None:
        return (CapabilityRange(min=0, max=255, kind=kind, label=label),)
    at = int(rest["value"])
    still = CapabilityRange(min=at, max=at, kind=rest["class"], label=f"{label} at rest: taken as off")
    moving = CapabilityRange(min=1 if at == 0 else 0, max=255 if at == 0 else 254, kind=kind, label=label)
    return (still, moving) if at == 0 else (moving, still)


def classify_ofl(capability: dict[str, object], wheel_is_gobo: bool = False) -> CapabilityClass:
    """An Open Fixture Library capability: its type (and for ShutterStrobe its shutterEffect and timing)."""
    data = load_data("capabilities")
    kind = capability.get("type")
    if kind == "ShutterStrobe":
        if capability.get("randomTiming") is True:
            return "random"
        if capability.get("soundControlled") is True:
            return "sound"
        return data["ofl_shutter_effects"].get(capability.get("shutterEffect"), "unknown")  # type: ignore[attr-defined,no-any-return]
    if capability.get("soundControlled") is True:
        return "sound"
    if kind == "WheelSlot" and wheel_is_gobo:
        return "gobo"
    if kind == "Effect":
        name = str(capability.get("effectName") or capability.get("effectPreset") or "")
        return "program" if name else "unknown"
    return data["ofl_types"].get(kind, "unknown")  # type: ignore[attr-defined,no-any-return]


def at_rest(only: CapabilityRange) -> tuple[CapabilityRange, ...]:
    """A channel's one range running an effect from slow to fast: its slow end alone taken as at rest."""
    rule = load_data("capabilities")["rest_at_slow_end"]  # type: ignore[index]
    if only.kind not in rule["classes"] or (only.min, only.max) != (0, 255):  # type: ignore[index]
        return (only,)
    padded = f" {words(only.label)} "
    still = {"strobe": "open"}.get(only.kind, "neutral")
    note = f"{only.label} at its slow end: taken as still"
    if any(f" {words(p)} " in padded for p in rule["slow_to_fast"]):  # type: ignore[index]
        return (only.model_copy(update={"min": 0, "max": 0, "kind": still, "label": note}), only.model_copy(update={"min": 1}))
    if any(f" {words(p)} " in padded for p in rule["fast_to_slow"]):  # type: ignore[index]
        return (
            only.model_copy(update={"max": 254}),
            only.model_copy(update={"min": 255, "max": 255, "kind": still, "label": note}),
        )
    return (only,)
