"""The text of attachment files, for the index: .docx (python-docx), .pdf (pypdf), .ofd, .xlsx, .txt/.csv.

Runs in the Celery indexing task, never in a request. Attachments come from outside, so every file is read
within limits — its size, pages, characters and a time budget — and a file a library cannot read is indexed
without its text (and logged), never failing the indexing of its document.

The texts of a document's attachments are joined into one field, each part opened by a marker carrying the
attachment's name (``sections`` splits them again), so a snippet can say it came from 附件《name》.
"""

import io
import logging
import re
import time
import zipfile
from collections import OrderedDict
from xml.etree import ElementTree

from django.conf import settings

log = logging.getLogger(__name__)

# Bump when extraction changes: the consistency check then reports documents with attachments as stale.
EXTRACTOR_VERSION = 1
SECTION_OPEN, SECTION_CLOSE = "\ue000", "\ue001"  # private-use characters: never in text, never tokens
_SECTION = re.compile(f"{SECTION_OPEN}([^{SECTION_CLOSE}]*){SECTION_CLOSE}")
_CACHE: "OrderedDict[tuple, str]" = OrderedDict()
_CACHE_SIZE = 64


def _limit(name: str, default):
    return getattr(settings, name, None) or default


def max_file_bytes() -> int:
    return int(_limit("SEARCH_ATTACHMENT_MAX_BYTES", 30 * 1024 * 1024))


def max_chars() -> int:
    """Characters kept of one attachment."""
    return int(_limit("SEARCH_ATTACHMENT_MAX_CHARS", 100_000))


def max_total_chars() -> int:
    """Characters kept of all the attachments of one document together."""
    return int(_limit("SEARCH_ATTACHMENTS_MAX_CHARS", 300_000))


def max_pages() -> int:
    return int(_limit("SEARCH_ATTACHMENT_MAX_PAGES", 200))


def time_budget() -> float:
    return float(_limit("SEARCH_ATTACHMENT_SECONDS", 20))


# Zip containers: what the parts we read may expand to.
ZIP_MAX_PART_BYTES = 50 * 1024 * 1024


class TooLarge(Exception):
    pass


class _Collector:
    """Text pieces up to the character cap and the time budget; ``full`` tells the readers to stop."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.cap = max_chars()
        self.deadline = time.monotonic() + time_budget()

    def add(self, value) -> None:
        value = (value or "").replace(SECTION_OPEN, "").replace(SECTION_CLOSE, "").strip()
        if value and not self.full:
            self.parts.append(value[: self.cap - self.size])
            self.size += len(self.parts[-1]) + 1

    @property
    def full(self) -> bool:
        return self.size >= self.cap or time.monotonic() > self.deadline

    def text(self) -> str:
        return "\n".join(self.parts)[: self.cap]


def _pdf(data: bytes, out: _Collector) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted PDF")
    for number, page in enumerate(reader.pages):
        if number >= max_pages() or out.full:
            break
        out.add(page.extract_text())


def _zip_part(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > ZIP_MAX_PART_BYTES:
        raise TooLarge(f"{name} expands to {info.file_size} bytes")
    return zf.read(name)


def _docx(data: bytes, out: _Collector) -> None:
    import docx

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        _zip_part(zf, "word/document.xml")  # size check before python-docx parses it
    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        if out.full:
            return
        out.add(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            if out.full:
                return
            out.add(" ".join(cell.text for cell in row.cells))


def _xml_texts(xml: bytes, tag: str, out: _Collector) -> None:
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if element.tag == tag or element.tag.endswith("}" + tag):
            out.add(element.text)
            if out.full:
                return
        element.clear()


def _xlsx(data: bytes, out: _Collector) -> None:
    """Shared strings and inline strings of every sheet (the standard library is enough for the text)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        if "xl/sharedStrings.xml" in names:
            _xml_texts(_zip_part(zf, "xl/sharedStrings.xml"), "t", out)
        for name in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            if out.full:
                return
            _xml_texts(_zip_part(zf, name), "t", out)


def _ofd(data: bytes, out: _Collector) -> None:
    """OFD (GB/T 33190): the TextCode elements of each page's Content.xml, page by page."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        pages = sorted(
            (n for n in zf.namelist() if n.lower().endswith("content.xml") and "/pages/" in n.lower()),
            key=lambda n: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", n)],
        )
        for number, name in enumerate(pages):
            if number >= max_pages() or out.full:
                return
            _xml_texts(_zip_part(zf, name), "TextCode", out)


def _plain(data: bytes, out: _Collector) -> None:
    head = data[: max_chars() * 4]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            out.add(head.decode(encoding))
            return
        except UnicodeDecodeError:
            continue
    out.add(head.decode("utf-8", errors="replace"))


READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "ofd": _ofd, "txt": _plain, "csv": _plain}


def kind_of(attachment) -> str:
    kind = (getattr(attachment, "kind", "") or "").lower()
    if kind in READERS:
        return kind
    suffix = (getattr(attachment, "name", "") or "").rsplit(".", 1)[-1].lower()
    return suffix if suffix in READERS else ""


def _read(attachment) -> bytes:
    limit = max_file_bytes()
    size = getattr(attachment, "size", None)
    if size and size > limit:
        raise TooLarge(f"{size} bytes")
    with attachment.file.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"more than {limit} bytes")
    return data


def extract(attachment) -> str:
    """The text of one attachment ("" for images, unknown kinds and files that cannot be read)."""
    kind = kind_of(attachment)
    if not kind:
        return ""
    cache_key = (getattr(attachment, "sha256", "") or f"id{attachment.pk}", kind, EXTRACTOR_VERSION)
    if cache_key in _CACHE:
        _CACHE.move_to_end(cache_key)
        return _CACHE[cache_key]
    out = _Collector()
    try:
        READERS[kind](_read(attachment), out)
    except Exception as exc:  # any library error, a broken or hostile file: index the document without it
        log.warning(
            "search: text of attachment %s (%s) not indexed: %s: %s",
            getattr(attachment, "pk", "?"),
            getattr(attachment, "name", ""),
            type(exc).__name__,
            exc,
        )
        return ""
    text = out.text()
    _CACHE[cache_key] = text
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return text


def sources(attachments) -> list[list]:
    """What the extracted text depends on (for the fingerprint, computed without extracting)."""
    return [[a.pk, getattr(a, "sha256", ""), kind_of(a), EXTRACTOR_VERSION] for a in attachments if kind_of(a)]


def joined_text(attachments) -> str:
    """The texts of ``attachments``, each opened by its name marker, within the per-document cap."""
    parts, budget = [], max_total_chars()
    for attachment in attachments:
        if budget <= 0:
            break
        text = extract(attachment)[:budget] if kind_of(attachment) else ""
        if text:
            parts.append(f"{SECTION_OPEN}{attachment.name}{SECTION_CLOSE}\n{text}")
            budget -= len(text)
    return "\n".join(parts)


def sections(joined: str) -> list[tuple[str, str]]:
    """[(attachment name, its text)] of a joined text."""
    if not joined:
        return []
    pieces = _SECTION.split(joined)
    # split gives: [before, name1, text1, name2, text2, ...]
    return [(pieces[i], pieces[i + 1].strip()) for i in range(1, len(pieces) - 1, 2)]


def plain(joined: str) -> str:
    """The joined text without the markers (for display and for highlighting engines)."""
    return _SECTION.sub(" ", joined or "")
