"""Index entries built from the database: the same dicts for both backends.

One entry per 公文 of a unit (``search.entries``): ``doc:`` drafts and sent documents, ``in:`` received ones,
``arc:`` archived ones. Every entry has the same fields::

    key, entry, id (of its row), title, body, attachments (names), attachment_text, doc_number (发文字号, for a
    收文 its 来文字号), doc_number_key, reg_number (收文编号), doc_type, status, box, retention (保管期限),
    archive_code (档号), owner_unit_id, issuer_ids, issuer_names, year, date, keys (``search.visibility``: who
    may see it, the flow's people included), fingerprint

``build_*(…, extract=False)`` leaves out the attachments' text (reading files is the Celery task's job, not
the consistency check's); the fingerprint never depends on it — it covers which files the text came from.
"""

import hashlib
import json
from datetime import date as date_cls

from django.utils import timezone

from documents.models import Document, IncomingDocument

from . import attachments as attachment_text
from . import docnumber, entries
from .visibility import archive_keys, document_keys, flow_readers, incoming_keys

BOX_LABELS = {"draft": "草稿", "sent": "发文", "received": "收文", "archived": "归档"}
# 保管期限 codes of the archive (DA/T 22-2015); the index stores the words people read and type.
RETENTION_LABELS = {"Y": "永久", "D30": "30年", "D10": "10年"}
ARCHIVED_STATUS = "archived"


def box_of(document) -> str:
    return "draft" if document.status == "drafting" else "sent"


def retention_label(code: str) -> str:
    model = entries.archive_model()
    if model is not None:
        labels = {str(value): str(label) for value, label in model._meta.get_field("retention").choices}
        if code in labels:
            return labels[code]
    return RETENTION_LABELS.get(code, code or "")


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


