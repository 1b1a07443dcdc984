"""Phase 1's one reader of time: a scene's time of day with its evidence, and the changes of time inside it.

Best evidence first: a time the heading states (its light; the opening's own words may say which time of
that light it is); the scene's own words that say what time it is now (read in
its opening, never in its last lines); the time of the scene before, where the text carries it on; and last,
the scene's words about other times read back to now (a night to come: not night yet). Inside the scene, words
that move the time (the day breaks, the sun sets, midnight strikes) and an emptied stage after which the words
tell another time are changes of time, each with its words. Words about the sky ("the sun will not be seen
to-day", "the day frowns") say a light time is overcast, from the opening or from where they are said.
"""

import dataclasses
from dataclasses import dataclass
from typing import Literal

from .time_mentions import Mention, SceneWords
from .time_words import TimeVocabulary, time_vocabulary

Source = Literal["heading", "own", "carried"]


@dataclass(frozen=True)
class Before:
    """The scene before, as far as time goes."""

    scene_id: str
    time: str | None  # its time at its end, after its changes
    own: bool  # read from its own heading or words, not carried from further back
    same_act: bool
    continues: bool  # this scene's heading carries the action on: "The same.", CONTINUOUS, no place of its own
    overcast: bool = False  # its sky at its end was overcast


@dataclass(frozen=True)
class Change:
    start_char: int
    to: str
    evidence: str
    overcast: bool = False  # the sky from here on: a sunless day


@dataclass(frozen=True)
class SceneTime:
    value: str | None
    evidence: str | None
    source: Source | None
    changes: tuple[Change, ...] = ()
    scores: dict[str, float] | None = None
    overcast: bool = False  # a light time under a sunless sky, from the opening

    @property
    def closing(self) -> str | None:
        """The time at the scene's end."""
        return self.changes[-1].to if self.changes else self.value

    @property
    def closing_overcast(self) -> bool:
        return self.changes[-1].overcast if self.changes else self.overcast


@dataclass(frozen=True)
class _Decision:
    value: str
    mention: Mention
    scores: dict[str, float]


@dataclass
class _Reading:
    """The opening time as it is being read."""

    value: str | None = None
    evidence: str | None = None
    source: Source | None = None
    scores: dict[str, float] = dataclasses.field(default_factory=dict)
    weak: bool = False  # carried, or read back from a time to come: the scene's own words of a change outrank it
    mention: Mention | None = None  # the words that decided it

    def own(self, decided: _Decision) -> None:
        self.value, self.evidence, self.source, self.scores = decided.value, _evidence(decided.mention), "own", decided.scores
        self.mention = decided.mention


@dataclass(frozen=True)
class _Stretches:
    """Where the opening ends and where the time may change: words that move it, entrances on an emptied stage,
    and words about the sky once the time has moved."""

    last: float  # the last lines start here
    guard: float  # words that move the time or the sky before this set the opening
    first: float  # where the time may first move: the opening is read before it
    points: list[tuple[int, Mention | None]]  # (offset, the words that move the time or the sky, or None: an entrance)


def read_scene_time(words: SceneWords, stated: tuple[str, str] | None, before: Before | None) -> SceneTime:
    """The scene's opening time, what decided it, and the changes after it.

    `stated`: (time, words) when the heading states the time; `before`: the scene before, for the carry.
    """
    vocab = time_vocabulary()
    stretches = _stretches(words, vocab)
    reading = _Reading()
    if stated is not None:
        reading.value, reading.evidence, reading.source = stated[0], f'heading: "{stated[1]}"'[:200], "heading"
        _refine(reading, words, stretches, vocab)
    else:
        _read_opening(reading, words, stretches, before, vocab)
    first_move = next((m for _, m in stretches.points if m is not None and m.moves and not m.sky), None)
    if first_move is not None and (reading.value is None or reading.weak):
        implied = vocab.before_change.get(first_move.time or "")
        if implied is not None and vocab.light(implied) != vocab.light(reading.value):  # a dawn breaks on a night
            reading.value, reading.source = implied, "own"
            reading.evidence = f"before the {first_move.time} it comes to, {_evidence(first_move)}"[:200]
    overcast = _opening_sky(reading, words, stretches, before, vocab)
    changes = _changes(reading, overcast, words, stretches, vocab)
    return SceneTime(reading.value, reading.evidence, reading.source, tuple(changes), reading.scores, overcast)


