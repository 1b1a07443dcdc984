"""Who is on stage, followed through a scene's entrances, exits and speeches. Names in directions are matched to
the scene's speakers however the text spells them: "Enter Lady Macbeth" is LADY MACBETH, "Enter three Witches"
is the three witches who speak, "Enter Orlando" is the Folio's "Orl.", "Enter Duke Senior" is "Du.Sen.".

Not everyone a direction names is someone the stage is shared with: a corpse on its bier or a babe in arms is
not a person ("the corpse of King Henry", "with the Child"); words after "as" or "like" are a role, not another
person ("Time, as Chorus"); the extras and the silent people who come on with a leader go with that leader, and
"the rest", "others" or a train take everyone who does not speak before the next entrance. Someone who never
speaks in the scene is on stage, but is not a listener: one speaker left with only mutes, a train or a body is
alone."""

import bisect
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .stage_data import Stage

_WORD = re.compile(r"[A-Z0-9'’\-]+")
_POSSESSIVE = ("'s", "’s", "'", "’")  # "Caesar's body", "Hastings' head": not a person on stage
_NAME_WORD = re.compile(r"[A-Z][A-Za-z'’\-]*(?:\.[A-Z][A-Za-z'’\-]*)*")


def canonical(name: str) -> str:
    """A speaker's or a direction's name in one spelling: upper case, words only ("Du.Sen" -> "DU SEN")."""
    return " ".join(_WORD.findall(name.upper()))


def names_in(text: str, stage: "Stage") -> tuple[str, ...]:
    """The people a list names: "Lady Macbeth, with a taper" -> ("LADY MACBETH",); possessives ("Caesar's body"),
    the vocabulary's extras and small words, a body or a babe carried, and a role after "as" are not people."""
    names: list[str] = []
    for part in stage.name_separators.split(text):
        if stage.not_people.search(part):
            continue  # "the corpse of King Henry the Sixth", "the Child"
        role = stage.role.search(part)
        if role:
            part = part[: role.start()]  # "Time, as Chorus": TIME; "Lady Anne as mourner": LADY ANNE
        words = [w for w in _NAME_WORD.findall(part) if not w.endswith(_POSSESSIVE) and w.upper() not in stage.not_names]
        words = [w for w in words if not stage.crowd.fullmatch(w)]
        if words:
            names.append(" ".join(w.upper() for w in words))
    return tuple(dict.fromkeys(names))


