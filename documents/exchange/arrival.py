"""Arrival of deliveries at their recipients (worker side), in batches.

A batch is one transaction: its 待发送 rows are locked (``SKIP LOCKED`` on PostgreSQL: a row another worker
holds is that worker's; if it dies, its transaction rolls back and the sweeper re-enqueues the row), each
(document, package hash) is verified once — package hash recomputed, seals checked — and the result applied
to every row of the group, the ledger gets one chain link per row under one head lock, the clerks' 签收
todos are bulk-created and each unit gets one push. Anything but 待发送 is left alone, so a redelivered
message, a second sweeper run or a retry delivers each row exactly once."""

import json
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from oa.audit.services import record
from oa.org.models import Person, Role, RoleAssignment
from oa.todo import push as todo_push
from oa.todo.models import Kind as TodoKind
from oa.todo.models import TodoItem, Urgency

from . import ledger, package, push
from .models import Delivery, State

SOURCE_APP = "exchange"
TODO_STEP = "签收"
REJECTED_REASON = "交换包摘要与分发时不一致，已拒收。"


def _locked_pending(ids: list[int]) -> list[Delivery]:
    query = Delivery.objects.filter(pk__in=ids, state=State.PENDING).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        # of=self: never lock the document (every batch of one send shares it) — only our own rows.
        query = query.select_for_update(skip_locked=True, of=("self",))
    else:
        query = query.select_for_update()  # SQLite: IMMEDIATE transactions already serialise writers
    return list(query)


def seal_report(document, pdf: bytes | None) -> dict | None:
    if pdf is None:
        return None
    from signing.services import verify_pdf

    try:
        report = verify_pdf(pdf, expected_seals=package.expected_seals(document))
    except Exception as exc:  # an unreadable file is a finding, not a crash
        return {"verdict": "tampered", "verdict_label": "无法校验", "summary": f"无法校验：{exc.__class__.__name__}"}
    return json.loads(json.dumps(report.as_dict(), default=str, ensure_ascii=False))


def check_package(document) -> tuple[str, dict | None]:
    """(package hash as the bytes stand now, seal report): read the files once for both."""
    parts = package.parts(document)
    actual = package.sha256(package.canonical(package.manifest(document, parts)))
    pdf = next((data for name, data in parts if name == "document.pdf"), None)
    return actual, seal_report(document, pdf)


def _outcome(recorded_sha: str, actual: str, report: dict | None) -> dict:
    """The field values every row of one (document, package hash) group gets."""
    if actual != recorded_sha:
        return {"state": State.REJECTED, "flagged": True, "flag_reason": REJECTED_REASON, "event": "rejected"}
    values = {"state": State.DELIVERED, "event": "delivered"}
    if report is not None and report.get("verdict") != "ok":
        values.update(flagged=True, flag_reason=f"验章：{report.get('summary', '')}"[:300])
    return values


def clerks_by_unit(unit_ids) -> dict[int, list[Person]]:
    """Active 收发员 of each unit, in one query."""
    pairs = (
        RoleAssignment.objects.filter(unit_id__in=list(unit_ids), role=Role.CLERK, person__is_active=True)
        .select_related("person")
        .order_by("unit_id", "person_id")
    )
    result: dict[int, list[Person]] = defaultdict(list)
    for assignment in pairs:
        if all(p.pk != assignment.person_id for p in result[assignment.unit_id]):
            result[assignment.unit_id].append(assignment.person)
    return result


def _sign_todos(delivered: list[Delivery], documents: dict[int, Document]) -> list[TodoItem]:
    """One 签收 todo per (delivery, clerk), bulk-inserted (the todo service's ``create_todo`` checks and audits
    one at a time; the values here are valid by construction: titles cut to length, known urgency)."""
    if not delivered:
        return []
    url = reverse("exchange:inbox")
    clerks = clerks_by_unit({d.recipient_id for d in delivered})
    now = timezone.now()
    items, item_deliveries = [], []
    delivery_documents = {d.pk: d.document_id for d in delivered}
    for delivery in delivered:
        document = documents[delivery.document_id]
        urgency = document.urgency if document.urgency in Urgency.values else Urgency.NORMAL
        for clerk in clerks.get(delivery.recipient_id, ()):
            items.append(
                TodoItem(
                    owner=clerk,
                    kind=TodoKind.TODO,
                    title=f"来文：《{document.title}》"[:300],
                    step=TODO_STEP,
                    url=url,
                    source_app=SOURCE_APP,
                    source_id=str(delivery.pk),
                    category="公文交换",
                    sender=document.owner_unit.name[:100],
                    urgency=urgency,
                    manual_close=False,
                    created_at=now,
                )
            )
            item_deliveries.append(delivery.pk)
    if not items:
        return []
    TodoItem.objects.bulk_create(items, batch_size=500)
    # One audit line per document and batch names every todo and its owner: the same facts as one line per
    # todo, without a chain link each (a 1,000-unit send would otherwise append 1,000 lines one by one).
    by_document: dict[int, list[TodoItem]] = defaultdict(list)
    for item, delivery_id in zip(items, item_deliveries, strict=True):
        by_document[delivery_documents[delivery_id]].append(item)
    for document_id, document_items in by_document.items():
        document = documents[document_id]
        record(
            "系统",
            "exchange.deliver",
            document,
            after={
                "deliveries": sorted({int(i.source_id) for i in document_items}),
                "todos": [[i.pk, i.owner_id] for i in document_items],
                "step": TODO_STEP,
            },
            summary=f"《{document.title}》送达，向 {len(document_items)} 位收发员分派待办：签收",
        )
    return items