def _stretches(words: SceneWords, vocab: TimeVocabulary) -> _Stretches:
    span = max(words.length - words.own_start, 1)
    guard = words.own_start + vocab.opening_part * span  # words that move the time before this set the opening
    last = words.own_start + (1 - vocab.last_part) * span
    moving = [(m.offset, m) for m in words.mentions if m.moves and m.offset >= guard]
    entrances = [(at, None) for at in _entrances_after_clearing(words, vocab) if guard <= at < last]
    first = min([at for at, m in moving if not m.sky] + [at for at, _ in entrances], default=float("inf"))
    sky = [(m.offset, m) for m in words.mentions if m.sky and not m.moves and m.offset >= first]  # said after a move
    points = sorted(moving + entrances + sky, key=lambda p: p[0])
    return _Stretches(last, guard, first, points)  # type: ignore[arg-type]


def _read_opening(
    reading: _Reading, words: SceneWords, stretches: _Stretches, before: Before | None, vocab: TimeVocabulary
) -> None:
    """The opening's own words of now; else a state named in the last lines (nothing moving the time before
    them); else the scene before, carried on, unless the opening's few words of now say a time it cannot be (a
    day after a carried night, a night after a carried evening); else what little the opening says of now with
    the scene's words about other times."""
    until = min(stretches.first, stretches.last)
    mentions = words.mentions
    opening = [m for m in mentions if m.tier == "now" and m.offset < until]
    decided = _decide(opening, before.time if before else None, vocab, (words.own_start, int(until)))
    if decided is None and stretches.first >= stretches.last:
        late = [m for m in mentions if m.tier == "now" and not m.moves and m.offset >= stretches.last]
        decided = _decide(late, before.time if before else None, vocab)
    carried = _carry(before, vocab)
    if carried is not None and decided is None:  # a word or two of now that the carried time cannot be
        weak = _decide(opening, None, vocab, threshold=vocab.derived_decide_at)
        if weak is not None and (vocab.light(weak.value) != vocab.light(carried) or _moves_on(carried, weak.value, vocab)):
            decided, carried = weak, None
            reading.weak = True
    if decided is not None:
        reading.own(decided)
    elif carried is not None and before is not None:
        reading.value, reading.source, reading.weak = carried, "carried", True
        reading.evidence = f"carried on from {before.scene_id}"
    else:
        weak_words = [m for m in mentions if m.offset < (until if m.tier == "now" else stretches.last)]
        guess = _decide(weak_words, None, vocab, threshold=vocab.derived_decide_at)
        if guess is not None:
            reading.own(guess)
            reading.weak = True


def _refine(reading: _Reading, words: SceneWords, stretches: _Stretches, vocab: TimeVocabulary) -> None:
    """The opening's own words that state the time outright refine the heading's time within its light ("EXT.
    PEAK - NIGHT", then "It is early evening."): never across it, where the heading rules, and never from a lamp
    or a greeting ("The lamp room. Dusk." stays a dusk)."""
    until = min(stretches.first, stretches.last)
    stated = [m for m in words.mentions if m.tier == "now" and m.offset < until and m.weight >= vocab.refine_at]
    decided = _decide(stated, reading.value, vocab, (words.own_start, int(until)))
    if decided is not None and decided.value != reading.value and vocab.light(decided.value) == vocab.light(reading.value):
        reading.own(decided)


