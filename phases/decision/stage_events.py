"""A scene walked from top to bottom: the states its text opens and closes, and where.

Every direction is read by its action (actions.py), the people on stage are followed (population.py), light named
in the dialogue and changes of time inside the scene are read, and each moment that changes the stage becomes a
StagePoint holding the whole set of states open after it. A cue is then a target (the base plus those states),
never an increment on the cue before, so the stage returns to its state when it returns to its population."""

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from phases.contracts import Scene, TimeChange, TimeOfDay

from .actions import Act, read_direction
from .cue_design import CueDesign, CueKind
from .look_data import look_data
from .population import Population
from .scene_reading import SceneReading
from .stage_data import Stage, stage_vocabulary
from .stage_text import Direction, Speech

# States tied to the people on stage: an entrance takes them back (the stage returns to its population).
POPULATION_STATES = ("alone", "comic", "charm", "reveal", "news", "spectral", "presence")
# States that stay for the scene when its people come and go.
SCENE_STATES = ("scene", "storm", "battle", "fog", "darken", "glimmer", "place", "inner_play", "blackout", "overcast")
# Everything else goes with the people: an empty stage closes it.
PEOPLE_STATES = POPULATION_STATES + (
    "narrow", "aftermath", "death", "swoon", "sleep", "apparition", "light_in", "fire", "dance", "revel", "upper",
    "invisible", "masque", "figure", "quicken",
)  # fmt: skip
# What a vanish takes with it besides the apparitions: the show they made ("they heavily vanish").
VANISHING = ("dance", "masque", "figure", "revel")
# Moments seen without a word spoken: cued even after the scene's last speech.
SHOW_KINDS = frozenset(
    {"dance", "apparition", "death", "comic", "fight", "light_in", "fire", "storm", "blackout", "lightning", "thunder",
     "shot", "revel", "vanish", "swoon", "inner_play", "charm", "unmask", "masque", "transform", "presence",
     "invisible", "impact"}
)  # fmt: skip
_PLURAL = re.compile(r"^\s*(?:they|all|both|the\s+\w+s)\b", re.IGNORECASE)  # "They sleep", "All sleep but..."
_SCENE_NUMBER = re.compile(r"^\s*(?:ACT\s+\w+\.?\s*)?(?:SCENE\s+\w+\.?)?\s*", re.IGNORECASE)
_QUOTED = re.compile(r'"(.+)"\s*$', re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?;:]")
# Moments that pass: a bump over the state, then a follow back to it.
BUMP_KINDS = ("lightning", "thunder", "shot", "unmask", "transform", "impact")


@dataclass(frozen=True)
class Layer:
    """A state open on stage. `kind` says what it does; `key` tells two of a kind apart (two ghosts)."""

    kind: str
    key: str
    subjects: tuple[str, ...] = ()  # who carries it: a torch's bearer, the ghost, the one aloft
    area: str | None = None
    accent: str | None = None


@dataclass
class StagePoint:
    offset: int
    kind: str  # the CueTrigger kind: direction or line
    text: str
    cues: list[CueKind]  # what happened, strongest decides the label and fade
    layers: tuple[Layer, ...] = ()
    time: TimeOfDay | None = None
    bumps: tuple[str, ...] = ()  # lightning, thunder, a shot: a bump over the state, then a follow back
    follow: "StagePoint | None" = None  # the direction's second state (they dance, then go)
    population_only: bool = False  # only people coming and going
    lead: CueKind | None = None  # the moment that names the cue, when several were merged into one GO
    merged: tuple[str, ...] = ()  # the texts of the later moments merged into this GO (each honoured)


@dataclass
class SceneWalk:
    opening: tuple[Layer, ...]
    opening_time: TimeOfDay | None
    points: list[StagePoint] = field(default_factory=list)
    opening_transit: bool = False  # the opening direction walks a procession across before anyone speaks


