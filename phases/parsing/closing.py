"""A blackout or fade to black that ends a scene is its own cue.

On stage the scene plays lit, then the lights go out: a real cue list has the blackout as a separate
cue (see LFX2 BLACKOUT in a pantomime's list). Left inside the scene, the one look a scene gets would
be darkness for the whole scene. So when a scene's last direction is a closing cue, the text from that
direction on becomes a short scene of its own, and the scene before keeps its look.
"""

import re
from functools import cache

from .explicit import find_cues
from .segments import Segment
from .vocabulary import alternation

_DRAMA_READERS = {"play", "screenplay", "fountain", "prose"}


@cache
def _closing() -> re.Pattern[str]:
    return re.compile(rf"^[ \t\[(>]*(?:the\s+)?{alternation('closing_cues')}\b[^\n]*$", re.IGNORECASE | re.MULTILINE)


def split_closing_cues(text: str, segments: list[Segment]) -> list[Segment]:
    result: list[Segment] = []
    for index, segment in enumerate(segments):
        result.append(segment)
        if segment.reader not in _DRAMA_READERS or segment.body is not None:
            continue
        end = segments[index + 1].start if index + 1 < len(segments) else len(text)
        own_start = segment.content_start if segment.content_start is not None else segment.start
        cut = _last_closing_line(text, own_start, end)
        if cut is None:
            continue
        line_end = text.find("\n", cut, end)
        direction = " ".join(text[cut : end if line_end < 0 else line_end].split())
        closing = Segment(
            start=cut,
            script_type=segment.script_type,
            heading=direction.strip("[]()> ") or None,
            reader="closing_cue",
            location=segment.location,
            time_of_day=segment.time_of_day,
        )
        closing.cues = [direction.strip("[]()> ")]
        closing.directions = [direction]
        closing.action_words = len(text[cut:end].split())  # lines spoken in the dark still take their time
        segment.cues = [c for c in segment.cues if c.strip(":") not in direction]
        result.append(closing)
    return result


def _last_closing_line(text: str, start: int, end: int) -> int | None:
    """Where the scene's last black-out line starts, when nothing after it brings light back."""
    matches = list(_closing().finditer(text, start, end))
    if not matches:
        return None
    last = matches[-1]
    if not text[start : last.start()].strip().count("\n"):
        return None  # nothing of the scene's own before it: the scene itself is the cue
    after = text[last.end() : end]
    if find_cues(after):
        return None  # light comes back (or changes) later in the scene: the blackout is mid-scene
    return last.start()