def _opening_sky(
    reading: _Reading, words: SceneWords, stretches: _Stretches, before: Before | None, vocab: TimeVocabulary
) -> bool:
    """A light opening under an overcast sky: the last words about the sky before anything moves, else the sky
    of the scene whose time is carried on in the same act (the weather does not outlast an act break)."""
    if vocab.light(reading.value) != "light":
        return False
    if reading.mention is not None and reading.mention.sky:  # the sky's words told the time: they are the opening
        return reading.mention.sky == "overcast"
    until = min(stretches.first, stretches.last)
    said = [m for m in words.mentions if m.sky and m.offset < until and (not m.moves or m.offset < stretches.guard)]
    if said:
        return said[-1].sky == "overcast"
    return reading.source == "carried" and before is not None and before.overcast and before.same_act


def _changes(
    reading: _Reading, overcast: bool, words: SceneWords, stretches: _Stretches, vocab: TimeVocabulary
) -> list[Change]:
    """Each change of time in order: words that move it forward, or the time an emptied stage's next scene
    tells (time passes while the stage is empty); and words that cloud a light sky over or clear it."""
    changes: list[Change] = []
    current = reading.value
    told = reading.mention.offset if reading.mention is not None and reading.mention.sky else -1
    for index, (at, mention) in enumerate(stretches.points):
        if mention is not None and mention.sky and at <= told:
            continue  # the words that told the opening time and its sky
        if mention is not None and mention.sky:  # the sky: the time goes on, or moves to the day it names
            clouded = mention.sky == "overcast"
            if current in vocab.sky_keeps:
                to = current
            elif current is None or _moves_on(current, mention.time, vocab):
                to = mention.time  # a sunless day after a dawn: the sun is due
            else:
                continue  # the sky at night says nothing of the light
            if clouded != overcast and (not clouded or vocab.light(to) == "light"):
                changes.append(Change(_start(mention), to or "", _evidence(mention), clouded))
                current, overcast = to, clouded
            continue
        if mention is not None:
            if _moves_on(current, mention.time, vocab):
                overcast = overcast and vocab.light(mention.time) == "light"
                changes.append(Change(_start(mention), mention.time or "", _evidence(mention), overcast))
                current = mention.time
            continue
        until = stretches.points[index + 1][0] if index + 1 < len(stretches.points) else words.length
        decided = _decide([m for m in words.mentions if m.tier == "now" and at <= m.offset < until], current, vocab)
        if decided is None or decided.value == current:
            continue
        if current is None and not changes:  # nothing read before it: the scene's time after all
            reading.own(decided)
            current = decided.value
        elif vocab.light(decided.value) != vocab.light(current) or _moves_on(current, decided.value, vocab):
            overcast = overcast and vocab.light(decided.value) == "light"
            changes.append(Change(at, decided.value, _evidence(decided.mention, after_empty=True), overcast))
            current = decided.value
    return changes


def _start(mention: Mention) -> int:
    return mention.offset if mention.starts is None else mention.starts


def _carry(before: Before | None, vocab: TimeVocabulary) -> str | None:
    """The time of the scene before goes on when the heading says so, or, in the same act, from a scene that
    read its time from its own words (one scene further: a carried time is not carried through a whole act).
    A passing light (a dawn, a dusk) carried to another place has become the time after it."""
    if before is None or before.time is None:
        return None
    if before.continues:
        return before.time
    if before.same_act and before.own:
        return vocab.carried_on.get(before.time, before.time)
    return None


def _moves_on(current: str | None, to: str | None, vocab: TimeVocabulary) -> bool:
    """Words that move the time change it only forward through the day ("the sun is set" at midnight reports)."""
    if to is None or to == current:
        return False
    return current is None or current in vocab.follows.get(to, frozenset())


