"""Zero loss, zero duplicates: tasks that fail midway, database errors, a worker dying before its ack (the
broker redelivers), tasks and the sweeper re-run many times; and a recall racing a 签收."""

import random
import threading

import pytest
from django.db import DatabaseError, connection

from documents.exchange import arrival, ledger, services, tasks
from documents.exchange.models import Delivery, LedgerEntry, State
from oa.todo.models import TodoItem
from tests.factories import PersonFactory, RoleAssignmentFactory, UnitFactory


def _many_units(parent, count):
    units = [
        UnitFactory(name=f"测试村{i}", short_name=f"测试村{i}", code=f"测{i}", parent=parent) for i in range(count)
    ]
    for index, unit in enumerate(units):
        RoleAssignmentFactory(person=PersonFactory(username=f"vc{index}", unit=unit), unit=unit)
    return units


def _assert_exactly_once(expected: int):
    rows = list(Delivery.objects.all())
    assert len(rows) == expected
    assert all(row.state == State.DELIVERED for row in rows), [r.state for r in rows]
    assert all(row.attempts == 1 for row in rows), [r.attempts for r in rows]  # rolled-back tries leave no trace
    for row in rows:
        assert LedgerEntry.objects.filter(delivery_id_ref=row.pk, event="delivered").count() == 1
        assert TodoItem.objects.filter(source_app="exchange", source_id=str(row.pk)).count() == 1
    assert ledger.verify().ok


@pytest.mark.parametrize("failure", ["exception", "database"])
def test_failures_midway_lose_and_duplicate_nothing(
    ex, org_tree, monkeypatch, django_capture_on_commit_callbacks, failure
):
    units = _many_units(org_tree.cb_street, 12)
    rng = random.Random(6)
    real_todos, real_append = arrival._sign_todos, ledger.append_many
    failures = []

    def flaky_todos(*args, **kwargs):  # fails after the rows changed state and the ledger was written
        if failure == "exception" and rng.random() < 0.5:
            failures.append(1)
            raise RuntimeError("worker crashed midway")
        return real_todos(*args, **kwargs)

    def flaky_append(items, *args, **kwargs):
        items = list(items)
        if failure == "database" and items and items[0][0] == "delivered" and rng.random() < 0.5:
            failures.append(1)
            raise DatabaseError("connection lost")
        return real_append(items, *args, **kwargs)

    monkeypatch.setattr(arrival, "_sign_todos", flaky_todos)
    monkeypatch.setattr(arrival.ledger, "append_many", flaky_append)
    monkeypatch.setattr(services, "BATCH_SIZE", 5)  # several batches, split further when they fail
    monkeypatch.setattr(tasks.deliver_batch, "max_retries", 1)  # give up soon: the sweeper must finish the job
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch(ex.sender_clerk, ex.document, units)
    for _ in range(30):  # beat runs the sweeper; the broker redelivers; nothing is lost or doubled
        if not Delivery.objects.filter(state=State.PENDING).exists():
            break
        with django_capture_on_commit_callbacks(execute=True):
            services.sweep(older_than_seconds=0)
    assert len(failures) >= 3  # the faults really happened
    _assert_exactly_once(len(units))


def test_redelivered_tasks_and_repeated_sweeps_do_not_duplicate(ex, org_tree, django_capture_on_commit_callbacks):
    units = _many_units(org_tree.cb_street, 8)
    with django_capture_on_commit_callbacks(execute=True):
        created = services.dispatch(ex.sender_clerk, ex.document, units)
    for _ in range(5):
        for delivery in created:  # acks_late: a worker killed after the commit but before the ack runs it again
            with django_capture_on_commit_callbacks(execute=True):
                assert tasks.deliver.apply(args=[delivery.pk]).get() == State.DELIVERED
        with django_capture_on_commit_callbacks(execute=True):
            assert services.sweep(older_than_seconds=0) == 0
    _assert_exactly_once(len(units))


