"""收文 flow end to end, 收文编号, 初审 return to sender, 办理时限 in working days, and every 行文规则 case."""

import datetime

import pytest

from documents.workflow import incoming, outgoing
from documents.workflow.deadlines import add_workdays
from documents.workflow.dispatch_rules import check_dispatch
from documents.workflow.models import IncomingDocument
from oa.core.errors import PermissionDeniedError, ServiceError
from tests.factories import PersonFactory

from .conftest import assert_todos_match

pytestmark = pytest.mark.django_db


def _receive(personas, org_tree, **kw):
    return incoming.receive(
        personas.yj_clerk,
        unit=org_tree.yj_gov,
        title="关于防汛检查的通知",
        sender_name="广东省人民政府",
        sender_unit=org_tree.gd_gov,
        **kw,
    )


def test_incoming_flow_end_to_end(personas, org_tree, open_actor_ids):
    helper = PersonFactory(username="helper", name="协办人", unit=org_tree.yj_gov)
    flow = _receive(personas, org_tree, urgency="加急")
    incoming.approve(personas.yj_clerk, flow)  # 签收
    incoming.approve(personas.yj_clerk, flow)  # 登记
    item = IncomingDocument.objects.get(pk=flow.incoming_id)
    assert item.reg_number == f"阳府收〔{item.reg_year}〕1号" and item.deadline is not None
    incoming.approve(personas.yj_clerk, flow, opinion="属我单位，材料齐全")  # 初审
    incoming.approve(personas.yj_clerk, flow, opinion="拟请吴市长阅示", leader=personas.yj_mayor)  # 拟办
    flow.refresh_from_db()
    assert flow.state == "instructing" and open_actor_ids(flow) == [personas.yj_mayor.pk]
    with pytest.raises(ServiceError, match="主办"):
        incoming.approve(personas.yj_mayor, flow)
    incoming.approve(
        personas.yj_mayor,
        flow,
        opinion="请王科员牵头办理",
        lead=personas.yj_staff,
        assisting=[helper],
        readers=[personas.yj_vice, personas.yj_mayor],
    )
    flow.refresh_from_db()
    assert flow.state == "handling" and open_actor_ids(flow) == sorted([personas.yj_staff.pk, helper.pk])
    incoming.approve(helper, flow, opinion="已配合")
    incoming.approve(personas.yj_staff, flow, opinion="已办理")
    flow.refresh_from_db()
    assert flow.state == "circulating"
    assert_todos_match(flow)
    incoming.read(personas.yj_vice, flow)
    with pytest.raises(PermissionDeniedError):
        incoming.read(personas.yj_vice, flow)
    incoming.read(personas.yj_mayor, flow)
    flow.refresh_from_db()
    assert flow.state == "done" and flow.finished
    assert_todos_match(flow)
    reply = incoming.start_reply(personas.yj_staff, flow, {"title": "关于防汛检查情况的报告", "doc_type": "报告"})
    assert reply.reply_to_id == flow.incoming_id


def test_second_registration_gets_next_number_and_return_to_sender(personas, org_tree):
    first, second = _receive(personas, org_tree), _receive(personas, org_tree)
    for flow in (first, second):
        incoming.approve(personas.yj_clerk, flow)
        incoming.approve(personas.yj_clerk, flow)
    numbers = [IncomingDocument.objects.get(pk=f.incoming_id).reg_seq for f in (first, second)]
    assert numbers == [1, 2]
    with pytest.raises(ServiceError, match="理由"):
        incoming.return_to_sender(personas.yj_clerk, second, reason="")
    incoming.return_to_sender(personas.yj_clerk, second, reason="非本单位来文")
    second.refresh_from_db()
    assert second.state == "returned" and second.finished
    assert IncomingDocument.objects.get(pk=second.incoming_id).return_reason == "非本单位来文"
    assert_todos_match(second)


def test_only_clerk_registers_and_outsiders_cannot_act(personas, org_tree):
    with pytest.raises(PermissionDeniedError):
        incoming.receive(personas.yj_staff, unit=org_tree.yj_gov, title="x", sender_name="y")
    flow = _receive(personas, org_tree)
    with pytest.raises(PermissionDeniedError):
        incoming.approve(personas.jy_staff, flow)


