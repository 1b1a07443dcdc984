"""Who is on stage, followed through a scene's entrances, exits and speeches. Names in directions are matched to
the scene's speakers however the text spells them: "Enter Lady Macbeth" is LADY MACBETH, "Enter three Witches"
is the three witches who speak, "Enter Orlando" is the Folio's "Orl.", "Enter Duke Senior" is "Du.Sen."."""

import re

_WORD = re.compile(r"[A-Z0-9'’\-]+")


def canonical(name: str) -> str:
    """A speaker's or a direction's name in one spelling: upper case, words only ("Du.Sen" -> "DU SEN")."""
    return " ".join(_WORD.findall(name.upper()))


def _root(word: str) -> str:
    for ending in ("ES", "S"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


class Population:
    """The named people on stage, and whether there are extras (lords, attendants, a train) with them."""

    def __init__(self, speakers: list[str]) -> None:
        self.speakers = list(dict.fromkeys(canonical(s) for s in speakers if canonical(s)))
        self._words = {s: s.split() for s in self.speakers}
        self._resolved: dict[str, tuple[str, ...]] = {}
        self.present: dict[str, None] = {}
        self.crowd = False

    def resolve(self, name: str) -> tuple[str, ...]:
        """The speakers a direction's name means (several for "Witches"), or the name itself."""
        name = canonical(name)
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
        return ()

    @property
    def named(self) -> list[str]:
        return list(self.present)

    @property
    def empty(self) -> bool:
        return not self.present and not self.crowd

    def count(self) -> int:
        return len(self.present) + (2 if self.crowd else 0)

    def enter(self, names: tuple[str, ...], crowd: bool) -> list[str]:
        added = [who for name in names for who in self.resolve(name)]
        for who in added:
            self.present[who] = None
        self.crowd = self.crowd or crowd
        return added

    def leave(self, names: tuple[str, ...], crowd: bool) -> list[str]:
        gone = [who for name in names for who in self.resolve(name) if who in self.present]
        for who in gone:
            del self.present[who]
        if crowd:
            self.crowd = False
        return gone

    def keep_only(self, names: tuple[str, ...]) -> list[str]:
        staying = {who for name in names for who in self.resolve(name)}
        gone = [who for who in self.present if who not in staying]
        self.present = {who: None for who in staying}
        self.crowd = False
        return gone

    def clear(self) -> list[str]:
        gone = list(self.present)
        self.present, self.crowd = {}, False
        return gone

    def speak(self, speaker: str) -> str:
        who = canonical(speaker)
        self.present[who] = None
        return who

    def same(self, a: str, b: str) -> bool:
        """One person, however spelt: "Orl" and "Orlan" (the Folio's abbreviations), "Lady Macbeth" and her lines."""
        a, b = canonical(a), canonical(b)
        if a == b or b in self.resolve(a) or a in self.resolve(b):
            return True
        short, full = sorted((a.split(), b.split()), key=lambda w: sum(map(len, w)))
        return _abbreviates(short, full) or any(set(self.resolve(a)) & set(self.resolve(b)))


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