def _root(word: str) -> str:
    for ending in ("ES", "S"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


class Population:
    """The named people on stage, the extras (lords, attendants, a train) with them, and who came with whom.

    `speeches` (offset, speaker) and `entrances` (offsets) are the scene's, so that "Exeunt the rest" can keep
    those who speak before the next entrance; `chorus_names` are the roles that speak to the audience."""

    def __init__(
        self,
        speakers: list[str],
        speeches: Iterable[tuple[int, str]] = (),
        entrances: Iterable[int] = (),
        chorus_names: Iterable[str] = (),
        exits: Iterable[tuple[int, tuple[str, ...], bool]] = (),
    ) -> None:
        spellings = list(dict.fromkeys(canonical(s) for s in speakers if canonical(s)))
        self._alias = _one_spelling(spellings)  # the Folio's "Orl.", "Orlan." and "Orlando.": one person
        self.speakers = list(dict.fromkeys(self._alias[s] for s in spellings))
        self._speaking = set(self.speakers)
        self._words = {s: s.split() for s in self.speakers}
        self._resolved: dict[str, tuple[str, ...]] = {}
        self._speeches = sorted((at, self._who(s)) for at, s in speeches)
        self._speech_starts = [at for at, _ in self._speeches]
        self._entrances = sorted(entrances)
        self._exits = sorted(exits)  # (offset, the names an exit takes, whether it is a bare "Exit")
        self._exit_starts = [exit[0] for exit in self._exits]
        self._chorus_names = frozenset(w.upper() for w in chorus_names)
        self.present: dict[str, None] = {}
        self.extras: dict[str, None] = {}  # whose extras are on: a leader's name, or "" for extras on their own
        self.followers: dict[str, str] = {}  # someone silent who came on with a leader: that leader
        self.party: dict[str, str] = {}  # who came on with whom: each entrant, the first their entrance names
        self._last_words: dict[str, int] = {}
        for at, speaker in self._speeches:
            self._last_words[speaker] = at
        self.chorus: set[str] = set()  # came on "as Chorus"

    def _who(self, name: str) -> str:
        spelt = canonical(name)
        return self._alias.get(spelt, spelt)

    def resolve(self, name: str) -> tuple[str, ...]:
        """The speakers a direction's name means (several for "Witches"), or the name itself."""
        name = self._who(name)
        if name in self._resolved:
            return self._resolved[name]
        found = self._match(name) if name else ()
        self._resolved[name] = found or ((name,) if name else ())
        return self._resolved[name]

    def _match(self, name: str) -> tuple[str, ...]:
        words = name.split()
        if name in self._words:
            return (name,)
        last = words[-1]
        if _root(last) != last:  # a plural: every speaker it names ("Witches": FIRST WITCH, SECOND WITCH...)
            plural = tuple(s for s, w in self._words.items() if _root(w[-1]) == _root(last))
            if plural:
                return plural
        inside = [s for s, w in self._words.items() if set(w) <= set(words)]
        if inside:
            return (max(inside, key=lambda s: len(self._words[s])),)
        around = [s for s, w in self._words.items() if set(words) <= set(w)]
        if around:
            return (min(around, key=lambda s: len(self._words[s])),)
        short = [s for s, w in self._words.items() if _abbreviates(w, words)]
        if short:
            return (max(short, key=len),)
        fuller = [s for s, w in self._words.items() if _abbreviates(words, w)]  # "Ex. Orl. Ad.": ADAM
        return (fuller[0],) if len(fuller) == 1 else ()

    @property
    def named(self) -> list[str]:
        return list(self.present)

    @property
    def crowd(self) -> bool:
        return bool(self.extras)

    @property
    def empty(self) -> bool:
        return not self.present and not self.extras

    def count(self) -> int:
        return len(self.present) + (2 if self.extras else 0)

    def listeners(self) -> list[str]:
        """Those on stage who speak in the scene: a mute, a body or a babe is there, but shares no speech."""
        return [who for who in self.present if who in self._speaking]

    def alone(self, at: int, after_exit: bool = False) -> str | None:
        """The one speaker on stage at `at` with no extras about them, if there is one. A mute who came on with
        them ("Enter Brutus and Messala"), or whom the text sends off before anyone comes in ("Go bid thy
        mistress..." [Exit Servant.]), keeps them company. `after_exit`: someone has just gone (texts that mark few
        exits may have let others go unmarked too)."""
        listeners = self.listeners()
        if self.extras:
            return None
        if len(listeners) > 1 and after_exit:
            last = self._left_to_one(listeners, at)
            return last[0] if len(last) == 1 else None  # and the mutes with the others
        if len(listeners) != 1:
            return None
        one = listeners[0]
        silent = [who for who in self.present if who not in self._speaking]
        if any(self.party.get(who) in (one, self.party.get(one, one)) for who in silent):
            return None
        return None if silent and self._sent_off(silent, at) else one

    def _left_to_one(self, listeners: list[str], at: int) -> list[str]:
        """Texts that mark few exits (the Folio): when the next thing to happen is a bare "Exit" and one of those
        on stage speaks until it while none of the others ever speaks again, the others have gone."""
        nxt = bisect.bisect_right(self._exit_starts, at)
        if nxt == len(self._exits) or not self._exits[nxt][2]:
            return listeners
        until = self._exits[nxt][0]
        entrance = bisect.bisect_right(self._entrances, at)
        if entrance < len(self._entrances) and self._entrances[entrance] < until:
            return listeners
        first = bisect.bisect_right(self._speech_starts, at)
        last = bisect.bisect_left(self._speech_starts, until)
        speaking = {speaker for _, speaker in self._speeches[first:last]}
        talking = [who for who in listeners if any(self.same(who, s) for s in speaking)]
        silent_after = all(self._last_words.get(who, -1) <= at for who in listeners if who not in talking)
        return talking if len(talking) == 1 and silent_after else listeners

    def _sent_off(self, people: list[str], at: int) -> bool:
        """Is one of `people` named in an exit after `at` and before the next entrance?"""
        nxt = bisect.bisect_right(self._entrances, at)
        until = self._entrances[nxt] if nxt < len(self._entrances) else None
        for offset, names, _ in self._exits[bisect.bisect_right(self._exit_starts, at) :]:
            if until is not None and offset >= until:
                return False
            if any(self.same(name, who) for name in names for who in people):
                return True
        return False

    def is_chorus(self, who: str) -> bool:
        """A Chorus, a Prologue, Time: a role that speaks to the house, not a character alone."""
        return who in self.chorus or bool(self._chorus_names & set(who.split()))

    def enter(self, names: tuple[str, ...], crowd: bool, chorus: bool = False, leader: str = "") -> list[str]:
        """Those who come on; their extras attend `leader` (else the first named), and go when they go."""
        added = [who for name in names for who in self.resolve(name)]
        leader = next(iter(self.resolve(leader)), "") if leader else next(iter(added), "")
        for who in added:
            self.present[who] = None
            self.party[who] = leader
            if who != leader and who not in self._speaking:
                self.followers[who] = leader  # a mute who comes on with someone goes with them
        if crowd:
            self.extras[leader] = None
        if chorus:
            self.chorus.update(added)
        return added

    def leave(self, names: tuple[str, ...], crowd: bool) -> list[str]:
        gone = [who for name in names for who in self.resolve(name) if who in self.present]
        gone += [who for who, leader in self.followers.items() if leader in gone and who in self.present]
        for who in gone:
            self.present.pop(who, None)
            self.extras.pop(who, None)  # a leader's train goes with them
        if crowd:
            self.extras = {}
        return list(dict.fromkeys(gone))

    def leave_the_rest(self, names: tuple[str, ...], at: int) -> list[str]:
        """ "Exeunt the rest", "Exeunt Lords": the named, and everyone who does not speak between `at` and the
        next entrance (one who stays speaks next)."""
        staying = self._speaking_before_entrance(at) - {w for n in names for w in self.resolve(n)}
        return self._keep(staying)

    def leave_with_train(self, names: tuple[str, ...], at: int) -> list[str]:
        """ "Exeunt Caesar and his Train", "Exit Duke, &c.": the named, those who came on with them, and those
        who attend on the scene and never speak again in it; never one who speaks before the next entrance."""
        leaders = {w for n in names for w in self.resolve(n)}
        speaking = self._speaking_before_entrance(at)
        going = {
            who
            for who in self.present
            if who in leaders or self.party.get(who) in leaders or self._last_words.get(who, -1) <= at
        }
        gone = self._keep({who for who in self.present if who not in going or who in speaking - leaders})
        self.extras = {leader: None for leader in self.extras if leader in self.present}  # others keep theirs
        return gone

    def _keep(self, staying: set[str]) -> list[str]:
        gone = [who for who in self.present if who not in staying]
        self.present = {who: None for who in self.present if who in staying}
        self.extras = {}
        return gone

    def _speaking_before_entrance(self, at: int) -> set[str]:
        nxt = bisect.bisect_right(self._entrances, at)
        until = self._entrances[nxt] if nxt < len(self._entrances) else None
        found: set[str] = set()
        for index in range(bisect.bisect_right(self._speech_starts, at), len(self._speeches)):
            offset, speaker = self._speeches[index]
            if until is not None and offset >= until:
                break
            found.update(who for who in self.present if self.same(who, speaker))
        return found

    def keep_only(self, names: tuple[str, ...]) -> list[str]:
        staying = {who for name in names for who in self.resolve(name)}
        gone = [who for who in self.present if who not in staying]
        self.present = {who: None for who in staying}
        self.extras = {}
        return gone

    def clear(self) -> list[str]:
        gone = list(self.present)
        self.present, self.extras = {}, {}
        return gone

    def speak(self, speaker: str) -> str:
        who = self._who(speaker)
        self.present[who] = None
        self.followers.pop(who, None)  # one who speaks is their own person
        return who

    def same(self, a: str, b: str) -> bool:
        """One person, however spelt: "Orl" and "Orlan" (the Folio's abbreviations), "Lady Macbeth" and her lines."""
        a, b = canonical(a), canonical(b)
        if a == b or b in self.resolve(a) or a in self.resolve(b):
            return True
        short, full = sorted((a.split(), b.split()), key=lambda w: sum(map(len, w)))
        return _abbreviates(short, full) or any(set(self.resolve(a)) & set(self.resolve(b)))


def _one_spelling(spellings: list[str]) -> dict[str, str]:
    """Each speaker's spelling mapped to the fullest spelling it abbreviates word for word ("ORL", "ORLAN" ->
    "ORLANDO"; "DU SE" -> "DUKE SENIOR"; never "MACBETH" -> "LADY MACBETH"), when it abbreviates exactly one."""
    longest_first = sorted(spellings, key=lambda s: -sum(len(w) for w in s.split()))
    alias: dict[str, str] = {}
    for spelt in longest_first:
        words = spelt.split()
        fuller = [
            t
            for t in longest_first
            if t != spelt and alias.get(t) == t and len(t.split()) == len(words) and _abbreviates(words, t.split())
        ]
        alias[spelt] = fuller[0] if len(fuller) == 1 else spelt
    return alias


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """The Folio's abbreviations: every word of `short` begins a word of `full`, in order ("DU SEN", "DUKE SENIOR")."""
    if len(short) > len(full) or not all(len(w) >= 2 for w in short):
        return False
    index = 0
    for word in short:
        while index < len(full) and not full[index].startswith(word):
            index += 1
        if index == len(full):
            return False
        index += 1
    return True
