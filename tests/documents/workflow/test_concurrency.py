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


def _at_the_same_moment(calls):
    """Run each call in its own thread (own DB connection), all released together by a barrier."""
    barrier, errors = threading.Barrier(len(calls)), []

    def worker(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_parallel_handling_and_circulation_no_lost_update(personas, org_tree):
    """承办: the lead and the assisting department finish at once; 传阅: two leaders read at once. Each time both
    count, the flow moves on exactly once, and no todo is lost or left open."""
    from documents.workflow import incoming

    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文", sender_name="省政府")
    for _ in range(3):
        incoming.approve(personas.yj_clerk, flow)
    incoming.approve(personas.yj_clerk, flow, leader=personas.yj_mayor)
    incoming.approve(
        personas.yj_mayor,
        flow,
        lead=personas.yj_staff,
        assisting=[personas.yj_admin],
        readers=[personas.yj_mayor, personas.yj_vice],
    )

    def handle(person):
        return lambda: incoming.approve(person, Flow.objects.get(pk=flow.pk), opinion="已办理")

    _at_the_same_moment([handle(personas.yj_staff), handle(personas.yj_admin)])
    flow.refresh_from_db()
    assert flow.state == "circulating"
    assert flow.tasks.filter(step="handling", decision="approve").count() == 2
    assert flow.tasks.filter(step="circulating").count() == 2  # entered once
    assert_todos_match(flow)

    def read(person):
        return lambda: incoming.read(person, Flow.objects.get(pk=flow.pk))

    _at_the_same_moment([read(personas.yj_mayor), read(personas.yj_vice)])
    flow.refresh_from_db()
    assert flow.state == "done" and flow.finished
    assert flow.tasks.filter(step="circulating", decision="read").count() == 2
    assert_todos_match(flow)


@pytest.mark.django_db(transaction=True)
def test_two_first_submissions_at_once_start_one_flow(make_draft, personas):
    document = make_draft()
    outcomes = []

    def submit():
        try:
            outcomes.append(outgoing.submit(personas.yj_staff, document).pk)
        except Exception as exc:  # the second one may be refused: it is no longer the drafter's turn
            outcomes.append(type(exc).__name__)

    _at_the_same_moment([submit, submit])
    assert Flow.objects.filter(document=document).count() == 1
    flow = Flow.objects.get(document=document)
    assert flow.state == "office_review" and flow.tasks.filter(step="drafting", decision="approve").count() == 1
    assert flow.pk in outcomes and set(outcomes) <= {flow.pk, "PermissionDeniedError"}
    assert_todos_match(flow)
