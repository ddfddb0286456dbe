"""公文交换 use cases. The database is the truth: ``dispatch`` writes one Delivery (outbox row) per recipient
in the same transaction as the document's state change and only wakes the workers after commit; every state
change locks its Delivery row (``select_for_update``) and checks the state, so a retried task, a second
sweeper run or a recall racing a 签收 ends in one consistent state. Every event goes to the exchange ledger."""

import logging

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from documents.models import AddresseeKind, Document, Status
from oa.audit.services import record
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.org.models import Level, Unit
from oa.todo.models import Kind as TodoKind
from oa.todo.services import complete_for_source

from . import access, arrival, ledger, package, push, receipts, urging
from .models import OPEN_STATES, Delivery, DoneReceipt, Kind, Receipt, State

log = logging.getLogger(__name__)

SOURCE_APP = arrival.SOURCE_APP
DISPATCHABLE = (Status.DISTRIBUTING, Status.DISTRIBUTED)
MAX_RECIPIENTS = 5000
# Deliveries per task message: big enough that a 1,000-unit send is a handful of transactions, small enough
# that a batch holds its locks briefly and a killed worker (prefetch 1, late ack) holds back only one.
BATCH_SIZE = 100
SWEEP_LIMIT = 2000


# --- reading -----------------------------------------------------------------------------------------


def inbox_for(user, unit_ids=None):
    """Deliveries that reached the units whose inbox the person may see (待发送 rows are not shown yet)."""
    ids = access.watched_unit_ids(user)
    if unit_ids is not None:
        ids &= {int(u) for u in unit_ids}
    return (
        Delivery.objects.filter(recipient_id__in=ids)
        .exclude(state=State.PENDING)
        .exclude(delivered_at__isnull=True)  # recalled before it arrived: the recipient never had it
        .select_related("document", "sender_unit", "recipient", "receipt", "done_receipt")
        .order_by("-delivered_at", "-pk")
    )


def sent_for(user):
    return Delivery.objects.filter(sender_unit_id__in=access.watched_unit_ids(user))


def get_delivery_for(user, delivery_id, *, side: str) -> Delivery:
    """The delivery if the person is on that side of it (``side``: "recipient" or "sender"). Someone else's
    delivery is reported as missing, not forbidden, so ids cannot be probed."""
    delivery = None
    if str(delivery_id).isdigit():
        delivery = (
            Delivery.objects.select_related("document", "recipient", "sender_unit").filter(pk=delivery_id).first()
        )
    unit_id = None if delivery is None else (delivery.recipient_id if side == "recipient" else delivery.sender_unit_id)
    if delivery is None or not access.can_watch(user, unit_id):
        raise NotFoundError("该交换记录不存在或无权查看。")
    return delivery


def get_document_for_board(user, document_id) -> Document:
    document = Document.objects.filter(pk=document_id).first() if str(document_id).isdigit() else None
    if document is None or not access.can_watch(user, document.owner_unit_id):
        raise NotFoundError("该公文不存在或无权查看。")
    return document


def board(document) -> dict:
    """The sender's tracking board: per-recipient rows, counts by state and by level."""
    rows = list(
        Delivery.objects.filter(document=document)
        .select_related("recipient", "document", "sender_unit", "receipt", "done_receipt")
        .order_by("recipient__path")
    )
    by_state = {state: 0 for state in State.values}
    by_level: dict[int, dict[str, int]] = {}
    for row in rows:
        row.receipt_text = receipt_text(row)
        row.urge_text = urging.urge_text(row)
        by_state[row.state] += 1
        level = by_level.setdefault(row.recipient.level, {state: 0 for state in State.values})
        level[row.state] += 1
    return {
        "rows": rows,
        "total": len(rows),
        "by_state": by_state,
        "unsigned": by_state[State.DELIVERED],
        "by_level": [
            {"level": level, "label": Level(level).label, "counts": counts}
            for level, counts in sorted(by_level.items())
        ],
    }


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _receipt_of(delivery: Delivery, name: str):
    try:
        return getattr(delivery, name)
    except (Receipt.DoesNotExist, DoneReceipt.DoesNotExist):
        return None


