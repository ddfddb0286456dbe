"""发文 flow end to end through the services: steps, 会签, 退回, 撤回, 转办, 加签, 代签, 复核, refusals."""

import datetime

import pytest

from documents.models import Document, Status
from documents.workflow import outgoing
from documents.workflow.access import mark_opened
from documents.workflow.models import Decision, NoteKind
from oa.audit.models import AuditEvent
from oa.audit.services import flush_pending
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.models import Delegation, Role
from tests.factories import PersonFactory, RoleAssignmentFactory

from .conftest import assert_todos_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org_tree):
    return PersonFactory(username="yj_colleague", name="林科长", unit=org_tree.yj_gov)


def test_full_flow_with_countersign_reaches_distribution(make_draft, personas, colleague, open_actor_ids):
    document = make_draft()
    flow = outgoing.submit(personas.yj_staff, document, opinion="请审核")
    assert flow.state == "office_review" and open_actor_ids(flow) == [personas.yj_clerk.pk]
    assert Document.objects.get(pk=document.pk).status == Status.OFFICE_REVIEW
    outgoing.approve(personas.yj_clerk, flow, opinion="核稿无误", countersigners=[colleague, personas.yj_vice])
    flow.refresh_from_db()
    assert flow.state == "countersign"
    assert open_actor_ids(flow) == sorted([colleague.pk, personas.yj_vice.pk])
    outgoing.approve(colleague, flow, opinion="同意")
    flow.refresh_from_db()
    assert flow.state == "countersign"  # all must agree
    outgoing.approve(personas.yj_vice, flow, opinion="同意")
    flow.refresh_from_db()
    assert flow.state == "signoff"
    assert_todos_match(flow)
    outgoing.approve(personas.yj_mayor, flow, opinion="同意印发")
    flow.refresh_from_db()
    assert flow.state == "numbering" and flow.signed_by == personas.yj_mayor
    outgoing.approve(personas.yj_clerk, flow)
    flow.refresh_from_db()
    document.refresh_from_db()
    assert flow.state == "sealing" and document.doc_number.startswith("阳府〔")
    assert document.status == "sealing"
    with pytest.raises(ServiceError, match="待用印"):
        outgoing.approve(personas.yj_clerk, flow)
    outgoing.mark_sealed(personas.yj_clerk, document)
    outgoing.approve(personas.yj_clerk, flow.__class__.objects.get(pk=flow.pk), opinion="已分发")
    flow.refresh_from_db()
    assert flow.state == "distributed" and flow.finished
    assert Document.objects.get(pk=document.pk).status == Status.DISTRIBUTED
    assert not flow.tasks.filter(state="open").exists()
    assert_todos_match(flow)
    actions = set(AuditEvent.objects.filter(action__startswith="documents.flow.").values_list("action", flat=True))
    assert {"documents.flow.approve", "documents.flow.seal"} <= actions


def test_only_the_current_actor_may_act(make_draft, personas):
    flush_pending()
    denied = AuditEvent.objects.filter(action="documents.flow.approve", result="denied")
    before = denied.count()
    flow = outgoing.submit(personas.yj_staff, make_draft())
    for outsider in (personas.yj_mayor, personas.yj_staff, personas.jy_staff):
        with pytest.raises(PermissionDeniedError):
            outgoing.approve(outsider, flow, opinion="同意")
    with pytest.raises(PermissionDeniedError):
        outgoing.return_to(personas.jy_staff, flow, "drafting", reason="x")
    flush_pending()  # refusals inside the service's transaction are written when the unit of work ends
    assert denied.count() - before == 3


def test_return_from_countersign_closes_every_countersign_todo(make_draft, personas, colleague, open_actor_ids):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow, countersigners=[colleague, personas.yj_vice])
    outgoing.approve(colleague, flow, opinion="同意")
    outgoing.return_to(personas.yj_vice, flow, "drafting", reason="数据需核实")
    flow.refresh_from_db()
    assert flow.state == "drafting" and open_actor_ids(flow) == [personas.yj_staff.pk]
    assert_todos_match(flow)
    with pytest.raises(ServiceError, match="理由"):
        outgoing.return_to(personas.yj_staff, flow, "drafting", reason=" ")
    # resubmit: 核稿 goes to the clerk again, then 会签 to both again
    outgoing.approve(personas.yj_staff, flow, opinion="已修改")
    outgoing.approve(personas.yj_clerk, flow, countersigners=[colleague, personas.yj_vice])
    flow.refresh_from_db()
    assert open_actor_ids(flow) == sorted([colleague.pk, personas.yj_vice.pk])
    assert_todos_match(flow)


def test_return_only_to_a_step_already_done(make_draft, personas):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow)  # → signoff (no countersign)
    with pytest.raises(ServiceError, match="会签"):
        outgoing.return_to(personas.yj_mayor, flow, "countersign", reason="需会签")
    outgoing.return_to(personas.yj_mayor, flow, "office_review", reason="请再核")
    flow.refresh_from_db()
    assert flow.state == "office_review"
    assert flow.tasks.filter(state="open").get().assignee == personas.yj_clerk


def test_withdraw_until_the_next_actor_opens_it(make_draft, personas, open_actor_ids):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.withdraw(personas.yj_staff, flow)
    flow.refresh_from_db()
    assert flow.state == "drafting" and open_actor_ids(flow) == [personas.yj_staff.pk]
    assert_todos_match(flow)
    outgoing.approve(personas.yj_staff, flow)
    flow.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        outgoing.withdraw(personas.yj_mayor, flow)
    mark_opened(personas.yj_clerk, flow)
    with pytest.raises(ServiceError, match="已经打开"):
        outgoing.withdraw(personas.yj_staff, flow)
    assert flow.tasks.filter(decision=Decision.WITHDRAWN).count() == 1


