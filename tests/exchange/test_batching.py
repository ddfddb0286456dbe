"""A large send is delivered in batches: one task and one transaction per batch, the package verified once per
document and batch, one chain in the ledger, one todo per clerk, one push per unit and batch — and the same
exactly-once outcome as one-by-one delivery."""

from collections import Counter

import pytest

from documents.exchange import arrival, ledger, push, services, tasks
from documents.exchange.models import Delivery, LedgerEntry, State
from documents.models import Document, Status
from oa.org.models import Role
from oa.todo.models import TodoItem
from tests.factories import PersonFactory, RoleAssignmentFactory, UnitFactory


def _villages(parent, count, prefix="批"):
    units = [
        UnitFactory(name=f"{prefix}{i}村", short_name=f"{prefix}{i}村", code=f"{prefix}{i}", parent=parent)
        for i in range(count)
    ]
    for index, unit in enumerate(units):
        RoleAssignmentFactory(person=PersonFactory(username=f"{prefix}c{index}", unit=unit), unit=unit, role=Role.CLERK)
    return units


@pytest.fixture
def spy(monkeypatch):
    calls = Counter()
    sent = []
    real_check, real_batch = arrival.check_package, tasks.deliver_batch.delay

    def check(document):
        calls["check_package"] += 1
        return real_check(document)

    def delay(ids):
        calls["batches"] += 1
        calls["largest"] = max(calls["largest"], len(ids))
        return real_batch(ids)

    monkeypatch.setattr(arrival, "check_package", check)
    monkeypatch.setattr(tasks.deliver_batch, "delay", delay)
    monkeypatch.setattr(push, "send_many", lambda messages: sent.extend(messages))
    monkeypatch.setattr(services, "BATCH_SIZE", 5)
    return calls, sent


def test_a_large_send_is_delivered_in_batches_with_one_verification_and_one_push_per_unit(
    ex, org_tree, run_commits, spy
):
    calls, sent = spy
    units = _villages(org_tree.cb_street, 12)
    created = run_commits(services.dispatch, ex.sender_clerk, ex.document, units)
    assert len(created) == 12
    assert calls["batches"] == 3 and calls["largest"] == 5
    assert calls["check_package"] == 3  # once per (document, package hash) and batch, not once per delivery
    rows = list(Delivery.objects.all())
    assert all(row.state == State.DELIVERED and row.attempts == 1 for row in rows)
    # the ledger: one link per event, one chain
    assert Counter(LedgerEntry.objects.values_list("event", flat=True)) == {"sent": 12, "delivered": 12}
    assert ledger.verify().ok
    # one 签收 todo per delivery (each unit has one clerk)
    todos = TodoItem.objects.filter(source_app="exchange", step="签收")
    assert sorted(int(t.source_id) for t in todos) == sorted(r.pk for r in rows)
    # pushes: each recipient unit once, with its own next number; the sender once per batch
    exchange_events = [m["data"] for group, m in sent if m["type"] == push.EXCHANGE_EVENT]
    per_unit = Counter(e["unit"] for e in exchange_events)
    assert all(per_unit[u.pk] == 1 for u in units)
    assert per_unit[org_tree.yj_gov.pk] == 3
    recipient_events = [e for e in exchange_events if e["unit"] != org_tree.yj_gov.pk]
    assert all(e["event"] == "delivered" and e["seq"] == 1 and e["state"] == "delivered" for e in recipient_events)
    sender_seqs = sorted(e["seq"] for e in exchange_events if e["unit"] == org_tree.yj_gov.pk)
    assert sender_seqs == [2, 3, 4]  # 1 was the "sent" event: no gap, so boards need no resync
    todo_hints = [group for group, m in sent if m["type"] == "todo.changed"]
    assert len(todo_hints) == 12 and len(set(todo_hints)) == 12


def test_one_batch_with_two_documents_verifies_each_and_rejects_only_the_changed_one(
    ex, org_tree, personas, spy, django_capture_on_commit_callbacks
):
    calls, _ = spy
    from django.db import transaction

    with transaction.atomic():
        other = Document.objects.create(
            owner_unit=org_tree.yj_gov, drafter=personas.yj_staff, title="第二份通知", status=Status.DISTRIBUTING
        )
    units = _villages(org_tree.cb_street, 2)
    with django_capture_on_commit_callbacks(execute=False):  # the wake-ups are lost
        services.dispatch(ex.sender_clerk, ex.document, units)
        services.dispatch(ex.sender_clerk, other, units)
    Document.objects.filter(pk=other.pk).update(title="被改动的第二份通知")
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(older_than_seconds=0) == 4
    assert calls["batches"] == 1 and calls["check_package"] == 2
    states = dict(Delivery.objects.values_list("document_id", "state").distinct())
    assert states == {ex.document.pk: State.DELIVERED, other.pk: State.REJECTED}
    assert not TodoItem.objects.filter(source_id__in=[str(d.pk) for d in Delivery.objects.filter(document=other)])
    assert ledger.verify().ok


def test_arrive_many_leaves_anything_but_pending_alone(ex, org_tree, run_commits):
    created = run_commits(services.dispatch, ex.sender_clerk, ex.document, [org_tree.jc_gov, org_tree.yj_edu])
    run_commits(services.recall, ex.sender_clerk, created[0].pk)
    before = LedgerEntry.objects.count()
    ids = [d.pk for d in created] + [999999]
    for _ in range(3):
        result = run_commits(services.arrive_many, ids)
        assert result == {created[0].pk: State.RECALLED, created[1].pk: State.DELIVERED}
    assert LedgerEntry.objects.count() == before
    assert TodoItem.objects.filter(source_app="exchange").count() == 2  # one each, from the first arrival
    assert run_commits(tasks.deliver_batch.apply, args=[ids]).get() == {
        str(created[0].pk): State.RECALLED,
        str(created[1].pk): State.DELIVERED,
    }


def test_a_failing_row_is_isolated_and_does_not_hold_back_its_batch(
    ex, org_tree, run_commits, monkeypatch, django_capture_on_commit_callbacks
):
    units = _villages(org_tree.cb_street, 8)
    monkeypatch.setattr(services, "BATCH_SIZE", 8)
    monkeypatch.setattr(tasks.deliver, "max_retries", 0)
    monkeypatch.setattr(tasks.deliver_batch, "max_retries", 0)
    with django_capture_on_commit_callbacks(execute=False):
        created = services.dispatch(ex.sender_clerk, ex.document, units)
    poison = created[3].pk
    real_deliver = arrival._deliver

    def deliver(rows):
        if any(r.pk == poison for r in rows):
            raise RuntimeError("this row cannot be delivered yet")
        return real_deliver(rows)

    monkeypatch.setattr(arrival, "_deliver", deliver)
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue([d.pk for d in created])
    states = dict(Delivery.objects.values_list("pk", "state"))
    assert states.pop(poison) == State.PENDING  # left for retries and the sweeper
    assert set(states.values()) == {State.DELIVERED}
    monkeypatch.setattr(arrival, "_deliver", real_deliver)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(older_than_seconds=0) == 1
    assert Delivery.objects.get(pk=poison).state == State.DELIVERED
    assert ledger.verify().ok
