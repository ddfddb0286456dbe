"""办结回执: when a 收文 that arrived through the exchange is finished (its flow reaches "done") and the sender
asked for it at dispatch, the recipient returns a second signed 回执 — who finished it, when, over the same
package hash — appended to the ledger and pushed to the sender's board.

The workflow is not ours to change: ``signals`` watches its saves and, after commit, enqueues ``issue_for_flow``.
Idempotent (one 办结回执 per delivery, row-locked, checked again under the lock); the periodic sweeper calls
``sweep_missing`` for a hook lost to a crash between commit and enqueue."""

import logging

from django.db import transaction

from oa.audit.services import record

from . import ledger, receipts
from .models import Delivery, DoneReceipt, State

log = logging.getLogger(__name__)

FINISHED = "done"  # documents.workflow.incoming._finish: engine.finish(flow, "done")


def _finisher(flow):
    """The person who did the last step (承办 done, or the last 传阅 read) — they finished it."""
    from documents.workflow.models import FlowTask, TaskState

    task = (
        FlowTask.objects.filter(flow=flow, state=TaskState.DONE)
        .select_related("acted_by", "assignee")
        .order_by("-decided_at", "-pk")
        .first()
    )
    if task is None:
        return None
    return task.acted_by or task.assignee


def issue_for_flow(flow_id: int) -> DoneReceipt | None:
    """The 办结回执 of the delivery whose 收文 flow is ``flow_id``, if asked for and the flow is finished.
    Returns the receipt (new or already there), None when there is nothing to issue."""
    from documents.workflow.models import Flow

    if not Delivery.objects.filter(incoming_flow_id=flow_id, want_done_receipt=True).exists():
        return None
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("recipient", "document")
            .filter(incoming_flow_id=flow_id, want_done_receipt=True)
            .first()
        )
        if delivery is None or delivery.state != State.SIGNED:
            return None
        existing = DoneReceipt.objects.filter(delivery=delivery).first()
        if existing is not None:
            return existing
        flow = Flow.objects.filter(pk=flow_id).first()
        if flow is None or flow.state != FINISHED or flow.finished_at is None:
            return None
        ledger.lock_head()
        finisher = _finisher(flow)
        name = (finisher.get_full_name() or finisher.get_username())[:40] if finisher else "系统"
        message = receipts.done_message_for(delivery, name, flow.finished_at)
        certificate, signature = receipts.sign(delivery.recipient, message)
        receipt = DoneReceipt.objects.create(
            delivery=delivery,
            finisher=finisher,
            finisher_name=name,
            finished_at=flow.finished_at,
            package_sha256=delivery.package_sha256,
            message=message,
            certificate=certificate,
            signature=signature,
        )
        ledger.append(
            "done", [delivery], finisher or "系统", {"receipt_signed": signature is not None, "flow": flow_id}
        )
        record(
            finisher or "系统",
            "exchange.done_receipt",
            delivery.document,
            after={"delivery": delivery.pk, "flow": flow_id, "signed": signature is not None},
            summary=f"{delivery.recipient.name}办结《{delivery.document.title}》，发送办结回执",
        )
        from .services import _notify_both

        _notify_both(delivery, "done")
    return receipt


def enqueue_for_flow(flow_id: int) -> None:
    """After commit: hand the work to a worker (never raises; the sweeper catches what is lost)."""
    from .tasks import issue_done_receipt

    try:
        issue_done_receipt.delay(int(flow_id))
    except Exception:
        log.warning("could not enqueue the 办结回执 of flow %s; the sweeper will issue it", flow_id, exc_info=True)


def missing_flow_ids(limit: int = 500) -> list[int]:
    from documents.workflow.models import Flow

    finished = Flow.objects.filter(state=FINISHED, finished_at__isnull=False).values("pk")
    return list(
        Delivery.objects.filter(
            want_done_receipt=True, state=State.SIGNED, done_receipt__isnull=True, incoming_flow_id__in=finished
        )
        .order_by("pk")
        .values_list("incoming_flow_id", flat=True)[:limit]
    )


def sweep_missing() -> int:
    flow_ids = missing_flow_ids()
    for flow_id in flow_ids:
        try:
            issue_for_flow(flow_id)
        except Exception:
            log.warning("办结回执 of flow %s failed; next sweep retries", flow_id, exc_info=True)
    return len(flow_ids)
