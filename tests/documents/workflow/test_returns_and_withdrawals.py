"""退回 to ANY earlier step (with a reason) and 撤回 while the next actor has not opened it, in both flows: who gets
the task back, what happens to the sign-off, and the cases where taking something back must be refused."""

import datetime

import pytest

from documents.workflow import common, incoming, outgoing
from documents.workflow.access import mark_opened
from documents.workflow.models import Decision, Flow
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.models import Delegation, Role
from tests.factories import PersonFactory

from .conftest import assert_todos_match

pytestmark = pytest.mark.django_db


def _fresh(flow):
    return Flow.objects.get(pk=flow.pk)


@pytest.fixture
def colleague(org_tree):
    return PersonFactory(username="wf_colleague", name="林科长", unit=org_tree.yj_gov)


@pytest.fixture
def at_distributing(make_draft, personas, colleague):
    """A 发文 that went through every step, 会签 by 林科长 and 郑副市长, 签发 by 吴市长, and waits at 分发."""
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow, countersigners=[colleague, personas.yj_vice])
    outgoing.approve(colleague, flow)
    outgoing.approve(personas.yj_vice, flow)
    outgoing.approve(personas.yj_mayor, flow, opinion="同意")
    outgoing.approve(personas.yj_clerk, flow)  # 编号
    outgoing.mark_sealed(personas.yj_clerk, flow.document)
    flow = _fresh(flow)
    assert flow.state == "distributing"
    return flow


@pytest.mark.parametrize(
    "target, expected",
    [
        ("drafting", ["yj_staff"]),
        ("office_review", ["yj_clerk"]),
        ("countersign", ["colleague", "yj_vice"]),
        ("signoff", ["yj_mayor"]),
        ("numbering", ["yj_clerk"]),
    ],
)
def test_outgoing_return_to_any_earlier_step(at_distributing, personas, colleague, target, expected, open_actor_ids):
    people = {"colleague": colleague, **vars(personas)}
    outgoing.return_to(personas.yj_clerk, at_distributing, target, reason=f"退回{target}：请核实数据")
    flow = _fresh(at_distributing)
    assert flow.state == target and flow.document.status == target
    assert open_actor_ids(flow) == sorted(people[name].pk for name in expected)
    assert_todos_match(flow)
    returned = flow.tasks.get(decision=Decision.RETURN)
    assert returned.step == "distributing" and returned.opinion == f"退回{target}：请核实数据"
    event = AuditEvent.objects.filter(action="documents.flow.return").latest("id")
    assert "理由" in event.summary and target not in ("",)
    # back before 签发 the sign-off is void; from 编号 on it still stands
    assert (flow.signed_by_id is None) == (target in ("drafting", "office_review", "countersign"))


def test_outgoing_return_refused_forward_or_to_a_step_never_done(at_distributing, make_draft, personas):
    with pytest.raises(ServiceError, match="理由"):
        outgoing.return_to(personas.yj_clerk, at_distributing, "drafting", reason="  ")
    with pytest.raises(ServiceError, match="只能退回"):
        outgoing.return_to(personas.yj_clerk, at_distributing, "distributed", reason="x")
    with pytest.raises(ServiceError, match="只能退回"):
        outgoing.return_to(personas.yj_clerk, at_distributing, "dept_review", reason="x")  # not used by the unit
    with pytest.raises(PermissionDeniedError):
        outgoing.return_to(personas.yj_mayor, at_distributing, "drafting", reason="x")  # not the current actor
    assert _fresh(at_distributing).state == "distributing"


def test_return_to_countersign_asks_only_the_latest_round(make_draft, personas, colleague, open_actor_ids):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow, countersigners=[colleague])
    outgoing.approve(colleague, flow)
    outgoing.return_to(personas.yj_mayor, flow, "drafting", reason="重写")
    outgoing.approve(personas.yj_staff, flow)
    outgoing.approve(personas.yj_clerk, flow, countersigners=[personas.yj_vice])  # 林科长 not asked this time
    outgoing.approve(personas.yj_vice, flow)
    outgoing.return_to(personas.yj_mayor, flow, "countersign", reason="请再会签")
    assert open_actor_ids(_fresh(flow)) == [personas.yj_vice.pk]
    assert_todos_match(flow)


def test_after_a_return_before_signoff_a_change_is_an_ordinary_revision(at_distributing, personas, open_actor_ids):
    outgoing.return_to(personas.yj_clerk, at_distributing, "office_review", reason="标题需调整")
    flow, version = outgoing.revise(
        personas.yj_clerk, _fresh(at_distributing), {"title": "阳江市人民政府关于防汛的通知"}
    )
    assert version is not None and flow.state == "office_review"  # no 复核 of a sign-off that no longer stands
    outgoing.approve(personas.yj_clerk, flow, countersigners=[])
    flow = _fresh(flow)
    assert flow.state == "signoff" and set(open_actor_ids(flow)) == {personas.yj_mayor.pk, personas.yj_vice.pk}
    outgoing.approve(personas.yj_vice, flow)
    flow = _fresh(flow)
    assert flow.state == "numbering" and flow.signed_by == personas.yj_vice
    assert flow.document.doc_number  # the number given before the return is kept, not allocated twice


