"""The index document: what the index stores about one 公文, the same for both backends.

Fields that later flows fill are already part of it so the index shape does not change when they land:
``box`` (草稿/发文/收文/归档), ``retention`` (保管期限), ``archive_code`` (档号). They are read from the
document with ``getattr`` so this module keeps working before and after those fields exist.
"""

import hashlib
import json

from documents.models import Document

from . import docnumber
from .visibility import document_keys

# Status → box (which list the document sits in). Unknown future states default to 发文.
BOX_LABELS = {"draft": "草稿", "sent": "发文", "received": "收文", "archived": "归档"}


def box_of(document) -> str:
    if getattr(document, "archived_at", None):
        return "archived"
    if getattr(document, "is_incoming", False):
        return "received"
    return "draft" if document.status == "drafting" else "sent"


def body_text(blocks) -> str:
    parts: list[str] = []
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        if block.get("kind") == "table":
            for row in block.get("rows") or []:
                parts.append(" ".join(str(cell) for cell in row))
        elif block.get("text"):
            parts.append(str(block["text"]))
    return "\n".join(parts)


def build(document: Document) -> dict:
    """The index document of ``document`` (with prefetched issuers and attachments when available)."""
    issuers = sorted(document.issuer_links.all(), key=lambda link: link.position)
    attachments = [
        a.name for a in sorted(document.attachments.all(), key=lambda a: (a.position, a.id)) if not a.removed
    ]
    date = document.written_date or document.print_date or document.created_at.date()
    doc = {
        "id": document.pk,
        "title": document.title,
        "body": body_text(document.body),
        "attachments": "\n".join(attachments),
        "doc_number": document.doc_number,
        "doc_number_key": docnumber.canonical(document.doc_number),
        "doc_type": document.doc_type,
        "status": document.status,
        "box": box_of(document),
        "retention": getattr(document, "retention", "") or "",
        "archive_code": getattr(document, "archive_code", "") or "",
        "owner_unit_id": document.owner_unit_id,
        "issuer_ids": [link.unit_id for link in issuers],
        "issuer_names": [link.unit.name for link in issuers],
        "year": document.number_year or date.year,
        "date": date.isoformat(),
        "keys": document_keys(document),
    }
    doc["fingerprint"] = fingerprint(doc)
    return doc


def fingerprint(doc: dict) -> str:
    """A digest of the indexed content: the consistency check compares it with the database's."""
    content = {k: v for k, v in doc.items() if k != "fingerprint"}
    return hashlib.sha1(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def queryset():
    return Document.objects.select_related("owner_unit").prefetch_related("issuer_links__unit", "attachments")


def build_many(ids) -> tuple[list[dict], list[int]]:
    """(index documents for the ids that exist, ids that no longer exist)."""
    ids = sorted({int(i) for i in ids})
    found = {d.pk: d for d in queryset().filter(pk__in=ids)}
    return [build(found[i]) for i in ids if i in found], [i for i in ids if i not in found]
