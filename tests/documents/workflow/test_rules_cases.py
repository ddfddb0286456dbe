"""Every 行文规则 case (条例 第四章), each named in the message that blocks 分发; only 越级 may be overridden, by a
leader, with the reason recorded (note, audit, processing sheet)."""

import io

import pytest
from pypdf import PdfReader

from documents.models import DocumentIssuer
from documents.workflow import outgoing
from documents.workflow.dispatch_rules import check_dispatch
from documents.workflow.models import Flow, FlowNote, NoteKind
from documents.workflow.sheets import render_sheet
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.models import Delegation, LeaderKind, Role
from tests.factories import PersonFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db


def _rules(document) -> dict:
    return {v.rule: v for v in check_dispatch(document)}


def _to_distributing(flow, personas):
    outgoing.approve(personas.yj_clerk, flow)  # 核稿
    outgoing.approve(personas.yj_mayor, flow)  # 签发 (主要负责人: also good for 上行文)
    outgoing.approve(personas.yj_clerk, flow)  # 编号
    outgoing.mark_sealed(personas.yj_clerk, flow.document)
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.state == "distributing"
    return flow


def test_well_formed_documents_pass(make_draft, org_tree):
    assert _rules(make_draft()) == {}  # 下行文 to the county directly below
    assert _rules(make_draft(doc_type="报告", main_units=[org_tree.gd_gov], signers="吴市长")) == {}
    assert _rules(make_draft(doc_type="请示", main_units=[org_tree.gd_gov], signers="吴市长")) == {}
    # 上行文 may copy other superiors and peers
    assert _rules(make_draft(doc_type="报告", main_units=[org_tree.gd_gov], cc_units=[org_tree.jy_gov])) == {}


def test_request_without_any_main_recipient(make_draft):
    violations = _rules(make_draft(doc_type="请示", main_units=[], signers="吴市长"))
    assert "request_one_main" in violations and "0个" in violations["request_one_main"].message


def test_upward_skip_level_needs_the_skipped_superior_copied(make_draft, org_tree, personas):
    jc_staff = PersonFactory(username="jc_staff", name="江城科员", unit=org_tree.jc_gov)
    document = make_draft(actor=jc_staff, doc_type="报告", main_units=[org_tree.gd_gov], signers="区长")
    violation = _rules(document)["skip_level"]
    assert violation.overridable and "阳江市人民政府" in violation.message
    copied = make_draft(
        actor=jc_staff, doc_type="报告", main_units=[org_tree.gd_gov], cc_units=[org_tree.yj_gov], signers="区长"
    )
    assert "skip_level" not in _rules(copied)


def test_skipping_two_levels_names_only_the_unit_not_copied(make_draft, org_tree):
    document = make_draft(main_units=[org_tree.village], cc_units=[org_tree.jc_gov])
    message = _rules(document)["skip_level"].message
    assert "城北街道办事处" in message and "江城区人民政府" not in message


def test_joint_issuance_same_level_passes_and_mixed_levels_are_named(make_draft, org_tree):
    assert "joint_same_level" not in _rules(make_draft(issuers=[org_tree.yj_gov, org_tree.jy_gov]))
    document = make_draft()
    DocumentIssuer.objects.create(document=document, unit=org_tree.cb_street, position=1)
    assert "同级" in _rules(document)["joint_same_level"].message
    assert not _rules(document)["joint_same_level"].overridable


@pytest.mark.parametrize(
    "data, rule, words",
    [
        ({"doc_type": "请示", "main_units": ["gd_gov", "gd_edu"], "signers": "吴市长"}, "request_one_main", "一文一事"),
        ({"doc_type": "报告", "main_units": ["gd_gov", "gd_edu"], "signers": "吴市长"}, "upward_one_main", "一个上级"),
        (
            {"doc_type": "报告", "main_units": ["gd_gov"], "cc_units": ["jc_gov"], "signers": "吴市长"},
            "upward_no_subordinate_cc",
            "不得抄送下级",
        ),
        ({"main_units": ["cb_street"]}, "skip_level", "越级"),
    ],
)
def test_each_violation_blocks_dispatch_with_a_message_naming_its_rule(
    make_draft, personas, org_tree, data, rule, words
):
    for key in ("main_units", "cc_units"):
        if key in data:
            data[key] = [getattr(org_tree, name) for name in data[key]]
    flow = _to_distributing(outgoing.submit(personas.yj_staff, make_draft(**data)), personas)
    with pytest.raises(ServiceError, match=words) as refused:
        outgoing.approve(personas.yj_clerk, flow)
    assert "不符合行文规则" in refused.value.message
    flow.refresh_from_db()
    assert flow.state == "distributing" and flow.tasks.filter(step="distributing", state="open").exists()
    if rule != "skip_level":
        with pytest.raises(ServiceError, match="只有越级"):
            outgoing.override_rule(personas.yj_mayor, flow, rule=rule, reason="领导同意")
        assert not FlowNote.objects.filter(flow=flow, kind=NoteKind.OVERRIDE).exists()


