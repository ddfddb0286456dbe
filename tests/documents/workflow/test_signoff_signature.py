"""签发 on the 发文稿纸 is signed with the leader's personal certificate, the handwriting as its appearance on
their 签发 opinion; 代签 signs with the deputy's own certificate; no certificate or a signing failure leaves
the 签发 in force and says so on the flow page and in the audit trail."""

import datetime
import io

import pytest
from asn1crypto import x509 as asn1_x509
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from documents.workflow import outgoing, signoff_signature
from documents.workflow.models import Flow, FlowTask, SheetSignature, SignedSheet
from documents.workflow.sheets import layout_sheet
from oa.audit.models import AuditEvent
from oa.audit.services import flush_pending
from oa.org.models import Delegation, Role
from signing import ca
from signing.models import SealUse
from signing.verify import verify_pdf
from tests.signing.conftest import _session_ca, signing_ca  # noqa: F401  (the internal CA fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_ca")]

STROKES = [[[1, 2, 0.4, 0], [10, 12, 0.7, 16], [20, 5, 0.9, 32]]]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (240, 80), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def _to_signoff(personas, document) -> Flow:
    flow = outgoing.submit(personas.yj_staff, document)
    outgoing.approve(personas.yj_clerk, flow, opinion="核稿无误")
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.state == "signoff"
    return flow


def _sign_off(leader, flow, capture, opinion="同意印发") -> Flow:
    with capture(execute=True):
        outgoing.approve(
            leader,
            flow,
            opinion=opinion,
            handwriting={"strokes": STROKES, "png": _png()},
            seen_sha256=outgoing.current_sha256(flow.document),
        )
    return Flow.objects.get(pk=flow.pk)


def _signature_rect_mm(pdf: bytes, field_name: str):
    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/T") == field_name:
                x1, y1, x2, y2 = (float(v) / 72 * 25.4 for v in annot["/Rect"])
                height = float(page.mediabox.height) / 72 * 25.4
                return number, (x1 + x2) / 2, height - (y1 + y2) / 2
    raise AssertionError(f"no field {field_name}")


def test_leader_signoff_signs_the_sheet_at_the_opinion(
    make_draft, personas, client, django_capture_on_commit_callbacks
):
    certificate = ca.issue_personal_certificate(personas.yj_mayor)
    flow = _sign_off(personas.yj_mayor, _to_signoff(personas, make_draft()), django_capture_on_commit_callbacks)

    assert flow.state == "numbering"
    sheet = SignedSheet.objects.get(flow=flow)
    task = FlowTask.objects.get(flow=flow, step="signoff", decision="approve")
    assert sheet.status == SheetSignature.SIGNED and sheet.task == task and sheet.signer == personas.yj_mayor
    pdf = signoff_signature.sheet_pdf(sheet)
    report = verify_pdf(pdf)
    assert report.verdict == "ok", report.summary
    (signature,) = report.signatures
    assert signature.kind == "personal" and signature.intact and signature.trusted
    assert "吴市长" in signature.subject and signature.subject == ca_subject(certificate)
    # placed on the 签发 opinion: where the sheet reserves the leader's handwriting
    box = layout_sheet(flow, blank_for=task.pk).boxes[task.pk]
    page, x_mm, y_mm = _signature_rect_mm(pdf, sheet.field_name)
    assert page == box.page and abs(x_mm - box.x_mm) < 1 and abs(y_mm - box.y_mm) < 1
    use = SealUse.objects.get(purpose_ref=f"documents.document:{flow.document_id}")
    assert (use.actor, use.certificate, use.field_name) == (personas.yj_mayor, certificate, sheet.field_name)
    flush_pending()
    assert AuditEvent.objects.filter(action="documents.flow.sign_sheet", result="success").count() == 1

    # the flow page offers the download to the unit's people; outsiders get 404
    client.force_login(personas.yj_staff)
    page_html = client.get(reverse("documents:flow", args=[flow.pk])).content.decode()
    assert "下载签名稿纸" in page_html and "吴市长" in page_html
    download = client.get(reverse("documents:flow_signed_sheet", args=[flow.pk]))
    assert download.status_code == 200 and download.content == pdf
    client.force_login(personas.jy_staff)
    assert client.get(reverse("documents:flow_signed_sheet", args=[flow.pk])).status_code == 404


