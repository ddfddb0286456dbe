"""Two countersigners approve at the same moment: both approvals count and the flow moves on once."""

import threading

import pytest
from django.db import connection

from documents.workflow import outgoing
from documents.workflow.models import Flow
from tests.factories import PersonFactory

from .conftest import assert_todos_match


@pytest.mark.django_db(transaction=True)
def test_parallel_countersign_no_lost_update(make_draft, personas, org_tree):
    colleague = PersonFactory(username="cs_a", name="会签甲", unit=org_tree.yj_gov)
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow, countersigners=[colleague, personas.yj_admin])
    barrier, errors = threading.Barrier(2), []

    def worker(person):
        try:
            barrier.wait()
            outgoing.approve(person, Flow.objects.get(pk=flow.pk), opinion="同意")
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in (colleague, personas.yj_admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    flow.refresh_from_db()
    assert flow.state == "signoff"
    assert flow.tasks.filter(step="countersign", decision="approve").count() == 2
    assert flow.tasks.filter(step="signoff", state="open").count() == 2  # the 签发人 pool, once
    assert_todos_match(flow)