def _decide(
    mentions: list[Mention],
    context: str | None,
    vocab: TimeVocabulary,
    window: tuple[int, int] | None = None,
    threshold: float | None = None,
) -> _Decision | None:
    """The best-supported time: its class (light or dark) must reach the threshold and beat the other class by the
    margin; then its strongest time is the one. A clock's hour is placed nearest the time the other words give
    (the same moment), or else after the context's. Across `window`, a word counts less the later it comes (down
    to opening_decay at its end)."""
    clocks = [m for m in mentions if m.time is None]
    plain = [m for m in mentions if m.time is not None]
    if clocks:
        first = _score(plain, vocab, window, threshold)
        same_moment = first is not None
        context = first.value if first is not None else context
        plain += [m for m in (_placed(m, context, vocab, same_moment) for m in clocks) if m.time is not None]
    return _score(plain, vocab, window, threshold)


def _placed(mention: Mention, context: str | None, vocab: TimeVocabulary, same_moment: bool) -> Mention:
    time = vocab.clock.time_at(mention.hour or 0, context, mention.half, same_moment)
    return dataclasses.replace(mention, time=time)


def _score(
    mentions: list[Mention], vocab: TimeVocabulary, window: tuple[int, int] | None, threshold: float | None
) -> _Decision | None:
    if not mentions:
        return None
    scores = _points(mentions, vocab, None)
    weighed = _points(mentions, vocab, window)  # for the margin and the choice; the threshold takes full weights
    classes: dict[str, float] = {}
    full: dict[str, float] = {}
    for time in scores:
        name = vocab.light(time) or time
        classes[name] = classes.get(name, 0.0) + weighed[time]
        full[name] = full.get(name, 0.0) + scores[time]
    ranked = sorted(classes.items(), key=lambda kv: -kv[1])
    head, top = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if full[head] < (vocab.decide_at if threshold is None else threshold) or top < vocab.margin * runner:
        return None
    members = [t for t in scores if (vocab.light(t) or t) == head]
    said_now = {m.time for m in mentions if m.tier == "now"}
    value = max(members, key=lambda t: (t in said_now, weighed[t]))  # what is said of now names the time
    deciding = max((m for m in mentions if m.time == value), key=lambda m: (m.weight, -m.offset))
    return _Decision(value, deciding, {t: round(p, 3) for t, p in scores.items()})


def _points(mentions: list[Mention], vocab: TimeVocabulary, window: tuple[int, int] | None) -> dict[str, float]:
    """Each time's points: an entry said again adds a share of its weight, up to the cap; across `window` a word
    counts less the later it comes."""
    by_entry: dict[tuple[int, str], list[float]] = {}
    for mention in mentions:
        weight = mention.weight
        if window is not None and window[1] > window[0]:
            share = (mention.offset - window[0]) / (window[1] - window[0])
            weight *= 1 - (1 - vocab.opening_decay) * min(max(share, 0.0), 1.0)
        by_entry.setdefault((mention.entry, mention.time or ""), []).append(weight)
    points: dict[str, float] = {}
    for (_, time), weights in by_entry.items():
        weights.sort(reverse=True)
        said = min(weights[0] + vocab.repeat_share * sum(weights[1:]), vocab.repeat_cap * weights[0])
        points[time] = points.get(time, 0.0) + said
    return points


def _entrances_after_clearing(words: SceneWords, vocab: TimeVocabulary) -> list[int]:
    """Where someone enters an emptied stage ("Exeunt." then "Enter a Porter"): a scene inside the scene."""
    result = []
    cleared = False
    for direction in words.directions:
        if vocab.clears_stage.match(direction.text):
            cleared = True
        elif cleared and vocab.enters.search(direction.text):
            result.append(direction.offset)
            cleared = False
    return result


def _evidence(mention: Mention, after_empty: bool = False) -> str:
    how = {"to come": "a time to come", "gone": "a time gone by", "supposed": "a time supposed"}.get(mention.note)
    if mention.hour is not None:
        how = f"the clock, {mention.hour}"
    label = mention.source + (f" ({how})" if how else "") + (" after the stage empties" if after_empty else "")
    return f'{label}: "{mention.words}"'[:200]