class _Walker:
    def __init__(self, scene: Scene, seen: SceneReading, stage: Stage, cues: CueDesign) -> None:
        self.scene, self.seen, self.stage = scene, seen, stage
        self.death_areas = cues.death_areas
        self.alone_areas = cues.alone_areas
        self.soliloquists: list[str] = []
        speeches = [(s.offset, s.speaker) for s in seen.speeches if not s.offstage]
        entrances = [d.offset for d in seen.directions if _entrances(d.text)]
        exits = [
            (d.offset, a.names, bool(stage.bare_exit.fullmatch(d.text)))
            for d in seen.directions
            for a in read_direction(d.text)
            if a.action == "exit"
        ]
        self.pop = Population([s.speaker for s in seen.speeches], speeches, entrances, stage.chorus, exits)
        self.open: dict[str, Layer] = {}
        self.time = seen.time_of_day
        self.points: list[StagePoint] = []
        self.last_speaker: str | None = None
        self.counter = 0
        self.inner_play = False
        self.vigil_later = False
        self._entering_ghosts: tuple[str, ...] = ()
        self.dancing = False  # a dance a direction called: it ends when the dialogue resumes
        self.wounded = False  # a stab cued as the death, and no "Dies" nor anyone coming or going since

    # -- states
    def _open(self, layer: Layer) -> None:
        self.open.pop(layer.key, None)
        self.open[layer.key] = layer

    def _close(self, *kinds: str) -> bool:
        keys = [k for k, layer in self.open.items() if layer.kind in kinds]
        for key in keys:
            del self.open[key]
        return bool(keys)

    def _close_unowned(self, *kinds: str) -> bool:
        """States of these kinds that belong to nobody in particular (a charm on "He"): any exit takes them; one
        that names its subject goes only with them (_close_gone)."""
        keys = [k for k, layer in self.open.items() if layer.kind in kinds and not layer.subjects]
        for key in keys:
            del self.open[key]
        return bool(keys)

    def _close_gone(self, gone: list[str]) -> bool:
        """States carried by people who have left: a torch goes with its bearer, a ghost with itself."""
        keys = [
            k
            for k, layer in self.open.items()
            if layer.subjects and all(any(self.pop.same(s, g) for g in gone) for s in layer.subjects)
        ]
        for key in keys:
            if self.open[key].kind == "light_in" and "scene" in self.open and self.seen.moment == "vigil":
                del self.open["scene"]
            del self.open[key]
        return bool(keys)

    def _new_key(self, kind: str) -> str:
        self.counter += 1
        return f"{kind}:{self.counter}"

    def snapshot(self) -> tuple[Layer, ...]:
        return tuple(self.open.values())

    # -- the walk
    def walk(self, events: list[tuple[int, int, object]], first_speech: int) -> SceneWalk:
        if self.seen.moment is not None and not self.vigil_later:
            self._open(Layer("scene", "scene"))
        if self.seen.overcast:
            self._open(Layer("overcast", "sky"))
        opening_layers: tuple[Layer, ...] = self.snapshot()
        alone_at: dict[int, str] = {}
        for index, (offset, _, item) in enumerate(events):
            if isinstance(item, Speech):
                if item.offstage:
                    continue
                if self.dancing:  # the dance is over when they speak again
                    self.dancing = False
                    if self._close("dance"):
                        self._point(offset, "line", _first_line(self.scene.text, item), ["restore"])
                if self.pop.empty and offset > first_speech and not self._is_open("alone"):
                    self._alone_on_an_empty_stage(events, index, item, alone_at)  # an epilogue, a speech unannounced
                who = self.pop.speak(item.speaker)
                self.last_speaker = who
                if not item.continued and self._woken(who):  # a sleeper who speaks is awake
                    self._point(offset, "line", _first_line(self.scene.text, item), ["wake"])
                if offset in alone_at and alone_at[offset] == who and not self._is_open("alone"):
                    if not self.soliloquists or self.soliloquists[-1] != who:
                        self.soliloquists.append(who)  # the next one alone stands somewhere else
                    area = self.alone_areas[(len(self.soliloquists) - 1) % len(self.alone_areas)]
                    self._open(Layer("alone", "alone", (who,), area=area, accent=who))
                    kind: CueKind = "chorus" if self.pop.is_chorus(who) else "alone"  # a Chorus speaks to the house
                    self._point(offset, "line", _first_line(self.scene.text, item), [kind])
                continue
            if isinstance(item, Direction):
                cues = self._direction(item, events, index, alone_at)
                if cues:
                    self._point(item.offset, "direction", item.text, cues)
                continue
            kind, text, value = item  # type: ignore[misc]
            if kind == "heading":  # "The Queen of Fairies lying asleep": the tableau the scene opens on
                cues = [c for a in read_direction(text) if a.action in self.stage.heading_actions for c in self._act(a, text)]
            else:
                cues = self._spoken(kind, text) if kind != "time" else self._time_change(value)
            if cues:
                self._point(offset, "line", text, cues)
        transit = any(a.transit for d in self.seen.directions if d.offset < first_speech for a in read_direction(d.text))
        return SceneWalk(opening_layers, self.seen.time_of_day, self.points, transit)

    def _woken(self, who: str) -> bool:
        sleeping = [k for k, layer in self.open.items() if layer.kind == "sleep" and layer.subjects]
        awake = [k for k in sleeping if any(self.pop.same(who, s) for s in self.open[k].subjects)]
        for key in awake:
            del self.open[key]
        return bool(awake)

    def _is_open(self, kind: str) -> bool:
        return any(layer.kind == kind for layer in self.open.values())

    def _point(self, offset: int, kind: str, text: str, cues: list[CueKind]) -> None:
        bumps = tuple(c for c in cues if c in BUMP_KINDS)
        population_only = all(c in ("restore", "narrow") for c in cues)
        self.points.append(StagePoint(offset, kind, text, cues, self.snapshot(), self.time, bumps, None, population_only))
        self._settle()

    def _settle(self) -> None:
        """A death or a swoon is a moment: after its cue the stage settles (a follow) to its aftermath, the body
        or the fallen one still lit, until the stage fills again or they are carried off."""
        for key, layer in list(self.open.items()):
            if layer.kind in ("death", "swoon"):
                self.open[key] = Layer("aftermath", key, layer.subjects, layer.area, layer.kind)

    def _direction(
        self, direction: Direction, events: list[tuple[int, int, object]], index: int, alone_at: dict[int, str]
    ) -> list[CueKind]:
        """What the direction does to the stage; a direction that shows something and then clears the stage
        ("Dance. Then exeunt all but...") is recorded here as a point with a follow, and returns nothing."""
        acts = read_direction(direction.text)
        bout_over = "bout" in self.open and not any(a.action == "bout" for a in acts)
        if bout_over:  # "Wrastle." ... "Shout.": the throw has come, the bout is over
            del self.open["bout"]
        if not acts:
            return ["restore"] if bout_over else []
        cues: list[CueKind] = ["restore"] if bout_over else []
        before = self.pop.count()
        before_crowd = self.pop.crowd
        moved = False
        exited = False
        apparition = any(a.action == "apparition" for a in acts)
        invisible = any(a.action == "invisible" for a in acts)
        split: tuple[list[CueKind], tuple[Layer, ...]] | None = None
        left: list[str] = []
        opened_before = set(self.open)
        for act in acts:
            if act.action in ("enter", "exit"):
                self.wounded = False
            if act.action == "enter":
                moved = True
                added = self.pop.enter(act.names, act.crowd, act.chorus, act.leader)
                if act.transit:
                    self.pop.leave(act.names, act.crowd)
                    continue
                closing = POPULATION_STATES
                self.open.pop("glow", None)  # the light seen coming has come, or has not: the glow goes
                if act.crowd or self.pop.count() >= self.stage.narrow_from:
                    closing += ("narrow", "aftermath")  # the stage is back to its population
                if self._is_open("alone") and self._brief_visit(events, index, added):
                    closing = tuple(k for k in closing if k != "alone")  # a servant in and out: still alone
                if not (apparition or invisible) and self._close(*closing):
                    cues.append("restore")
                if act.masked and not self._is_open("revel"):
                    self._open(Layer("revel", "revel"))
                    cues.append("revel")
                if apparition or invisible:
                    self._entering_ghosts = tuple(added)
                elif self._is_open("masque") and added and not act.crowd:  # the masque's figures: each its special
                    for who in added:
                        self._open(Layer("figure", self._new_key("figure"), (who,)))
                    cues.append("masque")
                continue
            if act.action in ("exit", "retreat", "vanish") and split is None and any(c in SHOW_KINDS for c in cues):
                split = (list(cues), self.snapshot())  # they fight, then go: the fight, then what it leaves
            if act.action == "exit":
                moved = exited = True
                uppers = [k for k, layer in self.open.items() if layer.kind == "upper"]
                if act.aloft and not act.names and uppers:  # "Exit above": whoever is up there goes
                    gone = [s for k in uppers for s in self.open[k].subjects]
                    self.pop.leave(tuple(gone), False)
                    for key in uppers:
                        del self.open[key]
                    left += gone
                    cues.append("restore")
                    continue
                if act.staying:
                    gone = self.pop.keep_only(act.staying)
                elif act.rest:  # "Exeunt the rest": all but those who speak next
                    gone = self.pop.leave_the_rest(act.names, direction.offset)
                elif act.train:  # "Exeunt Caesar and his Train": with those who came with him, and the mutes
                    gone = self.pop.leave_with_train(act.names, direction.offset)
                elif act.names:
                    gone = self.pop.leave(act.names, act.crowd)
                elif act.everyone:
                    gone = self.pop.clear()
                elif act.crowd:
                    gone = self.pop.leave((), True)
                else:
                    gone = self.pop.leave((self.last_speaker,), False) if self.last_speaker else []
                left += gone
                closed = self._close_unowned("swoon", "charm", "reveal", "dance")
                closed = self.open.pop("glow", None) is not None or closed
                closed = self._close_gone(gone) or closed
                if self.stage.carried_off.search(direction.text):  # "Exeunt, bearing the body"
                    closed = self._close("aftermath", "death") or closed
                if self.pop.empty:  # (a body left lying is still lit until it is carried off)
                    closed = self._close(*(k for k in PEOPLE_STATES if k != "aftermath")) or closed
                if closed:
                    cues.append("restore")
                continue
            cues += self._act(act, direction.text)
        self._tie_storm(opened_before)
        if self.inner_play and self.stage.inner_play_end.search(direction.text):
            self.inner_play = False
            if self._close("inner_play", "comic"):
                cues.append("restore")
        if moved:
            cues += self._after_moving(events, index, alone_at, before, before_crowd, exited, left)
        if split is not None and split[1] != self.snapshot():  # they dance, then go: the dance, then a follow
            first, layers = split
            follow = StagePoint(direction.offset, "direction", direction.text, cues[len(first) :] or ["restore"],
                                self.snapshot(), self.time)  # fmt: skip
            bumps = tuple(c for c in first if c in BUMP_KINDS)
            self.points.append(StagePoint(direction.offset, "direction", direction.text, first, layers, self.time, bumps, follow))
            self._settle()
            return []
        return cues

    def _act(self, act: Act, text: str) -> list[CueKind]:
        action = act.action
        names = tuple(who for name in act.names for who in self.pop.resolve(name))
        if action in BUMP_KINDS:
            return [action]  # type: ignore[list-item]
        if action == "blackout":
            self._open(Layer("blackout", "blackout"))
            return ["blackout"]
        if action == "lights_up":
            return ["restore"] if self._close("blackout") else []
        if action == "storm":
            self._open(Layer("storm", "storm"))
            return ["storm"]
        if action == "apparition":
            self._close("alone")  # one alone is alone no longer
            subjects = self._entering_ghosts or names
            self._entering_ghosts = ()
            self._open(Layer("apparition", self._new_key("apparition"), subjects))
            return ["apparition"]
        if action == "vanish":
            if act.thing:  # "the banquet vanishes": a thing goes, the spirits stay
                return []
            return ["vanish"] if self._vanish(names) else []
        if action == "invisible":  # a spirit unseen by the others: a special on them, not the world's colour
            subjects = self._entering_ghosts or names
            self._entering_ghosts = ()
            if any(layer.kind == "invisible" and set(layer.subjects) == set(subjects) for layer in self.open.values()):
                return []
            self._open(Layer("invisible", self._new_key("invisible"), subjects))
            return ["invisible"]
        if action == "presence":  # a power heard, not seen: the supernatural colour until someone comes
            self._open(Layer("presence", "presence"))
            return ["presence"]
        if action == "masque":
            self._open(Layer("masque", "masque"))
            return ["masque"]
        if action == "transform":  # "with an ass's head": a supernatural hit on them, then the scene goes on
            return ["transform"]
        if action == "lower":
            statue = [k for k, layer in self.open.items() if layer.kind in ("reveal", "quicken") and names
                      and any(self.pop.same(n, s) for n in names for s in layer.subjects)]  # fmt: skip
            if statue:  # the one shown as a statue steps down: alive, and the room opens round them
                woken = self._is_open("quicken")
                for key in statue:
                    del self.open[key]
                if woken:
                    self._open(Layer("quicken", "quicken", names, accent="open"))
                return ["wake"]
            return ["restore"] if self._lower(names) else []
        if action in ("wound", "death"):
            if self.inner_play:
                self._open(Layer("comic", "comic"))
                return ["comic"]
            if self.wounded:
                self.wounded = action == "wound"
                return []  # "Stabbing him" ... "Dies", nobody coming or going between: one death, one cue
            self.wounded = action == "wound"
            if action == "death":  # the dead are on stage, but no longer in its population (nor left "alone")
                dead = self.pop.leave(names or ((self.last_speaker,) if self.last_speaker else ()), False)
                self._close_gone(dead)  # the one alone dies: the isolation gives way to the death
            held = next((layer for layer in self.open.values() if layer.kind in ("death", "aftermath")), None)
            after = self.death_areas.index(held.area) + 1 if held is not None and held.area in self.death_areas else 0
            self._close("battle", "swoon", "aftermath", "sleep", "alone")  # the next death, while the last is lit: the next pool
            self._open(Layer("death", "death", area=self.death_areas[after % len(self.death_areas)]))
            return ["death"]
        if action == "swoon":
            self._close("aftermath")
            self._open(Layer("swoon", "swoon", names))
            return ["swoon"]
        if action == "sleep":
            if act.crowd and not names:  # "Servants lie down": the extras bed down, no state of the stage
                return []
            if not names and not _PLURAL.match(text) and self.last_speaker:  # "Sleeps.": the one who spoke
                names = (self.last_speaker,)
            self._close("alone")  # the soliloquy is over: the sleeper lies in the sleep's own state
            self._open(Layer("sleep", self._new_key("sleep"), names))
            return ["sleep"]
        if action == "wake":  # not a dawn, nor brighter than the scene: the sleepers' darker state goes
            sleeping = [k for k, layer in self.open.items() if layer.kind == "sleep"]
            woken = [k for k in sleeping if not names or not self.open[k].subjects
                     or any(self.pop.same(n, s) for n in names for s in self.open[k].subjects)]  # fmt: skip
            for key in woken:  # "RICHMOND wakes": his sleep, not the king's
                del self.open[key]
            return ["restore"] if woken else []
        if action == "light_in":
            bearer = names[-1:] if names and not self.stage.set_down.search(text) else ()
            self.open.pop("glow", None)
            self._open(Layer("light_in", self._new_key("light_in"), bearer))
            if self.seen.moment == "vigil" and "scene" not in self.open:
                self._open(Layer("scene", "scene"))
            return ["light_in"]
        if action == "light_out":
            closed = self._close("light_in", "fire")
            if self.seen.moment == "vigil":
                closed = self._close("scene") or closed
            return ["light_out"] if closed else []
        if action == "fight":
            if not (self.seen.moment == "battle" and "scene" in self.open or self._is_open("battle")):
                self._open(Layer("battle", "battle"))
            return ["fight"]  # (a fight in a battle already playing changes nothing, and is no cue)
        if action == "bout":  # one wrestling or duel, not a battle: over at the next direction
            if self._is_open("battle") or self.seen.moment == "battle" and "scene" in self.open:
                return []
            self._open(Layer("battle", "bout"))
            return ["fight"]
        if action == "retreat":
            closed = self._close("battle", "aftermath")
            if self.seen.moment == "battle":
                closed = self._close("scene") or closed
            return ["retreat"] if closed else []
        if action == "dance":
            self._open(Layer("dance", "dance"))
            self.dancing = True
            return ["dance"]
        if action in ("reveal", "charm"):
            self._open(Layer(action, action, names))
            return [action]  # type: ignore[list-item]
        if action == "upper":
            uppers = [layer for layer in self.open.values() if layer.kind == "upper"]
            if uppers and (not names or any(self.pop.same(n, s) for n in names for u in uppers for s in u.subjects)):
                return []  # "[Above.]" over a speech from up there: already lit
            self._open(Layer("upper", self._new_key("upper"), names))
            return ["upper"]
        if action == "place":
            self._open(Layer("place", "place"))
            return ["place"]
        if action == "inner_play":
            self.inner_play = True
            self._open(Layer("inner_play", "inner_play"))
            return ["inner_play"]
        return []

    def _alone_on_an_empty_stage(
        self, events: list[tuple[int, int, object]], index: int, speech: Speech, alone_at: dict[int, str]
    ) -> None:
        speeches, _ = _speeches_until_entrance(events, index - 1, lambda s: self.pop.same(s.speaker, speech.speaker))
        if speeches:
            if sum(s.lines for s in speeches) >= self.stage.alone_min_lines:
                alone_at[speech.offset] = self.pop.resolve(speech.speaker)[0]

    def _brief_visit(self, events: list[tuple[int, int, object]], index: int, added: list[str]) -> bool:
        """Those who come in to someone alone leave again soon, and nobody else comes: the soliloquy goes on."""
        soloist = next((layer.subjects for layer in self.open.values() if layer.kind == "alone"), ())
        lines = 0
        for _, _, item in events[index + 1 :]:
            if isinstance(item, Speech) and not item.offstage:
                lines += item.lines
                if lines > self.stage.alone_brief_lines:
                    return False
            if not isinstance(item, Direction):
                continue
            acts = [a for a in read_direction(item.text) if a.action in ("enter", "exit")]
            if any(a.action == "enter" for a in acts):
                return False
            if acts:
                names = [n for a in acts for n in a.names]
                bare = all(not a.names and not a.staying for a in acts)
                return bare or all(any(self.pop.same(n, who) for n in names) for who in added if who not in soloist)
        return False

    def _vanish(self, names: tuple[str, ...]) -> bool:
        ghosts = [k for k, layer in self.open.items() if layer.kind in ("apparition", "invisible")]
        show = self._close(*VANISHING)  # "The Witches dance, and then vanish"; a masque's spirits "heavily vanish"
        if not ghosts:
            return show
        named = [k for k in ghosts if names and any(self.pop.same(n, s) for n in names for s in self.open[k].subjects)]
        everyone = bool(names) and any(n.endswith("S") for n in names)  # "Witches vanish": all of them
        gone: list[str] = []
        for key in named if named and not everyone else (ghosts if everyone or not names else ghosts[-1:]):
            gone += self.open.pop(key).subjects
        self._close_gone(gone)  # what the spirit brought goes with it (the harpy's thunder and lightning)
        return True

    def _tie_storm(self, opened_before: set[str]) -> None:
        """A storm a direction brings on with a spirit ("Thunder and lightning. Enter ARIEL, like a harpy") is the
        spirit's, not the scene's: it ends when the spirit vanishes or leaves. A scene of storm keeps its own."""
        storm = self.open.get("storm")
        if storm is None or "storm" in opened_before or storm.subjects or self.seen.moment == "storm":
            return
        risen = [
            who
            for key, layer in self.open.items()
            if key not in opened_before and layer.kind in ("apparition", "invisible")
            for who in layer.subjects
        ]
        if risen:
            self.open["storm"] = replace(storm, subjects=tuple(dict.fromkeys(risen)))

    def _lower(self, names: tuple[str, ...]) -> bool:
        """ "Descends", "comes down": the one aloft comes down, else the apparition that rose goes."""
        uppers = [k for k, layer in self.open.items() if layer.kind == "upper"]
        mine = [k for k in uppers if names and any(self.pop.same(n, s) for n in names for s in self.open[k].subjects)]
        if mine or (uppers and not names):
            del self.open[(mine or uppers)[-1]]
            return True
        ghosts = [k for k, layer in self.open.items() if layer.kind == "apparition"]
        if ghosts and not names:
            del self.open[ghosts[-1]]
            return True
        return False

    def _after_moving(
        self,
        events: list[tuple[int, int, object]],
        index: int,
        alone_at: dict[int, str],
        before: int,
        before_crowd: bool,
        exited: bool,
        left: list[str],
    ) -> list[CueKind]:
        """A character left alone (isolated when they speak), or a crowd thinned to a few (the stage narrows)."""
        present = self.pop.named
        who = self.pop.alone(events[index][0], exited)  # the one speaker left: mutes, a body, a train are no company
        if who is not None and not self._is_open("alone"):
            speeches, returning = _speeches_until_entrance(events, index, lambda s: self.pop.same(s.speaker, who))
            lines = sum(s.lines for s in speeches)
            back = any(self.pop.same(n, g) for a in returning for n in a.names for g in left)
            brief = back and lines < self.stage.alone_return_lines  # stepping out and straight back in
            if speeches and not brief:
                if lines >= self.stage.alone_min_lines:
                    alone_at[speeches[0].offset] = self.pop.resolve(speeches[0].speaker)[0]
                    return []
        left = before - self.pop.count()
        if (
            exited
            and 2 <= len(present) <= self.stage.narrow_to
            and not self.pop.crowd
            and (before >= self.stage.narrow_from and left >= self.stage.narrow_leaving or before_crowd)
            and not self._is_open("narrow")
        ):
            speeches, _ = _speeches_until_entrance(events, index, lambda s: any(self.pop.same(s.speaker, p) for p in present))
            if speeches:
                self._open(Layer("narrow", "narrow", tuple(present)))
                return ["narrow"]
        return []

    def _spoken(self, kind: str, text: str) -> list[CueKind]:
        if kind == "light_in":
            if self._is_open("light_in"):
                return []
            if self.stage.in_hand.search(text) and self.last_speaker:  # "This lanthorn doth the horned moon present"
                self._open(Layer("light_in", self._new_key("light_in"), (self.last_speaker,)))
            else:  # a light called for, or seen coming: a glow, until it is brought on or the stage changes
                self._open(Layer("light_in", "glow", accent="glow"))
            return ["light_in"]
        if kind == "fire":
            if self._is_open("fire"):
                return []
            self._open(Layer("fire", "fire", accent="fire"))
            return ["fire"]
        if kind == "light_out":
            return ["light_out"] if self._close("light_in", "fire") else []
        if kind in ("glimmer", "fog", "darken"):
            if self._is_open(kind):
                return []
            storm = self.open.get("storm_said")  # the day frowning over a storm someone saw begin: theirs
            self._open(Layer(kind, kind, storm.subjects if storm else ()))
            return [kind]  # type: ignore[list-item]
        if kind == "upper":
            self._open(Layer("upper", self._new_key("upper")))
            return ["upper"]
        if kind == "invisible":  # "I am invisible": a spirit's special on the speaker, until they go
            if self._is_open("invisible") or not self.last_speaker:
                return []
            self._open(Layer("invisible", "invisible", (self.last_speaker,)))
            return ["charm"]
        if kind == "news":  # news of a death: the stage tightens on those who hear it
            self._open(Layer("news", "news"))
            return ["news"]
        if kind == "storm":  # "The storm begins": the storm of those who see it, gone when they are
            if self._is_open("storm") or self.seen.moment == "storm" and "scene" in self.open:
                return []
            self._open(Layer("storm", "storm_said", (self.last_speaker,) if self.last_speaker else ()))
            return ["storm"]
        if kind == "spectral":  # "The lights burn blue"
            if self._is_open("spectral"):
                return []
            self._open(Layer("spectral", "spectral"))
            return ["spectral"]
        if kind in ("ended", "clear"):  # "The charm dissolves", "the storm is past"
            ended = kind == "ended"
            closed = self._close(*(self.stage.ended_closes if ended else self.stage.clear_closes))
            moments = self.stage.moments_end_spoken if ended else self.stage.moments_clear
            if self.seen.moment in moments and "scene" in self.open:
                del self.open["scene"]
                closed = True
            return [kind] if closed else []  # type: ignore[list-item]
        if kind == "charm":  # a charm spoken over a sleeper ("upon thy eyes I throw"): only where one sleeps
            sleepers = [layer for layer in self.open.values() if layer.kind == "sleep"]
            if not sleepers or self._is_open("charm"):
                return []
            self._open(Layer("charm", self._new_key("charm"), sleepers[-1].subjects))
            return ["charm"]
        if kind == "quicken":  # "Music, awake her": the one shown (a statue) or asleep comes to life
            held = [layer for layer in self.open.values() if layer.kind in ("reveal", "sleep")]
            if not held or self._is_open("quicken"):
                return []
            self._open(Layer("quicken", "quicken", held[-1].subjects))
            return ["quicken"]
        return []

    def _time_change(self, change: tuple[TimeOfDay, bool]) -> list[CueKind]:
        """A new time, or the same time under another sky; some times end the scene's moment (daybreak the
        fairies' wood, midnight the revels)."""
        to, overcast = change
        if to == self.time and overcast == self._is_open("overcast"):
            return []
        self.time = to
        self._close("fog", "darken", "glimmer", "overcast")
        if overcast:
            self._open(Layer("overcast", "sky"))
        if to in look_data().moment_ends_at.get(self.seen.moment, ()):  # type: ignore[call-overload]
            self._close("scene")
        return ["time"]