def receipt_text(delivery: Delivery) -> str:
    """The 回执 column: who signed for it and when; who finished it and when (办结回执), or that it is awaited."""
    parts = []
    receipt = _receipt_of(delivery, "receipt") if delivery.state == State.SIGNED else None
    if receipt is not None:
        parts.append(f"签收：{receipt.clerk_name} {_local(receipt.signed_at)}")
    done = _receipt_of(delivery, "done_receipt") if delivery.want_done_receipt else None
    if done is not None:
        parts.append(f"办结：{done.finisher_name} {_local(done.finished_at)}")
    elif delivery.want_done_receipt and delivery.state in (*OPEN_STATES, State.SIGNED):
        parts.append("待办结回执")
    return "；".join(parts)


def row_json(delivery: Delivery) -> dict:
    receipt = _receipt_of(delivery, "receipt") if delivery.state == State.SIGNED else None
    done = _receipt_of(delivery, "done_receipt") if delivery.want_done_receipt else None
    return {
        "id": delivery.pk,
        "document": delivery.document_id,
        "title": delivery.document.title,
        "doc_number": delivery.document.doc_number,
        "sender": delivery.sender_unit.name,
        "recipient": delivery.recipient.name,
        "recipient_level": delivery.recipient.level,
        "kind": delivery.get_kind_display(),
        "state": delivery.state,
        "state_label": delivery.get_state_display(),
        "flagged": delivery.flagged,
        "flag_reason": delivery.flag_reason,
        "return_reason": delivery.return_reason,
        "seal_verdict": (delivery.seal_report or {}).get("verdict_label", ""),
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        "finished_at": delivery.finished_at.isoformat() if delivery.finished_at else None,
        "want_done_receipt": delivery.want_done_receipt,
        "receipt_text": receipt_text(delivery),
        "urge_count": delivery.urge_count,
        "urge_text": urging.urge_text(delivery),
        "receipt": None
        if receipt is None
        else {
            "clerk": receipt.clerk_name,
            "signed_at": receipt.signed_at.isoformat(),
            "signed": bool(receipt.signature),
        },
        "done_receipt": None
        if done is None
        else {
            "finisher": done.finisher_name,
            "finished_at": done.finished_at.isoformat(),
            "signed": bool(done.signature),
        },
    }


# --- sending -----------------------------------------------------------------------------------------


def _level_units(include_levels_under) -> list[Unit]:
    """[(parent, level), …] → every active unit of that level under that parent."""
    if not include_levels_under:
        return []
    if (
        isinstance(include_levels_under, tuple)
        and len(include_levels_under) == 2
        and isinstance(include_levels_under[1], int)
    ):
        include_levels_under = [include_levels_under]
    result = []
    for parent, level in include_levels_under:
        if int(level) not in Level.values:
            raise ServiceError("层级不正确。", field="level")
        result.extend(
            Unit.objects.filter(path__startswith=parent.path, level=int(level), is_active=True).exclude(pk=parent.pk)
        )
    return result


def _recipients(document, recipients, cc, include_levels_under) -> list[tuple[Unit, str]]:
    chosen: dict[int, tuple[Unit, str]] = {}
    for unit in [*recipients, *_level_units(include_levels_under)]:
        chosen.setdefault(unit.pk, (unit, Kind.MAIN))
    for unit in cc:
        chosen.setdefault(unit.pk, (unit, Kind.CC))
    chosen.pop(document.owner_unit_id, None)  # a unit does not send to itself
    inactive = [u.name for u, _ in chosen.values() if not u.is_active]
    if inactive:
        raise ServiceError(f"以下单位已停用，不能分发：{'、'.join(inactive[:5])}。")
    return list(chosen.values())


