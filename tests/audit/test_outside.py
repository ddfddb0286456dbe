"""record_outside: a refusal stays on record even when the surrounding transaction rolls back."""

import pytest
from django.core.signals import request_finished
from django.db import transaction

from oa.audit.models import AuditEvent, Result
from oa.audit.services import flush_pending, pending_count, record, record_outside
from oa.audit.verify import verify_chain
from oa.core.errors import PermissionDeniedError


def _refused_service():
    with transaction.atomic():
        record("张三", "test.change", None, summary="会被回滚的修改")
        record_outside("张三", "test.change", None, result=Result.DENIED, summary="拒绝：越权")
        raise PermissionDeniedError("越权")


def test_refusal_outside_a_transaction_is_written_at_once(db):
    record_outside("张三", "test.denied", None, result=Result.DENIED)
    assert AuditEvent.objects.filter(action="test.denied", result=Result.DENIED).exists()


@pytest.mark.django_db(transaction=True)
def test_refusal_survives_rollback_and_is_written_at_the_end_of_the_request():
    with pytest.raises(PermissionDeniedError):
        _refused_service()
    assert not AuditEvent.objects.filter(summary="会被回滚的修改").exists()
    assert pending_count() == 1
    request_finished.send(sender=None)
    assert pending_count() == 0
    denied = AuditEvent.objects.get(action="test.change")
    assert (denied.result, denied.summary) == (Result.DENIED, "拒绝：越权")
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_refusal_in_a_committed_transaction_is_written_after_commit():
    with transaction.atomic():
        record_outside("张三", "test.denied", None, result=Result.DENIED)
        assert pending_count() == 1
    assert pending_count() == 0
    assert AuditEvent.objects.filter(action="test.denied").count() == 1


@pytest.mark.django_db(transaction=True)
def test_queued_refusals_keep_their_time_and_come_before_the_next_event():
    with pytest.raises(PermissionDeniedError):
        _refused_service()
    record("李四", "test.next", None)
    first, second = AuditEvent.objects.order_by("seq")
    assert (first.action, second.action) == ("test.change", "test.next")
    assert first.created_at <= second.created_at
    assert flush_pending() == 0


@pytest.mark.django_db(transaction=True)
def test_refusal_in_a_celery_task_is_written_when_the_task_ends():
    from celery import shared_task

    @shared_task
    def refusing_task():
        try:
            _refused_service()
        except PermissionDeniedError:
            return "refused"

    assert refusing_task.delay().get() == "refused"
    assert AuditEvent.objects.filter(action="test.change", result=Result.DENIED).count() == 1