def _speeches_until_entrance(
    events: list[tuple[int, int, object]], index: int, accept: Callable[[Speech], bool]
) -> tuple[list[Speech], list[Act]]:
    """The speeches after events[index] up to the next direction that brings someone on, and its entrances; or
    nothing, as soon as one of them is a speech `accept` refuses (so a long scene is never read twice over)."""
    found: list[Speech] = []
    for position in range(index + 1, len(events)):
        item = events[position][2]
        if isinstance(item, Direction):
            entering = _entrances(item.text)
            if entering:
                return found, list(entering)
        if isinstance(item, Speech) and not item.offstage:
            if not accept(item):
                return [], []
            found.append(item)
    return found, []


@lru_cache(maxsize=4096)
def _entrances(text: str) -> tuple[Act, ...]:
    """Who comes on: an entrance, or a ghost that rises (it ends one alone as an entrance does)."""
    return tuple(a for a in read_direction(text) if a.action == "enter" and not a.transit or a.action == "apparition")


def _first_line(text: str, speech: Speech) -> str:
    """The speech's first line as the cue's text: "MACBETH: Is this a dagger...", or the words themselves where the
    speaker goes on after a direction ("O sun, thy uprise shall I see no more: (ANTONY)")."""
    rows = [r.strip() for r in text[speech.offset : speech.offset + 200].split("\n") if r.strip()]
    if speech.continued:
        return f"{rows[0] if rows else ''} ({speech.speaker})"
    if rows and rows[0].startswith(speech.speaker + ".") and len(rows[0]) > len(speech.speaker) + 1:
        return f"{speech.speaker}: {rows[0][len(speech.speaker) + 1 :].strip()}"  # "Orl. As I remember..."
    named = rows and rows[0].rstrip(".") in (speech.speaker, speech.speaker.upper())  # "HAMLET." or "Ham." alone
    words = rows[1] if named and len(rows) > 1 else (rows[0] if rows else "")
    return f"{speech.speaker}: {words}"