def addressee_units(document) -> tuple[list[Unit], list[Unit]]:
    """The document's 主送 and 抄送 units of the tree (the dispatch form's defaults)."""
    main, cc = [], []
    for link in document.addressees.select_related("unit").order_by("kind", "position"):
        (main if link.kind == AddresseeKind.MAIN else cc).append(link.unit)
    return main, cc


def _advance_document(actor, document) -> None:
    """分发 ends the 发文 flow: close the 分发 step through the workflow when it is open, else set the
    status (documents that reached 待分发 without a flow)."""
    if document.status != Status.DISTRIBUTING:
        return
    from documents.workflow import outgoing

    flow = outgoing.flow_of(document)
    if flow is not None and not flow.finished and flow.state == "distributing":
        outgoing.approve(actor, flow, opinion="已通过公文交换分发")
    else:
        Document.objects.filter(pk=document.pk).update(status=Status.DISTRIBUTED)


def dispatch(
    actor, document, recipients=(), *, cc=(), include_levels_under=None, want_done_receipt: bool = False
) -> list[Delivery]:
    """分发 ``document`` (sealed, 待分发 or already 已分发 for a 补发) to 主送 ``recipients`` and 抄送 ``cc`` units
    anywhere in the tree, plus every unit of level L under parent P for each (P, L) in
    ``include_levels_under``. Units already sent to are skipped. ``want_done_receipt``: each recipient
    returns a signed 办结回执 when its 收文 is finished. Returns the new deliveries."""
    if not access.can_act(actor, document.owner_unit_id):
        raise PermissionDeniedError("只有发文单位的收发员可以分发公文。")
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("owner_unit").get(pk=document.pk)
        if document.status not in DISPATCHABLE:
            raise ServiceError("公文用印完成、进入分发环节后才能分发。")
        chosen = _recipients(document, recipients, cc, include_levels_under)
        if not chosen:
            raise ServiceError("请选择至少一个收文单位。", field="recipients")
        if len(chosen) > MAX_RECIPIENTS:
            raise ServiceError(f"一次最多分发给 {MAX_RECIPIENTS} 个单位。")
        ledger.lock_head()  # before the workflow's audit lines: one lock order for every exchange transaction
        already = set(Delivery.objects.filter(document=document).values_list("recipient_id", flat=True))
        package_sha = package.package_hash(document)
        now = timezone.now()
        new = [
            Delivery(
                document=document,
                sender_unit_id=document.owner_unit_id,
                recipient=unit,
                kind=kind,
                package_sha256=package_sha,
                dispatched_by=actor,
                enqueued_at=now,
                want_done_receipt=bool(want_done_receipt),
            )
            for unit, kind in chosen
            if unit.pk not in already
        ]
        if not new:
            raise ServiceError("所选单位均已分发过。")
        Delivery.objects.bulk_create(new, batch_size=500)
        created = list(Delivery.objects.filter(document=document, recipient_id__in=[d.recipient_id for d in new]))
        _advance_document(actor, document)
        ledger.append("sent", created, actor, {"package_sha256": package_sha})
        record(
            actor,
            "exchange.dispatch",
            document,
            after={
                "recipients": len(created),
                "package_sha256": package_sha,
                "want_done_receipt": bool(want_done_receipt),
            },
            summary=f"分发《{document.title}》至 {len(created)} 个单位",
        )
        push.notify(document.owner_unit_id, document=document.pk, event="sent")
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: enqueue(ids))
    return created