def ca_subject(certificate) -> str:
    """The certificate's subject as the verifier names it."""
    return asn1_x509.Certificate.load(bytes(certificate.der)).subject.human_friendly


def _signature_reason(pdf: bytes, field_name: str) -> str:
    for field in PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/AcroForm"]["/Fields"]:
        field = field.get_object()
        if field.get("/T") == field_name:
            return str(field["/V"].get_object()["/Reason"])
    raise AssertionError(f"no field {field_name}")


def test_deputy_signs_with_own_certificate_and_sheet_says_daiqian(
    make_draft, personas, org_tree, django_capture_on_commit_callbacks
):
    ca.issue_personal_certificate(personas.yj_mayor)
    deputy_certificate = ca.issue_personal_certificate(personas.yj_vice)
    Delegation.objects.create(
        principal=personas.yj_mayor,
        deputy=personas.yj_vice,
        unit=org_tree.yj_gov,
        role=Role.SIGNER,
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
    )
    document = make_draft(
        doc_type="请示", title="阳江市人民政府关于防汛经费的请示", main_units=[org_tree.gd_gov], signers="吴市长"
    )
    flow = _sign_off(personas.yj_vice, _to_signoff(personas, document), django_capture_on_commit_callbacks)

    sheet = SignedSheet.objects.get(flow=flow)
    assert sheet.signed and sheet.by_delegation and sheet.signer == personas.yj_vice
    pdf = signoff_signature.sheet_pdf(sheet)
    report = verify_pdf(pdf)
    assert report.verdict == "ok", report.summary
    assert report.signatures[0].subject == ca_subject(deputy_certificate)
    assert "郑副市长" in report.signatures[0].subject
    assert _signature_reason(pdf, sheet.field_name) == "代签（吴市长）"
    # the sheet names the deputy and the principal for the 签发 opinion
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "（代" in text


def test_leader_without_certificate_still_signs_off_and_page_says_unsigned(
    make_draft, personas, client, django_capture_on_commit_callbacks
):
    flow = _sign_off(personas.yj_mayor, _to_signoff(personas, make_draft()), django_capture_on_commit_callbacks)

    assert flow.state == "numbering" and flow.signed_by == personas.yj_mayor
    sheet = SignedSheet.objects.get(flow=flow)
    assert sheet.status == SheetSignature.NO_CERTIFICATE and not sheet.file
    flush_pending()
    event = AuditEvent.objects.get(action="documents.flow.sign_sheet")
    assert event.result == "failure" and "没有有效的个人签名证书" in event.summary
    client.force_login(personas.yj_staff)
    page_html = client.get(reverse("documents:flow", args=[flow.pk])).content.decode()
    assert "未签名（签发人无个人签名证书）" in page_html and "下载签名稿纸" not in page_html
    assert client.get(reverse("documents:flow_signed_sheet", args=[flow.pk])).status_code == 404

    # once the certificate exists, the leader signs the sheet from the flow page; nobody else may
    ca.issue_personal_certificate(personas.yj_mayor)
    assert client.post(reverse("documents:flow_sign_sheet", args=[flow.pk])).status_code == 403
    client.force_login(personas.yj_mayor)
    assert client.post(reverse("documents:flow_sign_sheet", args=[flow.pk])).status_code == 302
    sheet = SignedSheet.objects.get(flow=flow)
    assert sheet.signed and verify_pdf(signoff_signature.sheet_pdf(sheet)).verdict == "ok"


def test_signing_failure_does_not_lose_the_signoff(
    make_draft, personas, monkeypatch, django_capture_on_commit_callbacks
):
    ca.issue_personal_certificate(personas.yj_mayor)

    def broken(*args, **kwargs):
        raise RuntimeError("HSM offline")

    monkeypatch.setattr(signoff_signature, "sign_personal", broken)
    flow = _sign_off(personas.yj_mayor, _to_signoff(personas, make_draft()), django_capture_on_commit_callbacks)

    assert flow.state == "numbering"
    assert FlowTask.objects.filter(flow=flow, step="signoff", decision="approve").exists()
    sheet = SignedSheet.objects.get(flow=flow)
    assert sheet.status == SheetSignature.FAILED and "稍后重新签名" in sheet.note
    flush_pending()
    assert AuditEvent.objects.filter(action="documents.flow.sign_sheet", result="failure").count() == 1