def test_working_days_skip_national_holiday_and_count_makeup_day():
    # 2024-09-29 (Sunday) was a 调休 working day; 10-01..10-07 国庆 holidays.
    assert add_workdays(datetime.date(2024, 9, 27), 1) == datetime.date(2024, 9, 29)
    assert add_workdays(datetime.date(2024, 9, 30), 1) == datetime.date(2024, 10, 8)


def test_working_days_fallback_for_unknown_year():
    assert add_workdays(datetime.date(2099, 1, 2), 3) == datetime.date(2099, 1, 7)  # Fri → Wed


# --- 行文规则 -------------------------------------------------------------------------------------------


def _rules(make_draft, **data):
    return {v.rule for v in check_dispatch(make_draft(**data))}


def test_upward_document_one_superior_and_no_subordinate_cc(make_draft, org_tree):
    assert _rules(make_draft, doc_type="报告", main_units=[org_tree.gd_gov], signers="吴市长") == set()
    assert "upward_one_main" in _rules(
        make_draft, doc_type="报告", main_units=[org_tree.gd_gov, org_tree.gd_edu], signers="吴市长"
    )
    assert "upward_no_subordinate_cc" in _rules(
        make_draft, doc_type="报告", main_units=[org_tree.gd_gov], cc_units=[org_tree.jc_gov], signers="吴市长"
    )


def test_request_has_exactly_one_main(make_draft, org_tree):
    assert "request_one_main" in _rules(
        make_draft, doc_type="请示", main_units=[org_tree.gd_gov, org_tree.gd_edu], signers="吴市长"
    )
    assert "request_one_main" not in _rules(make_draft, doc_type="请示", main_units=[org_tree.gd_gov], signers="吴市长")


def test_skip_level_needs_the_skipped_unit_copied(make_draft, org_tree):
    assert "skip_level" in _rules(make_draft, main_units=[org_tree.cb_street])
    assert "skip_level" not in _rules(make_draft, main_units=[org_tree.cb_street], cc_units=[org_tree.jc_gov])


def test_joint_issuance_same_level_only(make_draft, org_tree):
    assert "joint_same_level" not in _rules(make_draft, issuers=[org_tree.yj_gov, org_tree.jy_gov])
    document = make_draft()
    from documents.models import DocumentIssuer

    DocumentIssuer.objects.create(document=document, unit=org_tree.jc_gov, position=1)
    assert "joint_same_level" in {v.rule for v in check_dispatch(document)}


def test_dispatch_blocked_by_skip_level_until_leader_overrides(make_draft, personas, org_tree):
    document = make_draft(main_units=[org_tree.cb_street])
    flow = outgoing.submit(personas.yj_staff, document)
    outgoing.approve(personas.yj_clerk, flow)
    outgoing.approve(personas.yj_vice, flow)
    outgoing.approve(personas.yj_clerk, flow)
    outgoing.mark_sealed(personas.yj_clerk, document)
    with pytest.raises(ServiceError, match="越级"):
        outgoing.approve(personas.yj_clerk, flow)
    with pytest.raises(PermissionDeniedError):
        outgoing.override_rule(personas.yj_clerk, flow, rule="skip_level", reason="紧急")
    outgoing.override_rule(personas.yj_mayor, flow, rule="skip_level", reason="防汛紧急，直接部署到街道")
    outgoing.approve(personas.yj_clerk, flow)
    flow.refresh_from_db()
    assert flow.state == "distributed"


def test_deadline_reminders_once_per_day_and_overdue_list(personas, org_tree):
    from documents.tasks import send_flow_reminders
    from documents.workflow.models import FlowNote
    from documents.workflow.reminders import send_reminders

    flow = _receive(personas, org_tree, urgency="特急")
    incoming.approve(personas.yj_clerk, flow)
    incoming.approve(personas.yj_clerk, flow)
    deadline = IncomingDocument.objects.get(pk=flow.incoming_id).deadline
    assert send_reminders(deadline - datetime.timedelta(days=5)) == 0
    assert send_reminders(deadline) == 1
    assert send_reminders(deadline) == 0  # idempotent within the day
    later = deadline + datetime.timedelta(days=1)
    assert list(incoming.overdue(org_tree.yj_gov, later)) == [flow.incoming]
    assert send_reminders(later) == 1
    assert FlowNote.objects.filter(flow=flow, author__isnull=True).count() == 2
    assert send_flow_reminders() in (0, 1)  # the beat task runs the same code for today
