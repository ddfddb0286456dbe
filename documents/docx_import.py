"""Import a body (正文) from a .docx: paragraphs, the four heading levels, tables — in document order.

A heading is recognised by its style ("Heading 1" / "标题 1" …) or, as most 公文 are typed by hand, by its
numbering prefix (一、 （一） 1. （1））. The file is checked as an upload first (a real DOCX, no zip bomb).
"""

import re

from oa.core.errors import ServiceError

from .body import HEADINGS, level_from_prefix, normalise
from .uploads import inspect_upload

_STYLE_LEVEL = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_MAX_PARAGRAPH_CHARS = 20000


def read_docx_body(upload) -> list[dict]:
    """Blocks read from an uploaded .docx; ``ServiceError`` when the file is not a usable DOCX."""
    inspect_upload(upload, allowed=("docx",))
    import docx
    from docx.oxml.ns import qn

    upload.seek(0)
    try:
        document = docx.Document(upload)
    except Exception:  # python-docx raises many kinds (KeyError, ValueError, lxml errors) on broken parts
        raise ServiceError("无法读取该 DOCX 文件的正文，文件可能已损坏。", field="file") from None
    finally:
        upload.seek(0)

    blocks: list[dict] = []
    body = document.element.body
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            if not text:
                continue
            blocks.append({"kind": _paragraph_kind(paragraph, text), "text": text[:_MAX_PARAGRAPH_CHARS]})
        elif child.tag == qn("w:tbl"):
            rows = _table_rows(Table(child, document))
            if rows:
                blocks.append({"kind": "table", "rows": rows})
    if not blocks:
        raise ServiceError("该 DOCX 文件中没有可导入的正文。", field="file")
    return normalise(blocks, label="导入的正文")


def _paragraph_kind(paragraph, text: str) -> str:
    style = paragraph.style
    while style is not None:
        match = _STYLE_LEVEL.match((style.name or "").strip())
        if match:
            level = int(match.group(1))
            return HEADINGS[min(level, 4) - 1]
        style = style.base_style
    return level_from_prefix(text) or "paragraph"


def _table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells = []
        previous = None
        for cell in row.cells:
            # Merged cells come back once per grid column: keep one copy of a horizontally merged cell.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        if any(cells):
            rows.append(cells)
    return rows
