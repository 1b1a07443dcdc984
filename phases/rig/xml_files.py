"""Reading the QLC+ XML files safely: bounded regular files, one-line errors with line numbers, namespaces
dropped, no entity expansion."""

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from phases.data_files import parse_yaml
from phases.regular_file import FileProblem, read_regular_file

from .errors import RigError

DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=4)
def load_data(name: str) -> dict[str, object]:
    data = parse_yaml((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class XmlDocument:
    """A parsed file: its root element, and the line each element starts on (for errors that name the line).

    Parsed by ElementTree's C parser; the lines come from a second, lighter pass with expat, made only when an error
    asks for one (elements are matched by their order in the document)."""

    def __init__(self, root: ET.Element, raw: bytes) -> None:
        self.root = root
        self._raw = raw
        self._lines: dict[int, int] | None = None

    def line(self, element: ET.Element) -> int | None:
        if self._lines is None:
            starts: list[int] = []
            parser = expat.ParserCreate()
            parser.StartElementHandler = lambda *_: starts.append(parser.CurrentLineNumber)
            parser.Parse(self._raw, True)
            self._lines = {id(e): line for e, line in zip(self.root.iter(), starts, strict=False)}
        return self._lines.get(id(element))


def read_xml(path: Path, what: str, max_bytes: int) -> XmlDocument:
    """The file's elements with namespaces stripped. Raises RigError naming the file and line."""
    try:
        raw = read_regular_file(path, max_bytes)
    except FileProblem as exc:
        raise RigError(f"{path}: {what} {exc.reason}") from None
    if b"<!ENTITY" in raw:  # no entity expansion (billion laughs): QLC+ never writes entities
        raise RigError(f"{path}: {what} declares XML entities, which cueflow refuses")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        line, column = exc.position
        raise RigError(f"{path}: damaged {what}: line {line}, column {column}: not well-formed XML") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return XmlDocument(root, raw)


def text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None
