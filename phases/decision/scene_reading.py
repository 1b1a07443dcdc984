"""What Phase 4 reads from a scene's own words: its stage directions and speakers with their places in the
text, its time of day, interior or exterior, and the moment the whole scene is about (storm, vigil...)."""

import re
from dataclasses import dataclass, field
from typing import Literal

from phases.contracts import Scene, TimeOfDay

from .design_data import DirectionRule, Moment, any_direction, reading
from .look_data import look_data, place_pattern
from .stage_text import Direction, Speech, find_directions, find_speeches

SceneMoment = Literal["vigil", "storm", "supernatural", "cave", "battle", "feast"]
DARK_TIMES = {"night", "midnight", "evening", "dusk"}  # the gold files' classes: dawn is light, dusk dark

_ACT_PREFIX = re.compile(r"^ACT\s+\w+\.?\s*", re.IGNORECASE)
_ALL_BUT = re.compile(r"\b(?:all but|manet|manent)\b", re.IGNORECASE)


@dataclass
class SceneReading:
    directions: list[Direction]
    speeches: list[Speech]
    time_of_day: TimeOfDay | None
    setting: Literal["interior", "exterior"] | None
    moment: SceneMoment | None
    look: str  # the base look its function, time and place choose (data/looks.yaml)
    light: Literal["day", "night"]  # the world that look belongs to
    notes: list[str] = field(default_factory=list)
    overcast: bool = False  # a light time under a sunless sky (Phase 1's reading)
    selections: dict[int, object] = field(default_factory=dict)  # the scene's chosen cue points, per design settings


def moments_of(direction: Direction, rules: tuple[DirectionRule, ...]) -> list[tuple[Moment, float]]:
    """Every moment the direction calls for, in vocabulary order, each once."""
    seen: dict[Moment, float] = {}
    if not any_direction().search(direction.text):
        return []
    for rule in rules:
        if rule.moment not in seen and rule.regex.search(direction.text):
            seen[rule.moment] = rule.depth
    if "storm" in seen:
        seen.pop("lightning", None)
    if "vanish" in seen:
        seen.pop("ghost", None)
    return list(seen.items())


def _setting(scene: Scene) -> Literal["interior", "exterior"] | None:
    if scene.setting:
        return scene.setting
    data = reading()
    place = f"{scene.heading or ''} {scene.location or ''}"
    if data.exterior.search(place):  # "before the castle", "a platform": outside, whatever the building
        return "exterior"
    if data.interior.search(place):
        return "interior"
    return None


