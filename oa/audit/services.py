"""Writing to the audit trail.

``record(actor, action, obj, ...)``
    Call it inside the service's transaction: the event commits or rolls back with the change it describes.

``record_outside(actor, action, obj, ...)``
    For refusals (permission denied, failed logins): the event must exist even when the refused work is
    rolled back.  One code path on SQLite and PostgreSQL:

    * outside a transaction (the normal case: ``oa.permissions.require`` runs *before* the service opens
      ``transaction.atomic()``) the event is appended at once in its own short transaction;
    * inside a transaction the event is kept in a per-connection queue (with its time, actor and client
      address taken now) and appended as soon as the transaction is over: right after commit
      (``on_commit``), or — when it rolls back — at the boundary of the unit of work: the end of the HTTP
      request (``request_finished``), the end of the Celery task (``task_postrun``), the next append made
      outside a transaction, or an explicit ``flush_pending()`` (consumers, management commands).

    Why not a second database connection: on SQLite the open transaction already holds the write lock
    (IMMEDIATE mode), and on PostgreSQL it may already hold the chain-head row lock — a second connection
    would wait on its own thread forever.

    Atomic blocks opened by Django's ``TestCase`` around each test do not count as a transaction here, so
    tests see refusals immediately, as production does outside a transaction.

The chain is serialised by the single ``ChainHead`` row: ``select_for_update`` on PostgreSQL; on SQLite
every transaction starts with ``BEGIN IMMEDIATE`` (settings, checked by ``audit.E001``), which takes the
database write lock before the head is read.
"""

import json
import math
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from oa.audit.models import GENESIS_HASH, AuditEvent, ChainHead, Result
from oa.core.context import current_request_info

_PENDING_ATTR = "_oa_audit_pending"


def record(
    actor,
    action: str,
    obj: Any = None,
    *,
    result: str = Result.SUCCESS,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
    client_address: str | None = None,
) -> AuditEvent:
    """Append one event in the current transaction. ``actor`` is a person, a name (``"系统"``) or None."""
    fields = _event_fields(actor, action, obj, result, before, after, summary, client_address)
    if not _in_transaction():
        flush_pending()
    return _append(fields)


def record_outside(
    actor,
    action: str,
    obj: Any = None,
    *,
    result: str = Result.SUCCESS,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
    client_address: str | None = None,
) -> None:
    """Record an event that must survive the rollback of the surrounding transaction (see module doc)."""
    fields = _event_fields(actor, action, obj, result, before, after, summary, client_address)
    if not _in_transaction():
        flush_pending()
        _append(fields)
        return
    connection = connections[DEFAULT_DB_ALIAS]
    pending = getattr(connection, _PENDING_ATTR, None)
    if pending is None:
        pending = []
        setattr(connection, _PENDING_ATTR, pending)
    pending.append(fields)
    transaction.on_commit(flush_pending)


def flush_pending() -> int:
    """Append the refusals queued by ``record_outside`` while a transaction was open. Returns how many.

    Does nothing while a transaction is still open (it may yet roll back)."""
    connection = connections[DEFAULT_DB_ALIAS]
    pending = getattr(connection, _PENDING_ATTR, None)
    if not pending or _in_transaction():
        return 0
    written = 0
    while pending:
        _forget_vanished_actor(pending[0])
        _append(pending[0])
        pending.pop(0)
        written += 1
    return written


def _forget_vanished_actor(fields: dict) -> None:
    # A refusal queued inside a transaction that rolled back may name a person created in that same
    # transaction; keep the name (it is hashed) and drop the link rather than lose the event.
    actor = fields.get("actor")
    if actor is not None and not actor._meta.model._default_manager.filter(pk=actor.pk).exists():
        fields["actor"] = None


def pending_count() -> int:
    return len(getattr(connections[DEFAULT_DB_ALIAS], _PENDING_ATTR, None) or ())


# --- internals ------------------------------------------------------------------------------------------


def _in_transaction() -> bool:
    """True inside an atomic block that may still roll back; the blocks Django's TestCase wraps around each
    test are ignored (they stand for the autocommit of production)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        return False
    return not all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _append(fields: dict) -> AuditEvent:
    with transaction.atomic():
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            last_seq, last_hash = _locked_head(cursor, connection)
            event = AuditEvent(seq=last_seq + 1, prev_hash=last_hash, **fields)
            event.hash = event.compute_hash()
            event.save(force_insert=True)
            cursor.execute(
                "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [event.seq, event.hash]
            )
    return event


def _locked_head(cursor, connection) -> tuple[int, str]:
    """Read the head with a row lock (PostgreSQL); on SQLite the IMMEDIATE transaction already holds the
    database write lock. Plain SQL: this runs inside the lock for every event, so it is kept short."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    cursor.execute(f"SELECT last_seq, last_hash FROM audit_chainhead WHERE id = 1{lock}")
    row = cursor.fetchone()
    if row is None:
        # First event ever (or after a test flush). Concurrent first writers: get_or_create absorbs the
        # duplicate insert, then everybody queues on the row lock.
        ChainHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH})
        cursor.execute(f"SELECT last_seq, last_hash FROM audit_chainhead WHERE id = 1{lock}")
        row = cursor.fetchone()
    return row[0], row[1]


def _event_fields(actor, action, obj, result, before, after, summary, client_address) -> dict:
    object_type, object_id, object_repr = _object_fields(obj)
    if client_address is None:
        client_address = current_request_info().client_address
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    if actor_obj is not None:
        actor_name = actor_obj.get_full_name()
    elif isinstance(actor, str):
        actor_name = actor
    else:
        actor_name = ""
    return {
        "created_at": timezone.now(),
        "actor": actor_obj,
        "actor_name": _text(actor_name, 80),
        "action": _text(action, 60),
        "object_type": _text(object_type, 60),
        "object_id": _text(object_id, 64),
        "object_repr": _text(object_repr, 200),
        "result": str(result),
        "before": _jsonable(before),
        "after": _jsonable(after),
        "summary": _text(summary, 300),
        "client_address": _text(client_address or "", 64),
    }


def _object_fields(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk), str(obj)
    return type(obj).__name__, "", str(obj)


def _text(value, limit: int) -> str:
    # Truncate before hashing so the hash covers exactly what the column keeps; NUL is refused by PostgreSQL.
    return str(value).replace("\x00", "")[:limit]


def _jsonable(value):
    """The value as the database will give it back, so the hash computed now matches the one recomputed
    later: dates/decimals/UUIDs become strings, keys strings; integral floats become ints (PostgreSQL jsonb
    prints 1e+20 as an integer), non-finite floats strings."""
    if value is None:
        return None
    return _normalise(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


def _normalise(value):
    if isinstance(value, dict):
        return {key.replace("\x00", ""): _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            return int(value)
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value
