"""Writing to the audit trail. Call ``record`` inside the service's transaction: the event commits or
rolls back with the change it describes.  Refusals (permission denied, failed logins) are recorded with
``record_outside`` so they survive the rollback of the refused work."""

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from oa.audit.models import AuditEvent, ChainHead, GENESIS_HASH, Result
from oa.core.context import current_request_info


def _object_fields(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk), str(obj)[:200]
    return type(obj).__name__, "", str(obj)[:200]


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
    object_type, object_id, object_repr = _object_fields(obj)
    if client_address is None:
        client_address = current_request_info().client_address
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = ""
    if actor_obj is not None:
        actor_name = actor_obj.get_full_name()
    elif isinstance(actor, str):
        actor_name = actor
    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor=actor_obj,
            actor_name=actor_name[:80],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            result=result,
            before=before,
            after=after,
            summary=summary[:300],
            client_address=client_address[:64],
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def record_outside(actor, action: str, obj: Any = None, **kwargs) -> None:
    """Record after the current transaction, whatever its outcome (used for refusals)."""
    if transaction.get_connection().in_atomic_block:
        # A separate connection is not available on SQLite; run after commit or immediately on rollback.
        transaction.on_commit(lambda: record(actor, action, obj, **kwargs))
    else:
        record(actor, action, obj, **kwargs)


def _locked_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head
