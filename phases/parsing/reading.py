"""Turn a script file into normalised text, refusing bad input with a ParseError."""

import io
import logging
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ParseError

SUPPORTED_EXTENSIONS = (".txt", ".fountain", ".pdf", ".docx", ".csv", ".json")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings duplicate the ParseError we raise
_TEXT_ENCODINGS = ("utf-8", "cp1252")


@dataclass(frozen=True)
class SourceText:
    text: str
    kind: str  # the extension without the dot: txt, fountain, pdf, docx, csv, json
    name: str
    page_starts: tuple[int, ...] = ()  # a PDF's pages: the line (from 1) of the text where each begins


def read_script(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise ParseError(f"{path.name}: unsupported file type {suffix or '(none)'}; use one of {', '.join(SUPPORTED_EXTENSIONS)}")
    if not path.exists():
        raise ParseError(f"{path}: no such file")
    if not path.is_file():
        raise ParseError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(f"{path.name}: {size:,} bytes is over the {max_bytes:,}-byte limit")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path.name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    kind = suffix[1:]
    page_starts: tuple[int, ...] = ()
    if kind == "pdf":
        text, page_starts = _pdf_text(data, path.name)
    elif kind == "docx":
        text = _docx_text(data, path.name)
    else:
        text = decode_text(data, path.name)
    return SourceText(text=check_text(text, path.name), kind=kind, name=path.name, page_starts=page_starts)


def decode_text(data: bytes, name: str = "input") -> str:
    if not data.strip():
        raise ParseError(f"{name}: the file is empty")
    if _looks_binary(data):
        raise ParseError(f"{name}: this is a binary file, not a text script")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"{name}: invalid UTF-16 text ({exc.reason})") from None
    for encoding in _TEXT_ENCODINGS:
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError:
            continue
    raise ParseError(f"{name}: the text is neither UTF-8 nor Windows-1252; re-save it as UTF-8")


def check_text(text: str, name: str = "input") -> str:
    """Normalise line ends and Unicode form; refuse text with nothing in it."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\x00", "")
    if not text.strip():
        raise ParseError(f"{name}: the script is empty or only whitespace")
    return text


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control / max(len(sample), 1) > 0.05


def _pdf_text(data: bytes, name: str) -> tuple[str, tuple[int, ...]]:
    """The PDF's text, its pages joined by a line break, and the line where each page begins."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF"):
        raise ParseError(f"{name}: not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ParseError(f"{name}: the PDF is encrypted; export an unprotected copy")
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except ParseError:
        raise
    except PdfReadError as exc:
        raise ParseError(f"{name}: the PDF is damaged and cannot be read ({type(exc).__name__})") from None
    except Exception as exc:  # pypdf on damaged input can fail in many ways; the user needs one clear line
        raise ParseError(f"{name}: the PDF is damaged and cannot be read ({type(exc).__name__})") from None
    # Line ends as check_text will leave them, so that the page starts count the lines Phase 1 counts.
    texts = [_dedent_page(p).replace("\r\n", "\n").replace("\r", "\n") for p in pages]
    text = "\n".join(texts)
    if not text.strip():
        raise ParseError(f"{name}: the PDF has no text layer (a scan?); OCR it first")
    starts, line = [], 1
    for page in texts:
        starts.append(line)
        line += page.count("\n") + 1
    return text, tuple(starts)


def _dedent_page(page: str) -> str:
    lines = page.split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:].rstrip() for line in lines)


def _docx_text(data: bytes, name: str) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError(f"{name}: not a valid .docx (it is not a zip archive)")
    _refuse_zip_bomb(data, name)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
            elif tag == "tbl":
                lines.extend(_table_rows(block))
                lines.append("")
    except (PackageNotFoundError, KeyError) as exc:
        raise ParseError(f"{name}: a zip archive but not a Word document ({type(exc).__name__})") from None
    except Exception as exc:  # python-docx and lxml on damaged input fail in many ways; one clear line instead
        raise ParseError(f"{name}: the .docx is damaged ({type(exc).__name__})") from None
    return "\n".join(lines)


def _refuse_zip_bomb(data: bytes, name: str) -> None:
    """Read the sizes from the zip's index before anything inflates: a 1 MB file can hold 300 MB of text.

    zipfile never returns more than an entry's declared size, so the index is a safe upper bound."""
    from .limits import limits

    cap = limits().max_docx_uncompressed_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(f"{name}: the .docx is damaged ({type(exc).__name__})") from None
    if total > cap:
        raise ParseError(f"{name}: the .docx unpacks to {total:,} bytes, over the {cap:,}-byte limit (a zip bomb?)")


def _table_rows(table: object) -> list[str]:
    rows = []
    for row in table.iter():  # type: ignore[attr-defined]
        if not row.tag.endswith("}tr"):
            continue
        cells = []
        for cell in row.iterchildren():
            if cell.tag.endswith("}tc"):
                cells.append(" ".join("".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t")).split()))
        rows.append("\t".join(cells).rstrip())
    return rows