def fingerprint(doc: dict, sources=()) -> str:
    """A digest of the indexed content: the consistency check compares it with the database's.

    The attachments' text is represented by ``sources`` (which files, which extractor), so the check
    needs no file reading."""
    content = {k: v for k, v in doc.items() if k not in ("fingerprint", "attachment_text")}
    if sources:
        content["_attachment_sources"] = list(sources)
    return hashlib.sha1(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class _Content:
    """What an entry takes from a ``Document`` (its own, or the source of a 收文 / 档案)."""

    def __init__(self, document, extract: bool):
        self.document = document
        if document is None:
            self.body, self.names, self.text, self.sources, self.issuers = "", [], "", [], []
            return
        files = [a for a in sorted(document.attachments.all(), key=lambda a: (a.position, a.id)) if not a.removed]
        self.body = body_text(document.body)
        self.names = [a.name for a in files]
        self.sources = attachment_text.sources(files)
        self.text = attachment_text.joined_text(files) if extract else ""
        links = sorted(document.issuer_links.all(), key=lambda link: link.position)
        self.issuers = [(link.unit_id, link.unit.name) for link in links]

    @property
    def date(self):
        d = self.document
        return (d.written_date or d.print_date or timezone.localdate(d.created_at)) if d is not None else None

    @property
    def year(self):
        d = self.document
        return (d.number_year or self.date.year) if d is not None else None


def _entry(
    kind: str,
    pk: int,
    content: _Content,
    *,
    title: str,
    doc_type: str,
    status: str,
    box: str,
    owner_unit_id: int,
    date,
    year: int | None,
    keys: list[str],
    doc_number: str = "",
    reg_number: str = "",
    retention: str = "",
    archive_code: str = "",
    issuers=None,
) -> dict:
    issuers = issuers or content.issuers
    doc = {
        "key": entries.key(kind, pk),
        "entry": kind,
        "id": pk,
        "title": title,
        "body": content.body,
        "attachments": "\n".join(content.names),
        "attachment_text": content.text,
        "doc_number": doc_number or "",
        "doc_number_key": docnumber.canonical(doc_number or ""),
        "reg_number": reg_number or "",
        "doc_type": doc_type or "",
        "status": status,
        "box": box,
        "retention": retention or "",
        "archive_code": archive_code or "",
        "owner_unit_id": owner_unit_id,
        "issuer_ids": [unit_id for unit_id, _ in issuers if unit_id],
        "issuer_names": [name for _, name in issuers],
        "year": year or date.year,
        "date": date.isoformat(),
        "keys": keys,
    }
    doc["fingerprint"] = fingerprint(doc, content.sources)
    return doc


def build(document: Document, extract: bool = True, readers=None) -> dict:
    """The entry of a draft or sent document (with prefetched issuers and attachments when available).

    ``readers``: the people with a task in its flow, when loaded in bulk (``visibility.flow_readers``)."""
    content = _Content(document, extract)
    return _entry(
        entries.DOC,
        document.pk,
        content,
        title=document.title,
        doc_number=document.doc_number,
        doc_type=document.doc_type,
        status=document.status,
        box=box_of(document),
        owner_unit_id=document.owner_unit_id,
        year=content.year,
        date=content.date,
        keys=document_keys(document, readers),
    )


def _incoming_issuers(incoming, content: _Content) -> list[tuple]:
    if content.issuers:
        return content.issuers
    return [(incoming.sender_unit_id, incoming.sender_name or getattr(incoming.sender_unit, "name", ""))]


def build_incoming(incoming: IncomingDocument, extract: bool = True, readers=None) -> dict:
    """The entry of a 收文: its own registration data, the text of the sender's document when there is one."""
    content = _Content(incoming.source_document, extract)
    return _entry(
        entries.INCOMING,
        incoming.pk,
        content,
        title=incoming.title,
        doc_number=incoming.source_number,
        reg_number=incoming.reg_number,
        doc_type=incoming.doc_type,
        status=incoming.status,
        box="received",
        owner_unit_id=incoming.unit_id,
        issuers=_incoming_issuers(incoming, content),
        year=content.year or timezone.localdate(incoming.received_at).year,
        date=content.date or timezone.localdate(incoming.received_at),
        keys=incoming_keys(incoming, readers),
    )


def build_archive(item, extract: bool = True, readers=None) -> dict:
    """The entry of a 归档文件: the archive's own description (题名, 文号, 档号, 保管期限, 年度) over the
    text of the document or 收文 it holds. ``readers``: the people with a task in that one's flow."""
    incoming = item.incoming if item.incoming_id else None
    source = item.document if item.document_id else (incoming.source_document if incoming else None)
    content = _Content(source, extract)
    described = _as_corrected(item)
    if incoming is not None and not content.issuers:
        issuers = _incoming_issuers(incoming, content)
    else:
        issuers = content.issuers or [(None, described["issuer_name"])]
    date = described["written_date"] or content.date
    if date is None:
        date = timezone.localdate(incoming.received_at) if incoming else timezone.localdate(item.archived_at)
    return _entry(
        entries.ARCHIVE,
        item.pk,
        content,
        title=described["title"],
        doc_number=described["doc_number"],
        reg_number=incoming.reg_number if incoming else "",
        doc_type=described["doc_type"]
        or (source.doc_type if source else "")
        or (incoming.doc_type if incoming else ""),
        status=ARCHIVED_STATUS,
        box="archived",
        retention=retention_label(item.retention),
        archive_code=described["archive_code"],
        owner_unit_id=item.unit_id,
        issuers=[i for i in issuers if i[1]],
        year=item.year,
        date=date,
        keys=archive_keys(item, readers),
    )


def _as_corrected(item) -> dict:
    """The archive's description as its 更正记录 read: the item row never changes, a correction is a record
    beside it, and search must find the corrected 档号 and 题名. Imported here, not at the top: search works
    without the archive app, and an archive item exists only when it is installed."""
    from documents.archive.corrections import current_values

    described = current_values(item)
    written = described["written_date"]
    described["written_date"] = date_cls.fromisoformat(written) if written else None
    return described


# --- loading --------------------------------------------------------------------------------------------

_CONTENT = ("issuer_links__unit", "attachments")


def queryset():
    return Document.objects.select_related("owner_unit").prefetch_related(*_CONTENT)


def incoming_queryset():
    return IncomingDocument.objects.select_related("sender_unit", "source_document").prefetch_related(
        *(f"source_document__{p}" for p in _CONTENT)
    )


def archive_queryset():
    model = entries.archive_model()
    if model is None:
        return None
    return model._base_manager.select_related("document", "incoming", "incoming__source_document").prefetch_related(
        "corrections", *(f"document__{p}" for p in _CONTENT), *(f"incoming__source_document__{p}" for p in _CONTENT)
    )


def _archived_by_own_unit(field: str, rows) -> set[int]:
    """Ids of ``rows`` (documents or 收文) their own unit has archived: their entries give way to the archive's."""
    model = entries.archive_model()
    if model is None or not rows:
        return set()
    owner = {row.pk: (row.owner_unit_id if field == "document" else row.unit_id) for row in rows}
    pairs = model._base_manager.filter(**{f"{field}_id__in": list(owner)}).values_list(f"{field}_id", "unit_id")
    return {pk for pk, unit_id in pairs if owner.get(pk) == unit_id}


_BUILDERS = {entries.DOC: build, entries.INCOMING: build_incoming, entries.ARCHIVE: build_archive}


def _querysets():
    return {entries.DOC: queryset(), entries.INCOMING: incoming_queryset(), entries.ARCHIVE: archive_queryset()}


def _readers_of(kind: str, rows) -> dict:
    """Row id → the people with a task in the flow its entry's visibility follows (two queries per batch)."""
    if kind == entries.DOC:
        return flow_readers("document", [row.pk for row in rows])
    if kind == entries.INCOMING:
        return flow_readers("incoming", [row.pk for row in rows])
    by_document = flow_readers("document", [row.document_id for row in rows if row.document_id])
    by_incoming = flow_readers("incoming", [row.incoming_id for row in rows if row.incoming_id])
    return {
        row.pk: by_document.get(row.document_id, set()) if row.document_id else by_incoming.get(row.incoming_id, set())
        for row in rows
    }


def _build_rows(kind: str, rows, extract: bool) -> tuple[list[dict], set[int]]:
    """(entries of ``rows``, ids of rows that have no entry of their own)."""
    superseded = set()
    if kind == entries.DOC:
        superseded = _archived_by_own_unit("document", rows)
    elif kind == entries.INCOMING:
        superseded = _archived_by_own_unit("incoming", rows)
    rows = [row for row in rows if row.pk not in superseded]
    readers = _readers_of(kind, rows)
    return [_BUILDERS[kind](row, extract, readers.get(row.pk, set())) for row in rows], superseded


def build_many(keys, extract: bool = True) -> tuple[list[dict], list[str]]:
    """(entries for the keys that should be indexed, keys that should not be in the index)."""
    by_kind: dict[str, list[int]] = {}
    for value in entries.normalise(keys):
        kind, pk = entries.parse(value)
        by_kind.setdefault(kind, []).append(pk)
    docs, gone = [], []
    querysets = _querysets()
    for kind, ids in sorted(by_kind.items()):
        qs = querysets[kind]
        rows = list(qs.filter(pk__in=ids)) if qs is not None else []
        built, superseded = _build_rows(kind, rows, extract)
        docs.extend(built)
        found = {row.pk for row in rows} - superseded
        gone.extend(entries.key(kind, pk) for pk in ids if pk not in found)
    return docs, sorted(gone)


def dependents(keys) -> list[str]:
    """``keys`` and the entries built from them: a document's 收文 copies (their text is the document's) and
    the 档案 of either; an archive item's own document or 收文 (its entry appears or gives way)."""
    doc_ids, in_ids, arc_ids = set(), set(), set()
    for value in entries.normalise(keys):
        kind, pk = entries.parse(value)
        {entries.DOC: doc_ids, entries.INCOMING: in_ids, entries.ARCHIVE: arc_ids}[kind].add(pk)
    if doc_ids:
        in_ids |= set(IncomingDocument.objects.filter(source_document_id__in=doc_ids).values_list("pk", flat=True))
    model = entries.archive_model()
    if model is not None and (doc_ids or in_ids or arc_ids):
        from django.db.models import Q

        rows = model._base_manager.filter(
            Q(document_id__in=doc_ids) | Q(incoming_id__in=in_ids) | Q(pk__in=arc_ids)
        ).values_list("pk", "document_id", "incoming_id")
        for pk, document_id, incoming_id in rows:
            arc_ids.add(pk)
            if document_id:
                doc_ids.add(document_id)
            if incoming_id:
                in_ids.add(incoming_id)
    return sorted(
        [entries.key(entries.DOC, i) for i in doc_ids]
        + [entries.key(entries.INCOMING, i) for i in in_ids]
        + [entries.key(entries.ARCHIVE, i) for i in arc_ids]
    )


def total_rows() -> int:
    return sum(qs.count() for qs in _querysets().values() if qs is not None)


def all_entries(batch: int = 500, extract: bool = True):
    """(rows read, entries) per batch, over every document, 收文 and archive item."""
    for kind, qs in _querysets().items():
        if qs is None:
            continue
        ids = list(qs.model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            rows = list(qs.filter(pk__in=ids[start : start + batch]).order_by("pk"))
            yield len(rows), _build_rows(kind, rows, extract)[0]
