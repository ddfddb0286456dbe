"""用印: round trips, joint issuance in order, 1–5 sequential seals, locking, and who may seal."""

import pytest

from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.models import Role, RoleAssignment
from signing.models import SealUse
from signing.services import SignaturePlacement, apply_seals, revoke_certificate, sign_personal, verify_pdf
from tests.signing.conftest import make_pdf, place, seal_in_order


def test_single_seal_round_trip(seals, pdf3, personas):
    result = apply_seals(
        seals.yj_keeper, pdf3, [place(seals.yj)], reason="印发", purpose_ref="documents.document:42",
        approved_by=personas.yj_mayor,
    )  # fmt: skip
    report = verify_pdf(result.pdf, expected_seals=1)
    assert report.verdict == "ok", report.summary
    assert report.verdict_label == "完好"
    sig = report.signatures[0]
    assert sig.seal_name == "阳江市人民政府（公章）"
    assert sig.unit_name == "阳江市人民政府"
    assert sig.intact and sig.valid and sig.trusted and not sig.revoked and sig.covers_whole_file
    assert "广东省协同办公平台电子印章签发机构" in sig.issuer
    assert sig.signing_time is not None


def test_joint_issuance_three_seals_valid_in_order(seals, pdf3):
    pdf = seal_in_order(pdf3, seals.all[:3], seals.keepers[:3])
    report = verify_pdf(pdf, expected_seals=3)
    assert report.verdict == "ok", report.summary
    assert [s.seal_name for s in report.signatures] == [
        "阳江市人民政府（公章）",
        "阳江市教育局（公章）",
        "江城区人民政府（公章）",
    ]
    assert all(s.intact and s.verdict == "ok" for s in report.signatures)
    assert [s.covers_whole_file for s in report.signatures] == [False, False, True]
    assert report.signatures[0].changes_after == "只加盖了后续印章"


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_one_to_five_sequential_seals_are_accepted(seals, count):
    pdf = seal_in_order(make_pdf(3), seals.all[:count], seals.keepers[:count])
    report = verify_pdf(pdf, expected_seals=count)
    assert report.verdict == "ok", report.summary
    assert report.seal_count == count


def test_several_seals_of_one_custodian_in_one_call(seals, pdf3):
    seals.yj.custodians.add(seals.keepers[1])
    RoleAssignment.objects.create(person=seals.keepers[1], unit=seals.yj.unit, role=Role.SEAL_KEEPER)
    keeper = type(seals.keepers[1]).objects.get(pk=seals.keepers[1].pk)
    result = apply_seals(keeper, pdf3, [place(seals.yj, index=0), place(seals.edu, index=1)], purpose_ref="x:1")
    assert verify_pdf(result.pdf, expected_seals=2).verdict == "ok"
    assert [u.order for u in SealUse.objects.order_by("order")] == [1, 2]


def test_locked_after_last_seal_refuses_another(seals, pdf3):
    pdf = apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="x:1", lock_after_last=True).pdf
    with pytest.raises(ServiceError, match="已锁定"):
        apply_seals(seals.keepers[1], pdf, [place(seals.edu, index=1)], purpose_ref="x:1")


def test_unlocked_document_accepts_the_next_issuer(seals, pdf3):
    pdf = apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="x:1", lock_after_last=False).pdf
    pdf = apply_seals(seals.keepers[1], pdf, [place(seals.edu, index=1)], purpose_ref="x:1").pdf
    assert verify_pdf(pdf, expected_seals=2).verdict == "ok"


def test_every_use_is_logged_and_audited(seals, pdf3, personas):
    result = apply_seals(
        seals.yj_keeper, pdf3, [place(seals.yj)], reason="印发", purpose_ref="documents.document:7",
        approved_by=personas.yj_mayor,
    )  # fmt: skip
    use = SealUse.objects.get()
    assert (use.seal, use.actor, use.approved_by, use.purpose_ref) == (
        seals.yj,
        seals.yj_keeper,
        personas.yj_mayor,
        "documents.document:7",
    )
    assert use.result_sha256 == result.sha256 and use.page == 3
    event = AuditEvent.objects.filter(action="signing.apply_seal").get()
    assert event.actor == seals.yj_keeper and event.after["approved_by"] == personas.yj_mayor.pk


