"""What a unit configures (optional steps, who acts, 办理时限), 传阅 read tracking, the overdue list, the processing
sheets' content in order, and the audit line every action writes."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents.workflow import common, incoming, outgoing
from documents.workflow.models import Decision, Flow, FlowKind, FlowSetting, IncomingDocument, StepActor
from documents.workflow.sheets import render_sheet
from oa.audit.models import AuditEvent
from oa.org.models import Delegation, Role
from oa.todo.models import Kind, State, TodoItem
from tests.factories import PersonFactory

from .conftest import assert_todos_match

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def _receive(personas, org_tree, **kw):
    return incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="关于检查的通知", sender_name="省政府", **kw)


def _to_circulating(personas, org_tree, readers):
    flow = _receive(personas, org_tree)
    for _ in range(3):
        incoming.approve(personas.yj_clerk, flow)
    incoming.approve(personas.yj_clerk, flow, opinion="拟请吴市长阅示", leader=personas.yj_mayor)
    incoming.approve(personas.yj_mayor, flow, opinion="请王科员办理", lead=personas.yj_staff, readers=readers)
    incoming.approve(personas.yj_staff, flow, opinion="已办理")
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.state == "circulating"
    return flow


# --- configuration --------------------------------------------------------------------------------------


def test_configured_actors_replace_the_role_holders(make_draft, personas, org_tree):
    reviewer = PersonFactory(username="wf_reviewer", name="核稿专员", unit=org_tree.yj_gov)
    StepActor.objects.create(unit=org_tree.yj_gov, kind=FlowKind.OUTGOING, step="office_review", person=reviewer)
    StepActor.objects.create(unit=org_tree.yj_gov, kind=FlowKind.INCOMING, step="receiving", person=personas.yj_admin)
    flow = outgoing.submit(personas.yj_staff, make_draft())
    assert [t.assignee for t in flow.tasks.filter(state="open")] == [reviewer]  # not the 收发员
    received = _receive(personas, org_tree)
    assert [t.assignee for t in received.tasks.filter(state="open")] == [personas.yj_admin]
    # another unit's configuration changes nothing here
    StepActor.objects.create(unit=org_tree.jy_gov, kind=FlowKind.OUTGOING, step="numbering", person=personas.jy_staff)
    outgoing.approve(reviewer, flow)
    outgoing.approve(personas.yj_mayor, flow)
    assert [t.assignee for t in Flow.objects.get(pk=flow.pk).tasks.filter(state="open")] == [personas.yj_clerk]


def test_dept_review_uses_the_drafters_department_actor(make_draft, personas, org_tree):
    from tests.factories import DepartmentFactory

    other_dept = DepartmentFactory(unit=org_tree.yj_gov, name="财政科")
    office_head = PersonFactory(username="wf_office_head", name="办公室主任", unit=org_tree.yj_gov)
    finance_head = PersonFactory(username="wf_fin_head", name="财政科长", unit=org_tree.yj_gov)
    FlowSetting.objects.create(unit=org_tree.yj_gov, use_dept_review=True)
    for person, dept in ((office_head, personas.office), (finance_head, other_dept)):
        StepActor.objects.create(
            unit=org_tree.yj_gov, kind=FlowKind.OUTGOING, step="dept_review", person=person, department=dept
        )
    flow = outgoing.submit(personas.yj_staff, make_draft())  # 王科员 is in 办公室
    assert flow.state == "dept_review"
    assert [t.assignee for t in flow.tasks.filter(state="open")] == [office_head]


def test_dept_review_without_anyone_configured_is_refused_clearly(make_draft, personas, org_tree):
    from oa.core.errors import ServiceError

    FlowSetting.objects.create(unit=org_tree.yj_gov, use_dept_review=True)
    document = make_draft()
    with pytest.raises(ServiceError, match="部门审核.*配置"):
        outgoing.submit(personas.yj_staff, document)
    assert not Flow.objects.filter(document=document).exists()  # nothing half-started


@pytest.mark.parametrize(
    "urgency, setting, days",
    [
        ("特急", {}, 1),
        ("加急", {}, 3),
        ("", {}, 7),
        ("特急", {"limit_extra_urgent": 2}, 2),
        ("", {"limit_normal": 5}, 5),
    ],
)
@time_machine.travel(datetime.datetime(2024, 9, 26, 10, 0), tick=False)
def test_time_limit_by_urgency_in_working_days(personas, org_tree, urgency, setting, days):
    from documents.workflow.deadlines import add_workdays

    if setting:
        FlowSetting.objects.create(unit=org_tree.yj_gov, **setting)
    flow = _receive(personas, org_tree, urgency=urgency)
    incoming.approve(personas.yj_clerk, flow)
    incoming.approve(personas.yj_clerk, flow)  # 登记 fixes the 办理时限
    deadline = IncomingDocument.objects.get(pk=flow.incoming_id).deadline
    assert deadline == add_workdays(datetime.date(2024, 9, 26), days)
    if days == 7:  # across 国庆: 9-29 (Sunday) is a make-up working day, 10-01..10-07 are off
        assert deadline == datetime.date(2024, 10, 11)
    todo = TodoItem.objects.get(source_app="documents.flow", state=State.OPEN, owner=personas.yj_clerk)
    assert timezone.localtime(todo.deadline).date() == deadline  # the todo of the next step carries it


def test_overdue_list_shows_only_own_late_unfinished_documents(client, personas, org_tree):
    late = _receive(personas, org_tree, urgency="特急")
    on_time = _receive(personas, org_tree)
    finished = _receive(personas, org_tree, urgency="特急")
    for flow in (late, on_time, finished):
        incoming.approve(personas.yj_clerk, flow)
        incoming.approve(personas.yj_clerk, flow)
    incoming.return_to_sender(personas.yj_clerk, finished, reason="非本单位来文")
    IncomingDocument.objects.filter(pk__in=[late.incoming_id, finished.incoming_id]).update(
        deadline=datetime.date.today() - datetime.timedelta(days=1), title="超期的来文"
    )
    IncomingDocument.objects.filter(pk=on_time.incoming_id).update(title="未到期的来文")
    assert list(incoming.overdue(org_tree.yj_gov)) == [IncomingDocument.objects.get(pk=late.incoming_id)]
    client.force_login(personas.yj_staff)
    page = client.get(reverse("documents:overdue")).content.decode()
    assert page.count("超期的来文") == 1 and "未到期的来文" not in page
    client.force_login(personas.jy_staff)  # another unit's list is its own
    assert "超期的来文" not in client.get(reverse("documents:overdue")).content.decode()


# --- 传阅 -------------------------------------------------------------------------------------------------


def test_each_reader_is_tracked_and_finishing_closes_every_todo(client, personas, org_tree):
    flow = _to_circulating(personas, org_tree, [personas.yj_vice, personas.yj_mayor, personas.yj_admin])
    toread = TodoItem.objects.filter(source_app="documents.flow", kind=Kind.TOREAD, state=State.OPEN)
    assert set(toread.values_list("owner_id", flat=True)) == {
        personas.yj_vice.pk,
        personas.yj_mayor.pk,
        personas.yj_admin.pk,
    }
    incoming.read(personas.yj_vice, flow, opinion="已阅，同意")
    client.force_login(personas.yj_staff)
    data = client.get(f"/api/flows/{flow.pk}/").json()
    reading = {t["assignee"]: t for t in data["tasks"] if t["step"] == "circulating"}
    assert reading["郑副市长"]["decision"] == Decision.READ and reading["郑副市长"]["decided_at"]
    assert reading["郑副市长"]["opinion"] == "已阅，同意"
    assert reading["吴市长"]["state"] == "open" and not reading["吴市长"]["decided_at"]
    assert data["state"] == "circulating"
    assert_todos_match(flow)
    incoming.read(personas.yj_mayor, flow)
    incoming.read(personas.yj_admin, flow)
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.finished and flow.incoming.status == "done"
    assert not TodoItem.objects.filter(source_app="documents.flow", state=State.OPEN).exists()
    assert flow.tasks.filter(step="circulating", decision=Decision.READ).count() == 3
    sheet = _text(render_sheet(flow))
    assert sheet.count("已阅") >= 3 and "郑副市长" in sheet


def test_return_during_circulation_cancels_the_unread_and_starts_over(personas, org_tree, open_actor_ids):
    flow = _to_circulating(personas, org_tree, [personas.yj_vice, personas.yj_admin])
    incoming.read(personas.yj_vice, flow)
    incoming.return_to(personas.yj_admin, flow, "handling", reason="办理情况不完整")
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.state == "handling" and open_actor_ids(flow) == [personas.yj_staff.pk]
    assert_todos_match(flow)
    incoming.approve(personas.yj_staff, flow, opinion="已补充")
    flow = Flow.objects.get(pk=flow.pk)
    assert open_actor_ids(flow) == sorted([personas.yj_vice.pk, personas.yj_admin.pk])  # both read the new text
    assert_todos_match(flow)


# --- processing sheets and audit --------------------------------------------------------------------------


def test_outgoing_sheet_lists_every_opinion_person_and_time_in_order(make_draft, personas, org_tree):
    Delegation.objects.create(
        principal=personas.yj_mayor,
        deputy=personas.yj_vice,
        unit=org_tree.yj_gov,
        role=Role.SIGNER,
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
    )
    flow = outgoing.submit(personas.yj_staff, make_draft(), opinion="请审核", important=True)
    outgoing.return_to(personas.yj_clerk, flow, "drafting", reason="请补充依据")
    outgoing.approve(personas.yj_staff, flow, opinion="已补充")
    outgoing.approve(personas.yj_clerk, flow, opinion="核稿无误")
    outgoing.approve(personas.yj_vice, flow, opinion="同意印发")  # for 吴市长 (重要公文)
    text = _text(render_sheet(Flow.objects.get(pk=flow.pk)))
    assert text.startswith("发文稿纸") and "阳江市人民政府关于做好2025年防汛工作的通知" in text
    order = ["请审核", "请补充依据", "已补充", "核稿无误", "同意印发"]
    positions = [text.index(f"意见：{opinion}") for opinion in order]
    assert positions == sorted(positions)
    assert "郑副市长（代签 吴市长）" in text and "周收发" in text and "王科员" in text
    assert "退回" in text and f"{datetime.date.today():%Y年%m月%d日}" in text


def test_every_action_writes_its_audit_line(make_draft, personas, org_tree):
    colleague = PersonFactory(username="wf_audit_colleague", name="林科长", unit=org_tree.yj_gov)
    flow = outgoing.submit(personas.yj_staff, make_draft())
    common.withdraw(personas.yj_staff, flow)
    outgoing.approve(personas.yj_staff, flow)
    outgoing.urge(personas.yj_staff, flow, "请尽快")
    outgoing.comment(personas.yj_mayor, flow, "注意时效")
    outgoing.add_signer(personas.yj_clerk, flow, colleague)
    outgoing.transfer(colleague, flow, personas.yj_admin, reason="出差")
    outgoing.approve(personas.yj_clerk, flow)
    outgoing.return_to(personas.yj_admin, flow, "drafting", reason="重写")
    actions = list(
        AuditEvent.objects.filter(action__startswith="documents.flow.").order_by("id").values_list("action", flat=True)
    )
    for action in ("approve", "withdraw", "urge", "comment", "add_signer", "transfer", "return"):
        assert f"documents.flow.{action}" in actions
    assert all(
        e.object_id == str(flow.document_id) for e in AuditEvent.objects.filter(action="documents.flow.transfer")
    )
