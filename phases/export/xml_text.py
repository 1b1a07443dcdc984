"""Text that XML 1.0 can hold: a script's heading or label may carry a form feed (PDFs put one at each page
break) or another control character, which no XML 1.0 document may contain, even escaped."""

import re

# Outside XML 1.0's Char production: C0 controls but tab, newline and carriage return; lone surrogates; U+FFFE/F.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` with every character XML 1.0 forbids replaced by a space."""
    return _FORBIDDEN.sub(" ", value)
