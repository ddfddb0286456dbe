"""用印 of a 发文 at 待用印: the final PDF gets each issuer's official seal from its custodian, in issuing
order; the last seal locks the file and the flow goes on to 分发. The stored file verifies (验章)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from pypdf import PdfReader

from documents.models import Status
from documents.workflow import outgoing, sealing
from documents.workflow.models import Flow
from documents.workflow.sealed_models import SealedDocument
from oa.audit.models import AuditEvent
from oa.audit.services import flush_pending
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.models import LeaderKind, Role
from signing.models import SealUse
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.signing.conftest import _keeper, _session_ca, signing_ca  # noqa: F401  (the internal CA fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seals(request, personas, org_tree):
    """Official seals of 阳江市人民政府 and 揭阳市人民政府, each with its own 印章管理员 (who get the 用印 tasks)."""
    from signing.services.seals import create_seal

    request.getfixturevalue("signing_ca")
    yj_keeper = _keeper(org_tree.yj_gov, "keeper_yj", "印管阳江")
    jy_keeper = _keeper(org_tree.jy_gov, "keeper_jy", "印管揭阳")
    return SimpleNamespace(
        yj=create_seal(None, org_tree.yj_gov, custodians=[yj_keeper]),
        jy=create_seal(None, org_tree.jy_gov, custodians=[jy_keeper]),
        yj_keeper=yj_keeper,
        jy_keeper=jy_keeper,
    )


def to_sealing(personas, document, co_signers=()) -> Flow:
    """签发 and 编号 through the services: the flow waits at 待用印."""
    flow = outgoing.submit(personas.yj_staff, document)
    outgoing.approve(personas.yj_clerk, flow, opinion="核稿无误")
    for person in co_signers:
        outgoing.approve(person, Flow.objects.get(pk=flow.pk), opinion="同意联合印发")
    outgoing.approve(personas.yj_mayor, Flow.objects.get(pk=flow.pk), opinion="同意印发")
    outgoing.approve(personas.yj_clerk, Flow.objects.get(pk=flow.pk))
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.state == "sealing"
    return flow


def slot_page(pdf: bytes, field_name: str) -> int:
    reader = PdfReader(__import__("io").BytesIO(pdf))
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/T") == field_name:
                return number
    raise AssertionError(f"no field {field_name}")


def test_custodian_seals_single_issuer_document(make_draft, personas, seals, client):
    document = make_draft()
    flow = to_sealing(personas, document)
    keeper = seals.yj_keeper
    assert sealing.can_seal_now(keeper, document) and not sealing.can_seal_now(personas.yj_clerk, document)
    client.force_login(keeper)
    assert "加盖阳江市人民政府公章" in client.get(reverse("documents:flow", args=[flow.pk])).content.decode()
    client.force_login(personas.yj_clerk)
    assert "加盖阳江市人民政府公章" not in client.get(reverse("documents:flow", args=[flow.pk])).content.decode()

    sealed = sealing.seal_document(keeper, document)

    flow.refresh_from_db()
    document.refresh_from_db()
    assert flow.state == "distributing" and document.status == Status.DISTRIBUTING
    assert sealed.complete and sealed.locked
    pdf = sealing.sealed_pdf(sealed)
    report = sealing.verification(sealed)
    assert report.verdict == "ok", report.summary
    assert report.verdict_label == "完好" and report.seal_count == 1
    assert report.signatures[0].seal_name == "阳江市人民政府（公章）"
    use = SealUse.objects.get(purpose_ref=f"documents.document:{document.pk}")
    assert (use.actor, use.approved_by, use.seal) == (keeper, personas.yj_mayor, seals.yj)
    assert slot_page(pdf, use.field_name) == sealed.slots[0]["page"] == use.page
    assert AuditEvent.objects.filter(action="document.sealed", result="success").count() == 1
    assert AuditEvent.objects.filter(action="signing.apply_seal").count() == 1
    # the flow page shows the green badge and the file downloads for the unit's people
    client.force_login(personas.yj_staff)
    page = client.get(reverse("documents:flow", args=[flow.pk]))
    assert "verdict-ok" in page.content.decode() and "完好" in page.content.decode()
    download = client.get(reverse("documents:flow_sealed_pdf", args=[flow.pk]))
    assert download.status_code == 200 and download.content == pdf
    client.force_login(personas.jy_staff)
    assert client.get(reverse("documents:flow_sealed_pdf", args=[flow.pk])).status_code == 404
    with pytest.raises(ServiceError, match="待用印"):
        sealing.seal_document(keeper, document)


def test_stored_file_changed_afterwards_shows_red(make_draft, personas, seals, client):
    document = make_draft()
    flow = to_sealing(personas, document)
    sealed = sealing.seal_document(seals.yj_keeper, document)
    assert sealing.verification(sealed).verdict == "ok"
    pdf = sealing.sealed_pdf(sealed)
    # a byte inside the signed range changes (the document body), e.g. someone edits the file on disk
    position = pdf.index(b"/Producer")
    tampered = pdf[:position] + b"/Producfr" + pdf[position + 9 :]
    with open(sealed.file.path, "wb") as handle:
        handle.write(tampered)
    report = sealing.verification(sealed)
    assert report.verdict != "ok"
    client.force_login(personas.yj_staff)
    page = client.get(reverse("documents:flow", args=[flow.pk])).content.decode()
    assert "verdict-ok" not in page and f"verdict-{report.verdict}" in page


def test_non_custodian_refused_through_api(make_draft, personas, seals, client):
    document = make_draft()
    flow = to_sealing(personas, document)
    client.force_login(personas.yj_clerk)  # has the 待用印 task but does not keep the seal
    url = f"/api/flows/{flow.pk}/act/"
    response = client.post(url, {"action": "seal"}, content_type="application/json")
    assert response.status_code == 403
    assert "印章管理员" in response.json()["detail"]
    assert Flow.objects.get(pk=flow.pk).state == "sealing"
    assert not SealedDocument.objects.exists() and not SealUse.objects.exists()
    client.force_login(seals.yj_keeper)
    response = client.post(url, {"action": "seal"}, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "distributing"
    assert data["sealing"]["verdict"] == "ok" and data["sealing"]["seal_count"] == 1
    assert client.get(f"/api/flows/{flow.pk}/sealed.pdf/").content.startswith(b"%PDF-")


def test_document_not_yet_approved_is_refused(make_draft, personas, seals):
    document = make_draft()
    outgoing.submit(personas.yj_staff, document)
    with pytest.raises(ServiceError, match="待用印"):
        sealing.seal_document(seals.yj_keeper, document)
    with pytest.raises(ServiceError, match="待用印"):
        sealing.seal_document(seals.yj_keeper, make_draft())
    assert not SealUse.objects.exists()


def test_unit_without_a_seal_is_told_to_ask_the_admin(make_draft, personas, seals):
    document = make_draft()
    to_sealing(personas, document)
    seals.yj.is_active = False
    seals.yj.save(update_fields=["is_active"])
    with pytest.raises(ServiceError, match="尚未登记可用的公章.*单位管理员"):
        sealing.seal_document(seals.yj_keeper, document)


def test_joint_issuance_in_order_and_locked_after_the_last(make_draft, personas, seals, org_tree, client):
    jy_leader = PersonFactory(username="jy_leader", name="揭阳市长", unit=org_tree.jy_gov)
    RoleAssignmentFactory(person=jy_leader, unit=org_tree.jy_gov, role=Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL)
    document = make_draft(issuers=[org_tree.yj_gov, org_tree.jy_gov])
    flow = to_sealing(personas, document, co_signers=[jy_leader])
    yj_keeper, jy_keeper = seals.yj_keeper, seals.jy_keeper
    flush_pending()  # refusals of earlier tests still queued
    denied = AuditEvent.objects.filter(action="document.sealed", result="denied")
    before = denied.count()

    with pytest.raises(ServiceError, match="顺序"):
        sealing.seal_document(jy_keeper, document)
    with pytest.raises(PermissionDeniedError):
        sealing.seal_document(personas.yj_staff, document)
    flush_pending()
    assert denied.count() - before == 2

    sealed = sealing.seal_document(yj_keeper, document)
    flow.refresh_from_db()
    assert flow.state == "sealing" and not sealed.locked and not sealed.complete
    # the 用印 task passed to the co-issuer's custodian, who may now see the flow
    assert list(flow.tasks.filter(state="open").values_list("assignee_id", flat=True)) == [jy_keeper.pk]
    assert sealing.verification(sealed).seal_count == 1
    with pytest.raises(ServiceError, match="已经加盖"):
        sealing.seal_document(yj_keeper, document)

    client.force_login(jy_keeper)  # through the flow page's 用印 button
    response = client.post(reverse("documents:flow_action", args=[flow.pk]), {"action": "seal"})
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.state == "distributing" and not flow.tasks.filter(step="sealing", state="open").exists()
    sealed = SealedDocument.objects.get(document=document)
    assert sealed.locked and sealed.complete
    assert [s.unit for s in sealed.issuer_seals.all()] == [org_tree.yj_gov, org_tree.jy_gov]
    report = sealing.verification(sealed)
    assert report.verdict == "ok", report.summary
    assert [s.seal_name for s in report.signatures] == ["阳江市人民政府（公章）", "揭阳市人民政府（公章）"]
    assert [s.covers_whole_file for s in report.signatures] == [False, True]
    uses = SealUse.objects.filter(purpose_ref=f"documents.document:{document.pk}").order_by("order")
    assert [u.actor for u in uses] == [yj_keeper, jy_keeper]
    assert all(u.approved_by == personas.yj_mayor for u in uses)
    assert AuditEvent.objects.filter(action="document.sealed", result="success").count() == 2