def _opening(directions: list[Direction], speeches: list["Speech"], text: str) -> list[Direction]:
    """The directions before anyone speaks (at most three): what the stage looks like as the scene begins."""
    limit = speeches[0].offset if speeches else max(400, len(text) // 8)
    return [d for d in directions if d.offset <= limit][:3]


def _moment(
    scene: Scene, directions: list[Direction], speeches: list["Speech"], rules: tuple[DirectionRule, ...]
) -> SceneMoment | None:
    data = reading()
    place = f"{scene.heading or ''} {scene.location or ''}"
    opening = _opening(directions, speeches, scene.text)
    # A vigil is a scene lit by its carried light: the taper comes in during its first part, not at its end
    # (a taper brought in late is a cue inside the scene, not the whole scene's state).
    early = len(scene.text) * data.vigil_within
    if data.vigil.search(place) or any(data.vigil.search(d.text) for d in directions if d.offset <= early):
        return "vigil"
    heading_like = Direction(0, 0, place)
    opening_moments = {m for d in [heading_like, *opening] for m, _ in moments_of(d, rules)}
    if "storm" in opening_moments:
        return "storm"
    if "ghost" in opening_moments:
        return "supernatural"
    if (data.cave.search(place) or any(data.cave.search(d.text) for d in opening)) and not _daylit(scene):
        return "cave"
    if "battle" in opening_moments:
        return "battle"
    if data.feast.search(place) or any(data.feast.search(d.text) for d in opening):
        return "feast"
    start = _body_start(scene)
    talk = scene.text[start : start + int(data.feast_talk_share * (len(scene.text) - start))]
    if len(data.feast_talk.findall(talk)) >= data.feast_talk_min:  # "What revels are in hand?"
        return "feast"
    return None


def _daylit(scene: Scene) -> bool:
    """The scene's own words say it is light: a monument or a cave mouth where the text keeps the day is a room
    in daylight, not an enclosed dark place."""
    return scene.time_of_day_source == "own" and scene.time_of_day is not None and scene.time_of_day not in DARK_TIMES


def _body_start(scene: Scene) -> int:
    """Where the scene proper starts in its text: after its heading (a first scene may carry the title page
    and the list of persons before it)."""
    if scene.heading:
        for heading in (scene.heading, _ACT_PREFIX.sub("", scene.heading)):
            at = scene.text.find(heading) if heading else -1
            if at >= 0:
                return at
    return 0


def read_scene(scene: Scene, rules: tuple[DirectionRule, ...]) -> SceneReading:
    """What the scene's words say. Read once per scene text: Phase 7's replan and the next call of the same scene
    find it in a small cache (the reading is a pure function of these fields; treat it as read-only)."""
    key = (scene.text, scene.heading, scene.location, scene.time_of_day, scene.overcast, scene.setting, id(rules))
    cached = _READINGS.get(key)
    if cached is not None:
        return cached
    if len(_READINGS) >= _READINGS_MAX:
        _READINGS.clear()
    _READINGS[key] = reading = _read_scene(scene, rules)
    return reading


def clear_reading_cache() -> None:
    _READINGS.clear()


_READINGS: dict[tuple[object, ...], SceneReading] = {}
_READINGS_MAX = 4096


def _read_scene(scene: Scene, rules: tuple[DirectionRule, ...]) -> SceneReading:
    start = _body_start(scene)
    found = find_directions(scene.text)
    directions = [d for d in found if d.offset >= start]
    notes: list[str] = []
    time = scene.time_of_day  # Phase 1's one reading of time; undecided stays undecided
    speeches = [s for s in find_speeches(scene.text, found) if s.offset >= start]
    moment = _moment(scene, directions, speeches, rules)
    setting = _setting(scene)
    look = choose_look(scene, time, setting, moment, scene.overcast)
    return SceneReading(
        directions=directions,
        speeches=speeches,
        time_of_day=time,
        setting=setting,
        moment=moment,
        look=look,
        light=look_data().looks[look].light,
        notes=notes,
        overcast=scene.overcast,
    )


def choose_look(
    scene: Scene, time: TimeOfDay | None, setting: str | None, moment: SceneMoment | None, overcast: bool = False
) -> str:
    """The first look in data/looks.yaml whose conditions the scene's function, time, sky and place meet."""
    light = "unknown" if time is None else "dark" if time in DARK_TIMES else "light"
    place = f"{scene.heading or ''} {scene.location or ''}"
    data = look_data()
    for choice in data.choose:
        if (
            (choice.moment is None or choice.moment == moment)
            and (choice.light is None or choice.light == light)
            and (choice.time is None or time in choice.time)
            and (choice.overcast is None or choice.overcast == overcast)
            and (choice.setting is None or choice.setting == setting)
            and (choice.place is None or place_pattern(choice.place).search(place))
        ):
            return choice.look
    return data.choose[-1].look


def final_exit(scene: Scene) -> Direction | None:
    """The scene's last Exit or Exeunt, when it closes the scene: in its last stretch, and nobody speaks after it
    (an epilogue after the last Exeunt is spoken in light, and the fade comes after it)."""
    found = find_directions(scene.text)
    exits = [d for d in found if d.is_exit and d.offset >= _body_start(scene)]
    if not exits or exits[-1].offset < 0.8 * len(scene.text):
        return None
    if any(s.offset > exits[-1].offset and s.lines for s in find_speeches(scene.text, found)):
        return None
    return exits[-1]


def is_all_but(direction: Direction) -> bool:
    return bool(_ALL_BUT.search(direction.text))