def test_a_lost_wake_up_is_found_by_the_sweeper_only_once_it_is_stale(ex, org_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got the message
        services.dispatch(ex.sender_clerk, ex.document, [org_tree.jc_gov])
    assert services.sweep(older_than_seconds=3600) == 0  # not yet stale: its task may still be queued
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(older_than_seconds=0) == 1
    assert Delivery.objects.get().state == State.DELIVERED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("trial", range(4))
def test_recall_racing_sign_for_ends_in_one_consistent_state(ex, org_tree, trial):
    services.dispatch(ex.sender_clerk, ex.document, [org_tree.jc_gov])  # no atomic block: commits at once
    delivery = Delivery.objects.get()
    services.arrive(delivery.pk)  # the wake-up ran (eager on_commit already did; idempotent)
    assert Delivery.objects.get().state == State.DELIVERED
    barrier, outcomes = threading.Barrier(2), {}

    def worker(name, fn):
        try:
            barrier.wait()
            fn()
            outcomes[name] = "ok"
        except Exception as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=("recall", lambda: services.recall(ex.sender_clerk, delivery.pk))),
        threading.Thread(target=worker, args=("sign", lambda: services.sign_for(ex.jc_clerk, delivery.pk))),
    ]
    if trial % 2:
        threads.reverse()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    winners = [name for name, outcome in outcomes.items() if outcome == "ok"]
    assert len(winners) == 1, outcomes
    loser = next(o for n, o in outcomes.items() if n not in winners)
    assert "不能" in str(getattr(loser, "message", loser))
    delivery.refresh_from_db()
    from documents.workflow.models import IncomingDocument

    if winners == ["sign"]:
        assert delivery.state == State.SIGNED and IncomingDocument.objects.count() == 1
    else:
        assert delivery.state == State.RECALLED and IncomingDocument.objects.count() == 0
    events = list(LedgerEntry.objects.filter(delivery_id_ref=delivery.pk).values_list("event", flat=True))
    assert events == ["sent", "delivered", "signed" if winners == ["sign"] else "recalled"]
    assert ledger.verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("trial", range(4))
def test_recall_racing_the_arrival_batch_ends_in_one_consistent_state(ex, org_tree, trial, monkeypatch):
    """撤回 while a worker is delivering the same rows: the recalled row is never left 已送达, a todo is never
    left open for it, and the ledger tells the order that really happened."""
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda ids: queued.extend(ids))  # the broker holds the wake-ups
    services.dispatch(ex.sender_clerk, ex.document, [org_tree.jc_gov, org_tree.yj_edu])
    target = Delivery.objects.get(recipient=org_tree.jc_gov)
    barrier, outcomes = threading.Barrier(2), {}

    def worker(name, fn):
        try:
            barrier.wait()
            outcomes[name] = fn()
        except Exception as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=("arrive", lambda: services.arrive_many(queued))),
        threading.Thread(target=worker, args=("recall", lambda: services.recall(ex.sender_clerk, target.pk))),
    ]
    if trial % 2:
        threads.reverse()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not isinstance(outcomes["arrive"], Exception), outcomes
    assert not isinstance(outcomes["recall"], Exception), outcomes  # 撤回 is allowed before and after arrival
    services.arrive_many(queued)  # a redelivered message changes nothing now
    target.refresh_from_db()
    assert target.state == State.RECALLED
    events = list(LedgerEntry.objects.filter(delivery_id_ref=target.pk).values_list("event", flat=True))
    assert events in (["sent", "recalled"], ["sent", "delivered", "recalled"])
    todos = TodoItem.objects.filter(source_app="exchange", source_id=str(target.pk))
    if "delivered" in events:
        assert target.delivered_at is not None and [t.state for t in todos] == ["done"]
    else:
        assert target.delivered_at is None and not todos.exists()
    assert Delivery.objects.get(recipient=org_tree.yj_edu).state == State.DELIVERED
    assert ledger.verify().ok
