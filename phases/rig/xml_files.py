"""Reading the QLC+ XML files safely: one-line errors, namespaces dropped, no entity expansion."""

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import RigError

DATA_DIR = Path(__file__).parent / "data"
MAX_XML_BYTES = 16 * 1024 * 1024


@lru_cache(maxsize=4)
def load_data(name: str) -> dict[str, object]:
    data = yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def read_xml(path: Path, what: str) -> ET.Element:
    """The root element with namespaces stripped. Raises RigError naming the file and line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RigError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise RigError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    if len(raw) > MAX_XML_BYTES:
        raise RigError(f"{path}: {what} is larger than {MAX_XML_BYTES // (1024 * 1024)} MiB")
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
    return root


def text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None