def _spoken_events(scene: Scene, seen: SceneReading, stage: Stage, first_speech: int) -> list[tuple[int, int, object]]:
    """Light named in the dialogue, in the present or the imperative, and news of a death in a short speech:
    (offset of its line, order, (action, line, None))."""
    text = scene.text
    spans = [(d.offset, d.end) for d in seen.directions]
    starts = [s.offset for s in seen.speeches]
    found: list[tuple[int, int, object]] = []
    lines_seen: set[int] = set()
    for word in stage.spoken_words.finditer(text, first_speech):  # a cheap pass: lines with a word that matters
        line_start = text.rfind("\n", 0, word.start()) + 1
        if line_start in lines_seen:
            continue
        lines_seen.add(line_start)
        line_end = text.find("\n", word.start())
        raw = text[line_start : line_end if line_end >= 0 else len(text)]
        words = {w.group(0).lower() for w in stage.spoken_words.finditer(raw)}
        entries = sorted({i for w in words for i in stage.spoken_by_word.get(w, ())})  # in the vocabulary's order
        taken: list[tuple[int, int]] = []
        for match, action in ((m, stage.spoken[i][1]) for i in entries for m in stage.spoken[i][0].finditer(raw)):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue  # (the same words read by an earlier entry)
            taken.append((match.start(), match.end()))
            at = line_start + match.start()
            if any(start <= at < end for start, end in spans):
                continue
            sentence = _sentence(text, at, line_start + match.end())
            if (stage.not_yet if action == "light_out" else stage.not_now).search(sentence):
                continue
            if action != "light_out" and stage.negation.search(text[_sentence_start(text, at) : line_start + match.end()]):
                continue  # "the sun will not shine": a negation up to the words themselves
            speech = bisect.bisect_right(starts, at) - 1
            if speech >= 0 and seen.speeches[speech].offstage:
                continue  # "[Within.] Give us a light there": heard, not on stage
            limit = stage.spoken_max_lines.get(action)
            if limit is not None and (speech < 0 or seen.speeches[speech].lines > limit):
                continue
            found.append((line_start, 1, (action, raw.strip(), None)))
    return found