def test_only_the_custodian_may_apply(seals, pdf3, personas):
    for outsider in (personas.yj_admin, personas.yj_mayor, seals.keepers[1]):
        with pytest.raises(PermissionDeniedError):
            apply_seals(outsider, pdf3, [place(seals.yj)], purpose_ref="x:1")
    assert not SealUse.objects.exists()
    assert AuditEvent.objects.filter(action="signing.apply_seal", result="denied").count() == 3


def test_custodian_who_lost_the_role_may_not_apply(seals, pdf3):
    RoleAssignment.objects.filter(person=seals.yj_keeper, role=Role.SEAL_KEEPER).delete()
    keeper = type(seals.yj_keeper).objects.get(pk=seals.yj_keeper.pk)
    with pytest.raises(PermissionDeniedError):
        apply_seals(keeper, pdf3, [place(seals.yj)], purpose_ref="x:1")


def test_revoked_seal_cannot_be_applied(seals, pdf3, personas):
    revoke_certificate(personas.secadmin, seals.yj.certificate, "密钥泄露")
    seals.yj.refresh_from_db()
    with pytest.raises(ServiceError, match="吊销"):
        apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="x:1")
    assert not SealUse.objects.exists()


def test_deactivated_seal_cannot_be_applied(seals, pdf3):
    seals.yj.is_active = False
    seals.yj.save()
    with pytest.raises(ServiceError, match="停用"):
        apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="x:1")


def test_bad_input_is_refused_clearly(seals, pdf3):
    with pytest.raises(ServiceError, match="不是 PDF"):
        apply_seals(seals.yj_keeper, b"hello", [place(seals.yj)], purpose_ref="x:1")
    with pytest.raises(ServiceError, match="页码"):
        apply_seals(seals.yj_keeper, pdf3, [place(seals.yj, page=9)], purpose_ref="x:1")
    with pytest.raises(ServiceError, match="用印对象"):
        apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="")


def _handwriting() -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(10, 100), (120, 20), (200, 90), (290, 10)], fill=(0, 0, 0, 255), width=6)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_personal_signature_with_handwriting(signing_ca, personas, pdf3):
    from signing import ca

    ca.issue_personal_certificate(personas.yj_mayor)
    result = sign_personal(
        personas.yj_mayor, pdf3, SignaturePlacement(1, 150, 100), _handwriting(), purpose_ref="sheet:1"
    )
    report = verify_pdf(result.pdf)
    assert report.verdict == "ok", report.summary
    assert report.signatures[0].kind == "personal" and report.signatures[0].signer_name == "吴市长"
    assert SealUse.objects.get().kind == "personal"


def test_personal_signature_without_handwriting_and_without_certificate(signing_ca, personas, pdf3):
    from signing import ca

    with pytest.raises(ServiceError, match="个人签名证书"):
        sign_personal(personas.yj_vice, pdf3, SignaturePlacement(1, 150, 100), None)
    ca.issue_personal_certificate(personas.yj_vice)
    result = sign_personal(personas.yj_vice, pdf3, SignaturePlacement(1, 150, 100), None)
    assert verify_pdf(result.pdf).verdict == "ok"


def test_local_timestamp_authority_gives_pades_b_t(seals, pdf3, settings):
    settings.SIGNING_TSA = "local"
    pdf = apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="x:1").pdf
    report = verify_pdf(pdf)
    assert report.verdict == "ok", report.summary
    assert report.signatures[0].timestamped


def test_validation_data_is_embedded_when_the_chain_is_ours(seals, pdf3, settings):
    pdf = apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="x:1").pdf
    assert b"/DSS" in pdf and b"/CRLs" in pdf
    settings.SIGNING_EMBED_VALIDATION = False
    plain = apply_seals(seals.yj_keeper, pdf3, [place(seals.yj)], purpose_ref="x:2").pdf
    assert b"/DSS" not in plain
