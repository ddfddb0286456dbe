"""催收: the sending unit's clerk reminds a recipient unit that a delivered document still waits for 签收.

Each reminder is a 待阅 notice to every clerk of the recipient unit (closed with the 签收 todo when the
document is signed for, returned or recalled), a line in the exchange ledger and the audit trail, and a push to
both units' pages. One unit is reminded at most once per ``INTERVAL`` so a busy sender cannot flood a village
clerk's list."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.todo import push as todo_push
from oa.todo.models import Kind as TodoKind
from oa.todo.models import TodoItem, Urgency

from . import access, arrival, ledger
from .models import Delivery, State

INTERVAL = timedelta(minutes=30)
STEP = "催收"
MAX_NOTE = 100


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ServiceError(f"催收说明不能超过 {MAX_NOTE} 个字。", field="note")
    return note


def _refusal(delivery: Delivery, now) -> str | None:
    if delivery.state == State.PENDING:
        return f"发往{delivery.recipient.name}的公文正在投递，送达后才能催收。"
    if delivery.state != State.DELIVERED:
        return f"发往{delivery.recipient.name}的公文当前为“{delivery.get_state_display()}”，无需催收。"
    if delivery.urged_at and now - delivery.urged_at < INTERVAL:
        since = timezone.localtime(delivery.urged_at).strftime("%H:%M")
        again = timezone.localtime(delivery.urged_at + INTERVAL).strftime("%H:%M")
        return f"已于 {since} 催收过{delivery.recipient.name}，请在 {again} 之后再催收。"
    return None


def _notices(deliveries: list[Delivery], note: str, now) -> list[TodoItem]:
    clerks = arrival.clerks_by_unit({d.recipient_id for d in deliveries})
    url = reverse("exchange:inbox")
    items = []
    for delivery in deliveries:
        document = delivery.document
        title = f"催收：《{document.title}》，{delivery.sender_unit.name}请尽快签收" + (f"（{note}）" if note else "")
        for clerk in clerks.get(delivery.recipient_id, ()):
            items.append(
                TodoItem(
                    owner=clerk,
                    kind=TodoKind.TOREAD,
                    title=title[:300],
                    step=STEP,
                    url=url,
                    source_app=arrival.SOURCE_APP,
                    source_id=str(delivery.pk),
                    category="公文交换",
                    sender=delivery.sender_unit.name[:100],
                    urgency=document.urgency if document.urgency in Urgency.values else Urgency.NORMAL,
                    manual_close=True,
                    created_at=now,
                )
            )
    TodoItem.objects.bulk_create(items, batch_size=500)
    return items


def _urge_locked(actor, deliveries: list[Delivery], note: str, now) -> list[Delivery]:
    """Remind the given (locked, delivered, not recently urged) deliveries: one ledger line and one notice per
    clerk each, one audit line for the batch, pushes after commit."""
    from .services import _notify_both

    for delivery in deliveries:
        delivery.urge_count += 1
        delivery.urged_at = now
        delivery.save(update_fields=["urge_count", "urged_at", "updated_at"])
    ledger.append_many([("urged", d, {"count": d.urge_count, "note": note}) for d in deliveries], actor)
    items = _notices(deliveries, note, now)
    document = deliveries[0].document
    names = "、".join(d.recipient.name for d in deliveries[:5]) + ("等" if len(deliveries) > 5 else "")
    record(
        actor,
        "exchange.urge",
        document,
        after={"deliveries": [d.pk for d in deliveries], "notices": [[i.pk, i.owner_id] for i in items], "note": note},
        summary=f"催收《{document.title}》：{names}（{len(deliveries)} 个单位）",
    )
    for delivery in deliveries:
        _notify_both(delivery, "urged")
    for owner_id in sorted({item.owner_id for item in items}):
        todo_push.todo_changed_on_commit(owner_id)
    return deliveries


def urge(actor, delivery_id, *, note: str = "") -> Delivery:
    """催收 one recipient unit."""
    from .services import _locked_for

    note = _clean_note(note)
    with transaction.atomic():
        delivery = _locked_for(actor, delivery_id, side="sender")
        ledger.lock_head()  # ledger before the audit chain, the order every exchange transaction keeps
        now = timezone.now()
        refusal = _refusal(delivery, now)
        if refusal:
            raise ServiceError(refusal)
        _urge_locked(actor, [delivery], note, now)
    return delivery


def urge_unsigned(actor, document, *, note: str = "") -> dict:
    """一键催收: every recipient unit that has the document but has not signed for it, except those reminded
    within ``INTERVAL``. Returns ``{"urged": n, "skipped": m}``."""
    note = _clean_note(note)
    if not access.can_act(actor, document.owner_unit_id):
        raise PermissionDeniedError("只有发文单位收发员可以催收。")
    with transaction.atomic():
        ledger.lock_head()
        rows = list(
            Delivery.objects.select_for_update()
            .filter(document=document, state=State.DELIVERED)
            .select_related("document", "recipient", "sender_unit")
            .order_by("pk")
        )
        now = timezone.now()
        due = [row for row in rows if _refusal(row, now) is None]
        if not rows:
            raise ServiceError("没有待签收的单位，无需催收。")
        if not due:
            raise ServiceError(f"{len(rows)} 个待签收单位均在 30 分钟内催收过，请稍后再催收。")
        _urge_locked(actor, due, note, now)
    return {"urged": len(due), "skipped": len(rows) - len(due)}


def urge_text(delivery: Delivery) -> str:
    if not delivery.urge_count:
        return ""
    when = timezone.localtime(delivery.urged_at).strftime("%m-%d %H:%M") if delivery.urged_at else ""
    return f"已催收 {delivery.urge_count} 次（最近 {when}）"
