"""Keeping the index in step with ``documents``: ``documents`` never imports us; we listen to its models.

Every change of a 公文 ends up in one of these saves: the document and its rows (the services store a
version at each step, 编号 included, even where the document row itself is changed with ``update()``), any
other ``documents`` row carrying a ``document_id`` (the workflow's flow), and the audit event each
service writes about the document. Ids touched inside one
transaction are collected and handed to the Celery task once, after commit — a rolled-back change is
never indexed, and a failing broker or index never breaks the user's transaction (``search_check`` /
``search_reindex`` repair what was missed).
"""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from documents.models import Attachment, Document, DocumentAddressee, DocumentIssuer, DocumentVersion

log = logging.getLogger(__name__)
_PENDING = "_oa_search_pending"


def enqueue(ids) -> None:
    """Index these documents after the current transaction commits (at once outside one).

    One callback per transaction: later ids join the set of the callback still waiting in Django's
    on-commit list. A rolled-back (savepoint) block drops its callback, and then its set is not reused."""
    ids = {int(i) for i in ids if i is not None}
    if not ids:
        return
    connection = transaction.get_connection()
    waiting = getattr(connection, _PENDING, None)
    if waiting is not None and connection.in_atomic_block:
        pending, callback = waiting
        if any(entry[1] is callback for entry in connection.run_on_commit):
            pending.update(ids)
            return
    pending = set(ids)

    def callback():
        if getattr(connection, _PENDING, (None, None))[1] is callback:
            setattr(connection, _PENDING, None)
        _send(sorted(pending))

    if connection.in_atomic_block:
        setattr(connection, _PENDING, (pending, callback))
    transaction.on_commit(callback)


def _send(ids: list[int]) -> None:
    from .tasks import index_documents

    try:
        index_documents.delay(ids)
    except Exception:  # broker down or index failure in eager mode: the check command finds these ids
        log.exception("search: could not index documents %s", ids)


def _document_saved(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    enqueue([instance.pk])


def _child_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    enqueue([instance.document_id])


def _issuers_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        enqueue([instance.pk] if isinstance(instance, Document) else kwargs.get("pk_set") or [])


def _related_saved(sender, instance, **kwargs):
    """Any other ``documents`` row tied to a document (the 发文/收文 flow, its steps): state changes made
    with ``update()`` on the document come with one of these saves in the same transaction."""
    if kwargs.get("raw") or sender._meta.app_label != "documents" or sender in _DIRECT:
        return
    document_id = getattr(instance, "document_id", None)
    if isinstance(document_id, int):
        enqueue([document_id])


def _audited(sender, instance, created=False, **kwargs):
    """Every service writes an audit event; one about a document re-indexes it."""
    if created and instance.object_type == "documents.document" and str(instance.object_id).isdigit():
        enqueue([int(instance.object_id)])


_DIRECT = (Document, DocumentIssuer, DocumentAddressee, Attachment, DocumentVersion)


def connect() -> None:
    from oa.audit.models import AuditEvent

    uid = "search-index"
    post_save.connect(_document_saved, sender=Document, dispatch_uid=f"{uid}-doc-save")
    post_delete.connect(_document_saved, sender=Document, dispatch_uid=f"{uid}-doc-delete")
    for model in (DocumentIssuer, DocumentAddressee, Attachment, DocumentVersion):
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-delete")
    m2m_changed.connect(_issuers_changed, sender=Document.issuers.through, dispatch_uid=f"{uid}-issuers")
    post_save.connect(_related_saved, dispatch_uid=f"{uid}-related")
    post_save.connect(_audited, sender=AuditEvent, dispatch_uid=f"{uid}-audit")
