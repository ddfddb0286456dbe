"""Events cannot be changed or removed: not through the model, not through querysets, not with raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from oa.audit.models import AppendOnlyError, AuditEvent, Checkpoint
from oa.audit.services import record
from oa.audit.verify import verify_chain


def test_model_refuses_to_save_an_existing_event(events):
    event = AuditEvent.objects.get(seq=1)
    event.summary = "改"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_model_and_queryset_refuse_delete_and_bulk_writes(events):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.get(seq=1).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(summary="改")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(seq=99, action="x", prev_hash="0", hash="1")])
    assert AuditEvent.objects.count() == len(events)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET summary = 'x' WHERE seq = 1",
        "UPDATE audit_auditevent SET hash = hash WHERE seq = 1",
        "DELETE FROM audit_auditevent WHERE seq = 1",
        "UPDATE audit_auditevent SET actor_id = 1 WHERE seq = 1",
    ],
)
def test_database_trigger_refuses_raw_sql(events, sql):
    with pytest.raises(DatabaseError, match="只能追加"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(seq=1).summary == "第1号测试事件"


def test_database_trigger_protects_checkpoints(events):
    from oa.audit.signing import sign_chain_head

    sign_chain_head()
    for sql in ("UPDATE audit_checkpoint SET hash = 'x'", "DELETE FROM audit_checkpoint"):
        with pytest.raises(DatabaseError):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert Checkpoint.objects.count() == 1


def test_deleting_a_person_keeps_their_events_and_the_chain(personas):
    person = personas.yj_staff
    record(person, "test.event", None)
    person.role_assignments.all().delete()
    person.delete()
    event = AuditEvent.objects.get(action="test.event")
    assert event.actor_id is None
    assert event.actor_name == "王科员"
    assert verify_chain().ok