def test_skip_level_override_is_recorded_and_lets_it_go(make_draft, personas, org_tree):
    flow = _to_distributing(outgoing.submit(personas.yj_staff, make_draft(main_units=[org_tree.cb_street])), personas)
    with pytest.raises(ServiceError, match="理由"):
        outgoing.override_rule(personas.yj_mayor, flow, rule="skip_level", reason=" ")
    for not_a_leader in (personas.yj_clerk, personas.yj_staff, personas.jy_staff):
        with pytest.raises(PermissionDeniedError):
            outgoing.override_rule(not_a_leader, flow, rule="skip_level", reason="紧急")
    outgoing.override_rule(personas.yj_vice, flow, rule="skip_level", reason="防汛紧急，直接部署到街道")
    note = FlowNote.objects.get(flow=flow, kind=NoteKind.OVERRIDE)
    assert (note.author, note.rule, note.text) == (personas.yj_vice, "skip_level", "防汛紧急，直接部署到街道")
    event = AuditEvent.objects.filter(action="documents.flow.override").latest("id")
    assert event.actor_id == personas.yj_vice.pk and "防汛紧急" in event.summary
    outgoing.approve(personas.yj_clerk, flow)
    flow.refresh_from_db()
    assert flow.state == "distributed"


def test_a_deputy_leader_overrides_under_delegation(make_draft, personas, org_tree):
    import datetime

    Delegation.objects.create(
        principal=personas.yj_mayor,
        deputy=personas.yj_staff,
        unit=org_tree.yj_gov,
        role=Role.SIGNER,
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
    )
    flow = _to_distributing(outgoing.submit(personas.yj_staff, make_draft(main_units=[org_tree.cb_street])), personas)
    outgoing.override_rule(personas.yj_staff, flow, rule="skip_level", reason="代市长决定")
    outgoing.approve(personas.yj_clerk, flow)
    assert Flow.objects.get(pk=flow.pk).finished


def test_upward_document_must_be_signed_by_the_principal(make_draft, personas, org_tree):
    flow = outgoing.submit(
        personas.yj_staff, make_draft(doc_type="报告", main_units=[org_tree.gd_gov], signers="吴市长")
    )
    with pytest.raises(ServiceError, match="主要负责人"):
        outgoing.approve(personas.yj_clerk, flow, signer=personas.yj_vice)
    outgoing.approve(personas.yj_clerk, flow, signer=personas.yj_mayor)
    assert set(flow.tasks.filter(state="open").values_list("assignee_id", flat=True)) == {personas.yj_mayor.pk}
    with pytest.raises(PermissionDeniedError):
        outgoing.approve(personas.yj_vice, flow)


def test_joint_issuance_every_co_issuer_countersigns(make_draft, personas, org_tree):
    """Joint issuance: every co-issuer's leader agrees (会签), any of them may return it."""
    jy_leader = PersonFactory(username="jy_leader", name="揭阳市长", unit=org_tree.jy_gov)
    RoleAssignmentFactory(person=jy_leader, unit=org_tree.jy_gov, role=Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL)
    jy_vice = PersonFactory(username="jy_vice", name="揭阳副市长", unit=org_tree.jy_gov)
    RoleAssignmentFactory(person=jy_vice, unit=org_tree.jy_gov, role=Role.SIGNER, leader_kind=LeaderKind.DEPUTY)
    flow = outgoing.submit(personas.yj_staff, make_draft(issuers=[org_tree.yj_gov, org_tree.jy_gov]))
    outgoing.approve(personas.yj_clerk, flow)
    open_tasks = flow.tasks.filter(state="open")
    assert {t.assignee_id for t in open_tasks} == {jy_leader.pk, jy_vice.pk}
    assert {t.pool for t in open_tasks} == {f"unit:{org_tree.jy_gov.pk}"}  # one seat: any of its leaders
    outgoing.return_to(jy_vice, flow, "office_review", reason="揭阳部分数据有误")
    flow.refresh_from_db()
    assert flow.state == "office_review"
    outgoing.approve(personas.yj_clerk, flow)
    outgoing.approve(jy_leader, flow, opinion="同意联合印发")
    flow.refresh_from_db()
    assert flow.state == "signoff" and not flow.tasks.filter(step="countersign", state="open").exists()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_sheet(flow))).pages).replace("\n", "")
    assert "揭阳市长" in text and "同意联合印发" in text and "揭阳部分数据有误" in text