def enqueue(delivery_ids) -> None:
    """Wake the workers, one task message per batch. Never raises: the rows are committed, and the sweeper
    re-sends what was missed."""
    from .tasks import deliver_batch

    ids = list(delivery_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        try:
            deliver_batch.delay(batch)
        except Exception:
            log.warning("could not enqueue exchange deliveries %s…; the sweeper will retry", batch[:3], exc_info=True)


# --- arrival (worker side): see ``arrival`` -------------------------------------------------------

arrive, arrive_many = arrival.arrive, arrival.arrive_many


def _close_todos(delivery: Delivery) -> None:
    """The 签收 todo and any 催收 notices end with the delivery's wait (签收, 退回 or 撤回)."""
    complete_for_source(SOURCE_APP, delivery.pk)
    complete_for_source(SOURCE_APP, delivery.pk, kind=TodoKind.TOREAD)


def _notify_both(delivery: Delivery, event: str) -> None:
    # Fixed order (sender, then recipient by id) so two transactions never wait on each other's stream rows.
    for unit_id in sorted({delivery.sender_unit_id, delivery.recipient_id}):
        push.notify(unit_id, document=delivery.document_id, delivery=delivery.pk, state=delivery.state, event=event)


def sweep(older_than_seconds: int = 60) -> int:
    """Re-enqueue 待发送 rows whose wake-up was lost (broker down, worker killed before the ack), and issue the
    办结回执 whose after-commit hook never ran. Returns how many deliveries were re-enqueued."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    stale = Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True)
    ids = list(
        Delivery.objects.filter(stale, state=State.PENDING).order_by("pk").values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    if ids:
        Delivery.objects.filter(pk__in=ids, state=State.PENDING).update(enqueued_at=timezone.now())
        enqueue(ids)
    from . import done_receipts

    done_receipts.sweep_missing()
    return len(ids)


# --- recipient actions -------------------------------------------------------------------------------


def _locked_for(actor, delivery_id, *, side: str) -> Delivery:
    delivery = get_delivery_for(actor, delivery_id, side=side)
    unit_id = delivery.recipient_id if side == "recipient" else delivery.sender_unit_id
    if not access.can_act(actor, unit_id):
        raise PermissionDeniedError("只有本单位收发员可以办理公文交换。")
    return (
        Delivery.objects.select_for_update().select_related("document", "recipient", "sender_unit").get(pk=delivery.pk)
    )


def sign_for(actor, delivery_id) -> Receipt:
    """签收: creates the received document, starts its 收文 flow and returns a 回执 signed with the
    receiving unit's seal certificate over the package hash."""
    from documents.workflow import incoming

    with transaction.atomic():
        delivery = _locked_for(actor, delivery_id, side="recipient")
        if delivery.state != State.DELIVERED:
            raise ServiceError(f"该公文当前为“{delivery.get_state_display()}”，不能签收。")
        ledger.lock_head()  # before the 收文 flow's audit lines (see ``dispatch``)
        document = delivery.document
        flow = incoming.receive(
            None,
            unit=delivery.recipient,
            title=document.title,
            sender_name=delivery.sender_unit.name,
            sender_unit=delivery.sender_unit,
            doc_type=document.doc_type,
            source_number=document.doc_number,
            urgency=document.urgency if document.urgency in ("特急", "加急") else "",
            source_document=document,
        )
        _close_receiving_step(actor, flow)
        now = timezone.now()
        clerk_name = actor.get_full_name() or actor.get_username()
        delivery.state, delivery.finished_at, delivery.incoming_flow_id = State.SIGNED, now, flow.pk
        delivery.save(update_fields=["state", "finished_at", "incoming_flow_id", "updated_at"])
        message = receipts.message_for(delivery, clerk_name, now)
        certificate, signature = receipts.sign(delivery.recipient, message)
        receipt = Receipt.objects.create(
            delivery=delivery,
            clerk=actor,
            clerk_name=clerk_name,
            signed_at=now,
            package_sha256=delivery.package_sha256,
            message=message,
            certificate=certificate,
            signature=signature,
        )
        ledger.append("signed", [delivery], actor, {"receipt_signed": signature is not None, "flow": flow.pk})
        record(
            actor, "exchange.sign_for", document, after={"delivery": delivery.pk}, summary=f"签收《{document.title}》"
        )
        _close_todos(delivery)
        _notify_both(delivery, "signed")
    return receipt


def _close_receiving_step(actor, flow) -> None:
    """The clerk already signed for it here: close the 收文 flow's 签收 step too (same person), so it starts
    at 登记. If the flow's rules refuse (e.g. the person is not in its pool), the step stays open."""
    from documents.workflow import incoming

    try:
        with transaction.atomic():
            incoming.approve(actor, flow, opinion="已在公文交换中签收")
    except ServiceError:
        log.info("收文 flow %s keeps its 签收 step open", flow.pk)


def return_delivery(actor, delivery_id, *, reason: str) -> Delivery:
    """退回 to the sender with a reason; the sender may correct and resend."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写退回原因。", field="reason")
    if len(reason) > 300:
        raise ServiceError("退回原因不能超过 300 个字。", field="reason")
    with transaction.atomic():
        delivery = _locked_for(actor, delivery_id, side="recipient")
        if delivery.state != State.DELIVERED:
            raise ServiceError(f"该公文当前为“{delivery.get_state_display()}”，不能退回。")
        delivery.state, delivery.return_reason, delivery.finished_at = State.RETURNED, reason, timezone.now()
        delivery.save(update_fields=["state", "return_reason", "finished_at", "updated_at"])
        ledger.append("returned", [delivery], actor, {"reason": reason})
        record(
            actor,
            "exchange.return",
            delivery.document,
            after={"delivery": delivery.pk, "reason": reason},
            summary=f"退回《{delivery.document.title}》：{reason}",
        )
        _close_todos(delivery)
        _notify_both(delivery, "returned")
    return delivery


# --- sender actions ----------------------------------------------------------------------------------


def recall(actor, delivery_id, *, reason: str = "") -> Delivery:
    """撤回 before 签收. Racing a 签收, whichever locks the row first wins; the other is refused."""
    with transaction.atomic():
        delivery = _locked_for(actor, delivery_id, side="sender")
        if delivery.state not in OPEN_STATES:
            raise ServiceError(f"该公文当前为“{delivery.get_state_display()}”，不能撤回。")
        delivery.state, delivery.finished_at = State.RECALLED, timezone.now()
        delivery.return_reason = (reason or "").strip()[:300]
        delivery.save(update_fields=["state", "finished_at", "return_reason", "updated_at"])
        ledger.append("recalled", [delivery], actor, {"reason": delivery.return_reason})
        record(
            actor,
            "exchange.recall",
            delivery.document,
            after={"delivery": delivery.pk},
            summary=f"撤回发往{delivery.recipient.name}的《{delivery.document.title}》",
        )
        _close_todos(delivery)
        _notify_both(delivery, "recalled")
    return delivery


def resend(actor, delivery_id) -> Delivery:
    """Send again after 退回, 撤回 or a rejected package, with the document as it stands now."""
    with transaction.atomic():
        delivery = _locked_for(actor, delivery_id, side="sender")
        if delivery.state not in (State.RETURNED, State.RECALLED, State.REJECTED):
            raise ServiceError(f"该公文当前为“{delivery.get_state_display()}”，无需重新发送。")
        document = Document.objects.get(pk=delivery.document_id)
        delivery.state = State.PENDING
        delivery.package_sha256 = package.package_hash(document)
        delivery.round += 1
        delivery.flagged, delivery.flag_reason, delivery.seal_report = False, "", None
        delivery.delivered_at = delivery.finished_at = None
        delivery.urge_count, delivery.urged_at = 0, None  # a new round: its own 催收 count (the ledger keeps all)
        delivery.enqueued_at = timezone.now()
        delivery.save()
        ledger.append("resent", [delivery], actor, {"round": delivery.round, "package_sha256": delivery.package_sha256})
        record(
            actor,
            "exchange.resend",
            document,
            after={"delivery": delivery.pk, "round": delivery.round},
            summary=f"重新发送《{document.title}》至{delivery.recipient.name}",
        )
        _notify_both(delivery, "resent")
        transaction.on_commit(lambda: enqueue([delivery.pk]))
    return delivery


def counts_for_units(unit_ids) -> dict:
    return dict(
        Delivery.objects.filter(recipient_id__in=list(unit_ids))
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