def test_signoff_by_deputy_under_delegation_shows_daiqian(make_draft, personas, org_tree):
    Delegation.objects.create(
        principal=personas.yj_mayor,
        deputy=personas.yj_vice,
        unit=org_tree.yj_gov,
        role=Role.SIGNER,
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
    )
    # a 请示 to the superior is 上行文: only the 主要负责人 signs it
    document = make_draft(
        doc_type="请示", title="阳江市人民政府关于防汛经费的请示", main_units=[org_tree.gd_gov], signers="吴市长"
    )
    flow = outgoing.submit(personas.yj_staff, document)
    outgoing.approve(personas.yj_clerk, flow)
    flow.refresh_from_db()
    assert [t.assignee for t in flow.tasks.filter(state="open")] == [personas.yj_mayor]
    outgoing.approve(personas.yj_vice, flow, opinion="同意")
    task = flow.tasks.get(step="signoff")
    assert task.by_delegation and task.acted_by == personas.yj_vice and task.assignee == personas.yj_mayor
    flow.refresh_from_db()
    assert flow.signed_by == personas.yj_mayor and flow.state == "numbering"
    assert_todos_match(flow)


def test_transfer_and_add_signer(make_draft, personas, colleague, open_actor_ids):
    RoleAssignmentFactory(person=colleague, unit=colleague.unit, role=Role.REVIEWER)
    flow = outgoing.submit(personas.yj_staff, make_draft())
    assert open_actor_ids(flow) == [colleague.pk]  # the 核稿人 role beats the clerk fallback
    outgoing.transfer(colleague, flow, personas.yj_clerk, reason="出差")
    assert open_actor_ids(flow) == [personas.yj_clerk.pk]
    with pytest.raises(ServiceError, match="同单位"):
        outgoing.transfer(personas.yj_clerk, flow, personas.jy_staff)
    outgoing.add_signer(personas.yj_clerk, flow, personas.yj_admin)
    outgoing.approve(personas.yj_clerk, flow)
    flow.refresh_from_db()
    assert flow.state == "office_review" and open_actor_ids(flow) == [personas.yj_admin.pk]
    outgoing.approve(personas.yj_admin, flow)
    flow.refresh_from_db()
    assert flow.state == "signoff"
    assert_todos_match(flow)


def test_material_change_after_signoff_goes_back_to_signer(make_draft, personas, open_actor_ids):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow)
    outgoing.approve(personas.yj_vice, flow, opinion="同意")  # a 下行文: any 签发人 of the pool
    flow.refresh_from_db()
    assert flow.state == "numbering" and flow.signed_by == personas.yj_vice
    outgoing.revise(personas.yj_clerk, flow, {"title": "阳江市人民政府关于做好2025年防汛防风工作的通知"})
    flow.refresh_from_db()
    assert flow.state == "recheck" and open_actor_ids(flow) == [personas.yj_vice.pk]
    assert_todos_match(flow)
    outgoing.approve(personas.yj_vice, flow, opinion="复核同意")
    flow.refresh_from_db()
    assert flow.state == "numbering"
    with pytest.raises(PermissionDeniedError):
        outgoing.revise(personas.yj_staff, flow, {"title": "改"})


def test_urge_and_comment(make_draft, personas):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    note = outgoing.urge(personas.yj_staff, flow, "请今天办理")
    assert note.kind == NoteKind.URGE
    with pytest.raises(PermissionDeniedError):
        outgoing.urge(personas.yj_mayor, flow)
    outgoing.comment(personas.yj_mayor, flow, "注意时效")
    with pytest.raises(PermissionDeniedError):
        outgoing.comment(personas.jy_staff, flow, "看看")


def test_joint_issuance_countersign_by_co_issuer_signer(make_draft, personas, org_tree, open_actor_ids):
    from documents.workflow.access import can_view_flow
    from oa.org.models import LeaderKind

    jy_leader = PersonFactory(username="jy_leader", name="揭阳市长", unit=org_tree.jy_gov)
    RoleAssignmentFactory(person=jy_leader, unit=org_tree.jy_gov, role=Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL)
    document = make_draft(issuers=[org_tree.yj_gov, org_tree.jy_gov])
    flow = outgoing.submit(personas.yj_staff, document)
    assert not can_view_flow(jy_leader, flow)
    outgoing.approve(personas.yj_clerk, flow)
    flow.refresh_from_db()
    assert flow.state == "countersign" and open_actor_ids(flow) == [jy_leader.pk]
    assert can_view_flow(jy_leader, flow) and not can_view_flow(personas.jy_staff, flow)
    outgoing.approve(jy_leader, flow, opinion="同意联合印发")
    flow.refresh_from_db()
    assert flow.state == "signoff"


def test_unit_configures_dept_review_and_its_actor(make_draft, personas, org_tree, colleague, open_actor_ids):
    from documents.workflow.models import FlowKind, FlowSetting, StepActor

    FlowSetting.objects.create(unit=org_tree.yj_gov, use_dept_review=True)
    StepActor.objects.create(
        unit=org_tree.yj_gov, kind=FlowKind.OUTGOING, step="dept_review", person=colleague, department=personas.office
    )
    flow = outgoing.submit(personas.yj_staff, make_draft())
    assert flow.state == "dept_review" and open_actor_ids(flow) == [colleague.pk]
    outgoing.approve(colleague, flow, opinion="部门同意")
    flow.refresh_from_db()
    assert flow.state == "office_review"
    # a unit without the optional step goes straight to 核稿 (the other tests), and the table refuses jumps
    with pytest.raises(ServiceError, match="不能从"):
        flow.move("distributed")
