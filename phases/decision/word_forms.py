"""The stage vocabulary's small grammar: a verb named once by its lemma matches every form a play text prints
("fall": falls, falling, fell, fallen, falleth, fall'st; "charm": charmed, charm'd), and a phrase is a verb
followed by fixed words and slots ("fall on <own> sword"). Spoken statements are a subject and a predicate
("the storm begins", "our revels now are ended", "the lights burn blue"); an address is a call and an
imperative ("Music, awake her")."""

import re
from collections.abc import Mapping, Sequence

_VOWELS = "aeiou"
_SLOT = re.compile(r"^<([a-z_]+)>$")
# Between a subject and its verb, and inside a predicate: adverbs of manner and degree ("now", "apace", "more").
_ADVERBS = r"(?:(?:now|all|quite|too|so|more|fast|apace|again|still|even|e'en|already|wholly|clean)\s+)*"
# The auxiliaries a predicate takes in the present: "is come", "are ended", "hath made", "doth frown".
_BE_HAVE = r"(?:is|are|'s|be|been|hath|has|have|'ve|is\s+now|are\s+now)"
_DO = r"(?:doth|does|do|dost)"


def verb_forms(lemma: str, irregular: Mapping[str, Sequence[str]], present_only: bool = False) -> list[str]:
    """Every form of a verb a play text may print: the lemma, third person (-s, -es, -ies, -eth, -th), the
    second person (-est, -st), -ing, -ed (and the elided -'d), with a final consonant doubled or an -e dropped as
    English spells them, and the irregular forms the data names. `present_only`: the lemma and the present's
    persons. Longest first, for a regex alternation."""
    word = lemma.lower()
    present = {word}
    other = {f.lower() for f in irregular.get(word, ())}
    if re.search(r"(?:s|x|z|ch|sh|o)$", word):
        present.add(word + "es")
    elif re.search(rf"[^{_VOWELS}]y$", word):
        present.add(word[:-1] + "ies")
    else:
        present.add(word + "s")
    if word.endswith(("ie", "ee", "ye", "oe")):
        present |= {word + "th", word + "st"}
        other |= {word[:-2] + "ying" if word.endswith("ie") else word + "ing", word + "d"}
    elif word.endswith("e"):
        stem = word[:-1]
        present |= {word + "th", word + "st", stem + "eth", stem + "est"}
        other |= {stem + "ing", word + "d", stem + "'d", stem + "’d"}
    elif re.search(rf"[^{_VOWELS}]y$", word):
        present |= {word[:-1] + "ieth", word + "est", word + "st"}
        other |= {word + "ing", word[:-1] + "ied", word + "'d", word + "’d"}
    else:
        stems = [word]
        if re.search(rf"[^{_VOWELS}][{_VOWELS}][^{_VOWELS}wxy]$", word):
            stems.append(word + word[-1])  # stab: stabbing, stabbed (and the undoubled, harmless)
        for stem in stems:
            present |= {stem + "eth", stem + "est"}
            other |= {stem + "ing", stem + "ed"}
        present.add(word + "st")
        other |= {word + "'d", word + "’d"}
    forms = present if present_only else present | other
    return sorted(forms, key=lambda f: (-len(f), f))


def _token(word: str, slots: Mapping[str, str]) -> str:
    slot = _SLOT.match(word)
    if slot:
        if slot[1] not in slots:
            raise ValueError(f"no slot <{slot[1]}>")
        return f"(?:{slots[slot[1]]})"
    return "(?:" + "|".join(re.escape(w) for w in word.split("|")) + ")"  # "is|are": one of these words


def _phrase(
    phrase: str, slots: Mapping[str, str], irregular: Mapping[str, Sequence[str]], verb: str | None
) -> str:
    """A phrase as a regex. `verb` says how its first word is read: None as written, "all" in every form,
    "present" in the present's forms, "participle" in the forms an auxiliary takes (is come, hath made)."""
    parts = phrase.split()
    if not parts:
        raise ValueError("an empty phrase")
    first = parts[0]
    if verb is None or "|" in first or _SLOT.match(first):
        head = _token(first, slots)
    else:
        forms = verb_forms(first, irregular, present_only=verb == "present")
        if verb == "participle":
            forms = [first, *forms]
        head = "(?:" + "|".join(map(re.escape, forms)) + ")"
    pattern = head
    for word in parts[1:]:  # "<to>?": a word that may be left out ("give me the lamp", "give the lamp")
        optional = word.endswith("?") and len(word) > 1
        piece = r"\s+" + _token(word[:-1] if optional else word, slots)
        pattern += f"(?:{piece})?" if optional else piece
    return pattern


def phrase_pattern(phrases: Sequence[str], slots: Mapping[str, str], irregular: Mapping[str, Sequence[str]]) -> str:
    """A regex for verb phrases: the first word in all its forms, then the phrase's words and slots."""
    return "|".join(rf"\b{_phrase(p, slots, irregular, 'all')}\b" for p in phrases)


def statement_pattern(
    subjects: Sequence[str],
    verbs: Sequence[str],
    slots: Mapping[str, str],
    irregular: Mapping[str, Sequence[str]],
    determiners: str | None = None,
) -> str:
    """A subject and its predicate in the present: "the day frowns", "the storm is come again", "our revels now
    are ended", "the lights burn blue", "the charm dissolves apace" (never "the storm came"). With `determiners`
    (a slot), the subject must follow one of its words, and at most one adjective: "the bright day is done" is
    the day, "our day is gone" a fortune."""
    subject = "(?:" + "|".join(_phrase(s, slots, irregular, None) for s in subjects) + ")"
    if determiners is not None:
        subject = rf"{_token(f'<{determiners}>', slots)}\s+(?:[\w'’-]+\s+)?{subject}"
    present = "(?:" + "|".join(_phrase(v, slots, irregular, "present") for v in verbs) + ")"
    helped = "(?:" + "|".join(_phrase(v, slots, irregular, "participle") for v in verbs) + ")"
    return rf"\b{subject}\s+{_ADVERBS}(?:{present}|(?:{_BE_HAVE}|{_DO})\s+{_ADVERBS}{helped})\b"


def imperative_pattern(phrases: Sequence[str], slots: Mapping[str, str]) -> str:
    """Commands, the verb as written: "bring me the lamp", "light the other lamp" (never "brought the lamp")."""
    return "|".join(rf"\b{_phrase(p, slots, {}, None)}\b" for p in phrases)


def address_pattern(calls: Sequence[str], verbs: Sequence[str], slots: Mapping[str, str]) -> str:
    """A call and its imperative: "Music, awake her"."""
    call = "(?:" + "|".join(_phrase(c, slots, {}, None) for c in calls) + ")"
    verb = "(?:" + "|".join(_phrase(v, slots, {}, None) for v in verbs) + ")"
    return rf"\b{call}\s*[,!]\s*{verb}\b"


def word_alternation(words: Sequence[str]) -> str:
    """A regex matching any of the words, written as a trie ("l(?:amp|ight)"): a scan over a whole play tries one
    branch per letter, not every word at every position."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict[str, dict]) -> str:
        ends = "" in node
        parts = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if ends else body

    return branch(trie)
