"""Reading the QLC+ XML files safely: bounded regular files, one-line errors with line numbers, namespaces
dropped, no entity expansion."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

import yaml

from phases.regular_file import FileProblem, read_regular_file

from .errors import RigError

DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=4)
def load_data(name: str) -> dict[str, object]:
    data = yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True)
class XmlDocument:
    """A parsed file: its root element, and the line each element starts on (for errors that name the line)."""

    root: ET.Element
    _lines: dict[int, int]

    def line(self, element: ET.Element) -> int | None:
        return self._lines.get(id(element))


class _EntityDeclared(Exception):
    pass


def _refuse_entity(*_: object) -> None:
    raise _EntityDeclared


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]  # expat gives "namespace-uri local-name"


def read_xml(path: Path, what: str, max_bytes: int) -> XmlDocument:
    """The file's elements with namespaces stripped. Raises RigError naming the file and line."""
    try:
        raw = read_regular_file(path, max_bytes)
    except FileProblem as exc:
        raise RigError(f"{path}: {what} {exc.reason}") from None
    if b"<!ENTITY" in raw:  # no entity expansion (billion laughs): QLC+ never writes entities
        raise RigError(f"{path}: {what} declares XML entities, which cueflow refuses")
    parser = expat.ParserCreate(namespace_separator=" ")
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(_local(tag), {_local(k): v for k, v in attributes.items()})
        lines[id(element)] = parser.CurrentLineNumber

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(_local(tag))
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = _refuse_entity
    try:
        parser.Parse(raw, True)
        root = builder.close()
    except _EntityDeclared:
        raise RigError(f"{path}: {what} declares XML entities, which cueflow refuses") from None
    except expat.ExpatError as exc:
        raise RigError(f"{path}: damaged {what}: line {exc.lineno}, column {exc.offset}: not well-formed XML") from None
    except RecursionError:
        raise RigError(f"{path}: damaged {what}: elements nested too deeply") from None
    return XmlDocument(root, lines)


def text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None