def _push(rows: list[Delivery], todos: list[TodoItem]) -> None:
    """One exchange push per unit (the senders' boards and the recipients' inboxes), one todo-count hint per
    clerk; sent after commit."""
    by_unit: dict[int, list[Delivery]] = defaultdict(list)
    for row in rows:
        by_unit[row.sender_unit_id].append(row)
        if row.recipient_id != row.sender_unit_id:
            by_unit[row.recipient_id].append(row)
    events = {}
    for unit_id, unit_rows in by_unit.items():
        data: dict = {"count": len(unit_rows)}
        states = {r.state for r in unit_rows}
        if len({r.document_id for r in unit_rows}) == 1:
            data["document"] = unit_rows[0].document_id
        if len(unit_rows) == 1:
            data["delivery"], data["state"] = unit_rows[0].pk, unit_rows[0].state
        data["event"] = "delivered" if State.DELIVERED in states else "rejected"
        events[unit_id] = data
    hints = [
        (todo_push.user_group(owner_id), {"type": todo_push.TODO_CHANGED})
        for owner_id in sorted({item.owner_id for item in todos})
    ]
    push.notify_many(events, extra=hints)


def arrive_many(delivery_ids) -> dict[int, str]:
    """Deliver the 待发送 rows among ``delivery_ids`` in one transaction. Returns {id: state} for every id that
    exists (rows another worker holds right now are reported as they stand)."""
    ids = sorted({int(i) for i in delivery_ids})
    if not ids:
        return {}
    with transaction.atomic():
        rows = _locked_pending(ids)
        if rows:
            _deliver(rows)
        done = {row.pk: row.state for row in rows}
    others = [i for i in ids if i not in done]
    if others:
        done.update(Delivery.objects.filter(pk__in=others).values_list("pk", "state"))
    return done


def _deliver(rows: list[Delivery]) -> None:
    documents = {
        d.pk: d for d in Document.objects.select_related("owner_unit").filter(pk__in={r.document_id for r in rows})
    }
    checked: dict[int, tuple[str, dict | None]] = {}  # document id → (actual hash, seal report), once a batch
    groups: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for row in rows:
        if row.document_id not in checked:
            checked[row.document_id] = check_package(documents[row.document_id])
        groups[(row.document_id, row.package_sha256)].append(row)
    now = timezone.now()
    ledger_items = []
    for (document_id, recorded_sha), group in groups.items():
        actual, report = checked[document_id]
        values = _outcome(recorded_sha, actual, report)
        event = values.pop("event")
        changes = {"state": values["state"], "delivered_at": now, "seal_report": report, "updated_at": now}
        if "flagged" in values:
            changes.update(flagged=True, flag_reason=values["flag_reason"])
        if event == "rejected":
            changes["finished_at"] = now
        Delivery.objects.filter(pk__in=[r.pk for r in group]).update(attempts=F("attempts") + 1, **changes)
        detail = {"package_sha256": actual, "seal": (report or {}).get("verdict")}
        for row in group:
            for field, value in changes.items():
                setattr(row, field, value)
            row.attempts += 1
            ledger_items.append((event, row, detail))
    # Ledger first, then the audit chain (todos): the lock order every exchange transaction keeps.
    ledger.append_many(ledger_items)
    todos = _sign_todos([r for r in rows if r.state == State.DELIVERED], documents)
    _push(rows, todos)


def arrive(delivery_id: int) -> str:
    """Deliver one row (a batch of one). Returns the row's state, "" when it does not exist."""
    return arrive_many([delivery_id]).get(int(delivery_id), "")
