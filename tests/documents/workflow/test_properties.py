"""Random action sequences on both state machines: no lost or ghost todo, the right actors, finished = empty."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.workflow import common, incoming, outgoing
from documents.workflow.models import Flow, TaskState
from oa.core.errors import ServiceError

from .conftest import assert_todos_match

pytestmark = pytest.mark.django_db

ACTIONS = st.lists(
    st.tuples(st.sampled_from(["approve", "return", "withdraw", "read"]), st.integers(0, 8)), min_size=1, max_size=14
)
HYP = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def _current_actor(flow):
    task = flow.tasks.filter(state=TaskState.OPEN).select_related("assignee").order_by("id").first()
    return task.assignee if task else None


def _step(module, flow, action, pick, people, order):
    actor = _current_actor(flow)
    try:
        if action == "approve" and actor is not None:
            extra = {}
            if module is outgoing and flow.state == "office_review":
                extra = {"countersigners": people[: 1 + pick % 2]}
            if module is incoming and flow.state == "instructing":
                extra = {"lead": people[0], "assisting": people[1:2], "readers": people[: 1 + pick % 2]}
            module.approve(actor, flow, **extra)
        elif action == "read" and actor is not None and module is incoming:
            incoming.read(actor, flow)
        elif action == "return" and actor is not None:
            earlier = order[: max(order.index(flow.state), 1)] if flow.state in order else order[:1]
            module.return_to(actor, flow, earlier[pick % len(earlier)], reason="退回")
        elif action == "withdraw":
            last = flow.tasks.filter(decision="approve").order_by("-decided_at", "-id").first()
            if last is not None and last.acted_by is not None:
                common.withdraw(last.acted_by, flow)
    except ServiceError:
        pass  # a refused action must leave everything consistent too


def _check(flow, allowed):
    """No ghost/lost todo; open tasks only at the current step and only for the people allowed there."""
    flow.refresh_from_db()
    assert_todos_match(flow)
    open_tasks = flow.tasks.filter(state=TaskState.OPEN)
    if flow.finished:
        assert not open_tasks.exists()
        return
    assert open_tasks.exists(), f"no actor at {flow.state}"
    assert set(open_tasks.values_list("step", flat=True)) == {flow.state}
    holders = list(open_tasks.values_list("assignee_id", flat=True))
    assert len(holders) == len(set(holders)), "one person holds two tasks of the same step"
    exact, subset = allowed(flow)
    if exact is not None:
        assert set(holders) == exact, flow.state
    else:
        assert set(holders) <= subset, flow.state


@HYP
@given(actions=ACTIONS)
def test_outgoing_random_sequences(make_draft, personas, actions):
    people = [personas.yj_admin, personas.yj_vice]
    clerk, signers = {personas.yj_clerk.pk}, {personas.yj_mayor.pk, personas.yj_vice.pk}

    def allowed(flow):
        return {
            "drafting": ({personas.yj_staff.pk}, None),
            "office_review": (clerk, None),
            "countersign": (None, {p.pk for p in people}),
            "signoff": (None, signers),
            "recheck": ({flow.signed_by_id}, None),
            "numbering": (clerk, None),
            "distributing": (clerk, None),
        }[flow.state]

    flow = outgoing.submit(personas.yj_staff, make_draft())
    for action, pick in actions:
        _step(outgoing, Flow.objects.get(pk=flow.pk), action, pick, people, outgoing.OUTGOING_ORDER)
        if Flow.objects.get(pk=flow.pk).state == "sealing":
            outgoing.mark_sealed(personas.yj_clerk, flow.document)
        _check(flow, allowed)


@HYP
@given(actions=ACTIONS)
def test_incoming_random_sequences(personas, org_tree, actions):
    from documents.workflow.tables import INCOMING_ORDER

    people = [personas.yj_staff, personas.yj_admin]
    clerk = {personas.yj_clerk.pk}

    def allowed(flow):
        if flow.state in ("receiving", "registering", "initial_review", "proposing"):
            return clerk, None
        if flow.state == "instructing":
            return {personas.yj_mayor.pk}, None
        return None, {p.pk for p in people}  # 承办 lead/assisting, 传阅 readers: chosen among these

    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文", sender_name="省政府")
    for action, pick in actions:
        _step(incoming, Flow.objects.get(pk=flow.pk), action, pick, people, INCOMING_ORDER)
        _check(flow, allowed)
