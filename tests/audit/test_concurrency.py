"""Concurrent writers queue on the chain head instead of forking the chain."""

import threading

import pytest
from django.db import connection

from oa.audit.models import AuditEvent, ChainHead
from oa.audit.services import record
from oa.audit.verify import verify_chain

THREADS = 4
PER_THREAD = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_threads_do_not_fork_the_chain():
    record("系统", "test.first", None)  # the head row exists; the next test covers creating it concurrently
    _append_concurrently()
    _assert_linear(1 + THREADS * PER_THREAD)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_appends_create_one_head():
    _append_concurrently()
    _assert_linear(THREADS * PER_THREAD)


def _append_concurrently():
    barrier = threading.Barrier(THREADS)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                record(f"线程{n}", "test.concurrent", None, summary=f"{n}-{i}")
        except Exception as exc:  # surfaced below: a thread failing must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors


def _assert_linear(expected: int) -> None:
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))
    assert ChainHead.objects.count() == 1
    assert ChainHead.objects.get().last_seq == expected
    assert AuditEvent.objects.values("prev_hash").distinct().count() == expected  # no two events share a parent
    assert verify_chain().ok
