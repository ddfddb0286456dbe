"""Keeping the index in step with ``documents``: ``documents`` never imports us; we listen to its models.

Every change of a 公文 ends up in one of these saves: the document and its rows (the services store a
version at each step, 编号 included, even where the document row itself is changed with ``update()``), any
other ``documents`` row carrying a ``document_id`` or ``incoming_id`` (the workflow's flow), a task of a flow
(``FlowTask``: who has a task decides who may read the document, see ``search.visibility``), a 收文
(``IncomingDocument``), an archive item (``archive.ArchiveItem``, when that app is installed), and the audit
event each service writes about a document or a 收文. Keys touched inside one transaction are collected
and handed to the Celery task once, after commit — a rolled-back change is never indexed, and a failing
broker or index never breaks the user's transaction (``search_check`` / ``search_reindex`` repair what was
missed). Attachment files are read by that task, never in the request.
"""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from documents.models import (
    Attachment,
    Document,
    DocumentAddressee,
    DocumentIssuer,
    DocumentVersion,
    IncomingDocument,
)
from documents.workflow.models import Flow, FlowTask

from . import entries

log = logging.getLogger(__name__)
_PENDING = "_oa_search_pending"


def enqueue(keys) -> None:
    """Index these entries (keys doc:12 / in:5 / arc:3, or document ids) after the current transaction
    commits (at once outside one).

    One callback per transaction: later keys join the set of the callback still waiting in Django's
    on-commit list. A rolled-back (savepoint) block drops its callback, and then its set is not reused."""
    ids = set(entries.normalise(k for k in keys if k is not None))
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
        if (getattr(connection, _PENDING, None) or (None, None))[1] is callback:
            setattr(connection, _PENDING, None)
        _send(sorted(pending))

    if connection.in_atomic_block:
        setattr(connection, _PENDING, (pending, callback))
    transaction.on_commit(callback)


def _send(ids: list[str]) -> None:
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


def _incoming_saved(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    enqueue([entries.key(entries.INCOMING, instance.pk)])


def _archived(sender, instance, **kwargs):
    """An archive item: its own entry, and the document's or 收文's entry that gives way to it (or returns)."""
    if kwargs.get("raw"):
        return
    keys = [entries.key(entries.ARCHIVE, instance.pk)]
    if getattr(instance, "document_id", None):
        keys.append(entries.key(entries.DOC, instance.document_id))
    if getattr(instance, "incoming_id", None):
        keys.append(entries.key(entries.INCOMING, instance.incoming_id))
    enqueue(keys)


def _related_saved(sender, instance, **kwargs):
    """Any other ``documents`` row tied to a document or a 收文 (the 发文/收文 flow, its steps): state changes
    made with ``update()`` come with one of these saves in the same transaction."""
    if kwargs.get("raw") or sender._meta.app_label != "documents" or sender in _DIRECT:
        return
    keys = []
    document_id = getattr(instance, "document_id", None)
    if isinstance(document_id, int):
        keys.append(entries.key(entries.DOC, document_id))
    incoming_id = getattr(instance, "incoming_id", None)
    if isinstance(incoming_id, int):
        keys.append(entries.key(entries.INCOMING, incoming_id))
    enqueue(keys)


def _task_changed(sender, instance, **kwargs):
    """A task assigned, done, cancelled or removed: the flow's people are the entry's readers (its keys)."""
    if kwargs.get("raw"):
        return
    flow = instance.flow if FlowTask.flow.is_cached(instance) else None
    if flow is None:
        flow = Flow.objects.filter(pk=instance.flow_id).only("document_id", "incoming_id").first()
    if flow is None:  # deleted with its flow: the document's or 收文's own deletion re-indexes it
        return
    if flow.document_id:
        enqueue([entries.key(entries.DOC, flow.document_id)])
    if flow.incoming_id:
        enqueue([entries.key(entries.INCOMING, flow.incoming_id)])


AUDITED = {
    "documents.document": entries.DOC,
    "documents.incomingdocument": entries.INCOMING,
    "archive.archiveitem": entries.ARCHIVE,
}


def _audited(sender, instance, created=False, **kwargs):
    """Every service writes an audit event; one about a document, a 收文 or an archive item re-indexes it."""
    kind = AUDITED.get(instance.object_type)
    if created and kind and str(instance.object_id).isdigit():
        enqueue([entries.key(kind, int(instance.object_id))])


_DIRECT = (Document, DocumentIssuer, DocumentAddressee, Attachment, DocumentVersion, IncomingDocument, FlowTask)


def connect() -> None:
    from oa.audit.models import AuditEvent

    uid = "search-index"
    post_save.connect(_document_saved, sender=Document, dispatch_uid=f"{uid}-doc-save")
    post_delete.connect(_document_saved, sender=Document, dispatch_uid=f"{uid}-doc-delete")
    for model in (DocumentIssuer, DocumentAddressee, Attachment, DocumentVersion):
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"{uid}-{model.__name__}-delete")
    m2m_changed.connect(_issuers_changed, sender=Document.issuers.through, dispatch_uid=f"{uid}-issuers")
    post_save.connect(_incoming_saved, sender=IncomingDocument, dispatch_uid=f"{uid}-incoming-save")
    post_delete.connect(_incoming_saved, sender=IncomingDocument, dispatch_uid=f"{uid}-incoming-delete")
    post_save.connect(_task_changed, sender=FlowTask, dispatch_uid=f"{uid}-task-save")
    post_delete.connect(_task_changed, sender=FlowTask, dispatch_uid=f"{uid}-task-delete")
    post_save.connect(_related_saved, dispatch_uid=f"{uid}-related")
    post_save.connect(_audited, sender=AuditEvent, dispatch_uid=f"{uid}-audit")
    if entries.archive_installed():
        # A lazy sender: search never imports the archive app, and works before it is installed (a lazy
        # reference to an app that is not installed would fail Django's checks, hence the guard).
        post_save.connect(_archived, sender=entries.ARCHIVE_MODEL, dispatch_uid=f"{uid}-archive-save")
        post_delete.connect(_archived, sender=entries.ARCHIVE_MODEL, dispatch_uid=f"{uid}-archive-delete")