def test_incoming_return_to_any_earlier_step_from_circulating(personas, org_tree, open_actor_ids):
    helper = PersonFactory(username="wf_helper", name="协办人", unit=org_tree.yj_gov)

    def at_circulating():
        flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文", sender_name="省政府")
        for _ in range(3):
            incoming.approve(personas.yj_clerk, flow)
        incoming.approve(personas.yj_clerk, flow, leader=personas.yj_mayor)
        incoming.approve(
            personas.yj_mayor,
            flow,
            opinion="请办理",
            lead=personas.yj_staff,
            assisting=[helper],
            readers=[personas.yj_vice],
        )
        incoming.approve(helper, flow)
        incoming.approve(personas.yj_staff, flow)
        return _fresh(flow)

    expected = {
        "receiving": [personas.yj_clerk],
        "registering": [personas.yj_clerk],
        "initial_review": [personas.yj_clerk],
        "proposing": [personas.yj_clerk],
        "instructing": [personas.yj_mayor],
        "handling": [personas.yj_staff, helper],
    }
    for target, people in expected.items():
        flow = at_circulating()
        assert flow.state == "circulating"
        incoming.return_to(personas.yj_vice, flow, target, reason="请补充办理情况")
        flow = _fresh(flow)
        assert flow.state == target and flow.incoming.status == target
        assert open_actor_ids(flow) == sorted(p.pk for p in people), target
        assert_todos_match(flow)
    notes = dict(flow.tasks.filter(state="open").values_list("assignee_id", "role_note"))
    assert notes == {personas.yj_staff.pk: "主办", helper.pk: "协办"}
    with pytest.raises(ServiceError, match="只能退回"):
        incoming.return_to(personas.yj_staff, flow, "circulating", reason="x")


def test_withdraw_is_refused_after_a_return(at_distributing, personas):
    """吴市长 signed, the clerk later returned the draft to 核稿: his old approval can no longer be 撤回 past it."""
    outgoing.return_to(personas.yj_clerk, at_distributing, "office_review", reason="再核")
    with pytest.raises(PermissionDeniedError):
        common.withdraw(personas.yj_mayor, _fresh(at_distributing))
    assert _fresh(at_distributing).state == "office_review"


def test_withdraw_is_refused_once_the_next_actor_acted_without_opening(make_draft, personas, colleague):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.add_signer(personas.yj_clerk, flow, colleague)  # through the API, without opening the page
    with pytest.raises(ServiceError, match="已经打开或办理"):
        common.withdraw(personas.yj_staff, flow)
    outgoing.transfer(colleague, flow, personas.yj_admin)
    with pytest.raises(ServiceError, match="已经打开或办理"):
        common.withdraw(personas.yj_staff, flow)


def test_seal_is_never_withdrawn(at_distributing, personas):
    with pytest.raises(ServiceError, match="用印"):
        common.withdraw(personas.yj_clerk, at_distributing)
    assert _fresh(at_distributing).state == "distributing"


def test_withdraw_signoff_clears_it_and_reopens_the_leader(make_draft, personas, open_actor_ids):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow)
    outgoing.approve(personas.yj_mayor, flow, opinion="同意")
    common.withdraw(personas.yj_mayor, flow)
    flow = _fresh(flow)
    assert flow.state == "signoff" and flow.signed_by is None and open_actor_ids(flow) == [personas.yj_mayor.pk]
    assert flow.tasks.filter(step="numbering", decision=Decision.WITHDRAWN).count() == 1
    assert_todos_match(flow)


def test_a_deputy_opening_the_leaders_task_counts_as_opened(make_draft, personas, org_tree):
    Delegation.objects.create(
        principal=personas.yj_mayor,
        deputy=personas.yj_staff,
        unit=org_tree.yj_gov,
        role=Role.SIGNER,
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
    )
    flow = outgoing.submit(personas.yj_staff, make_draft(), important=True)  # only 吴市长 signs
    outgoing.approve(personas.yj_clerk, flow)
    mark_opened(personas.yj_staff, _fresh(flow))  # opened by the deputy (代签)
    with pytest.raises(ServiceError, match="已经打开"):
        common.withdraw(personas.yj_clerk, flow)


def test_incoming_withdraw_of_instruction_keeps_nothing_behind(personas, org_tree, open_actor_ids):
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文", sender_name="省政府")
    for _ in range(3):
        incoming.approve(personas.yj_clerk, flow)
    incoming.approve(personas.yj_clerk, flow, leader=personas.yj_mayor)
    incoming.approve(
        personas.yj_mayor, flow, lead=personas.yj_staff, assisting=[personas.yj_admin], readers=[personas.yj_vice]
    )
    common.withdraw(personas.yj_mayor, flow)
    flow = _fresh(flow)
    assert flow.state == "instructing" and open_actor_ids(flow) == [personas.yj_mayor.pk]
    assert flow.tasks.filter(step="handling", decision=Decision.WITHDRAWN).count() == 2
    assert_todos_match(flow)
    incoming.approve(personas.yj_mayor, flow, lead=personas.yj_admin)
    flow = _fresh(flow)
    mark_opened(personas.yj_admin, flow)
    with pytest.raises(ServiceError, match="已经打开"):
        common.withdraw(personas.yj_mayor, flow)