def _sentence(text: str, start: int, end: int) -> str:
    after = _SENTENCE_END.search(text, end)
    return text[_sentence_start(text, start) : after.start() if after else min(len(text), end + 200)]


def _sentence_start(text: str, at: int) -> int:
    return max((m.end() for m in _SENTENCE_END.finditer(text, max(0, at - 200), at)), default=max(0, at - 200))


def _time_changes(scene: Scene) -> list[tuple[int, TimeChange]]:
    return [(max(0, min(c.start_char, len(scene.text))), c) for c in scene.time_changes]


def _said_at(text: str, at: int, evidence: str) -> str:
    """The words a time change is called on: Phase 1's deciding words ('dialogue: "..."') where they stand at its
    place; else the line there (a new time after the stage empties comes with the next entrance)."""
    quoted = _QUOTED.search(evidence)
    words = quoted[1] if quoted else evidence
    if text.startswith(words, at):
        return words
    line = text[at:].lstrip().split("\n", 1)[0].strip()
    return line or words


def walk_scene(scene: Scene, seen: SceneReading, cues: CueDesign) -> SceneWalk:
    """The scene's states, from its opening to its last line."""
    stage = stage_vocabulary()
    first_speech = seen.speeches[0].offset if seen.speeches else len(scene.text)
    events: list[tuple[int, int, object]] = [(d.offset, 0, d) for d in seen.directions]
    events += [(s.offset, 2, s) for s in seen.speeches]
    events += _spoken_events(scene, seen, stage, first_speech)
    events += [
        (at, 1, ("time", _said_at(scene.text, at, c.evidence), (c.to, c.overcast))) for at, c in _time_changes(scene)
    ]
    if scene.heading:
        events.append((0, -1, ("heading", _SCENE_NUMBER.sub("", scene.heading), None)))
    events.sort(key=lambda e: (e[0], e[1]))
    walker = _Walker(scene, seen, stage, cues)
    if seen.moment == "vigil":
        lights = [d for d in seen.directions if any(a.action == "light_in" for a in read_direction(d.text))]
        walker.vigil_later = bool(lights) and lights[0].offset > first_speech
    return walker.walk(events, first_speech)
