"""The seal registry: creating seals (with their certificate and image), custodians, images, revocation,
and importing a unit's PKCS#12."""

from django.db import transaction

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.org.models import Role
from oa.permissions import has_role, require
from signing import ca, keystore, seal_image
from signing.models import Certificate, CertKind, ImageSource, Seal, SealKind


def _seal_name(unit, kind: str, special_name: str) -> str:
    return f"{unit.name}（{special_name or '公章'}）" if kind == SealKind.SPECIAL else f"{unit.name}（公章）"


def create_seal(
    actor,
    unit,
    *,
    kind: str = SealKind.OFFICIAL,
    special_name: str = "",
    custodians=(),
    image_png: bytes | None = None,
    certificate: Certificate | None = None,
    diameter_mm: float = 42,
) -> Seal:
    """Register a seal for ``unit``. Without ``certificate`` the internal CA issues one; without
    ``image_png`` the red round seal is generated. ``actor=None`` is the system (seeding)."""
    require(actor, "signing.manage_seals", unit, "只有本单位的单位管理员或安全管理员可以登记印章。")
    special_name = special_name.strip()
    if kind == SealKind.SPECIAL and not special_name:
        raise ServiceError("专用章需要填写名称，如 合同专用章。", field="special_name")
    if kind == SealKind.OFFICIAL:
        special_name = ""
        if Seal.objects.filter(unit=unit, kind=SealKind.OFFICIAL, is_active=True).exists():
            raise ServiceError("该单位已有启用的公章；请先停用旧公章。")
    if len(special_name) > 12:
        raise ServiceError("专用章名称不能超过 12 个字。", field="special_name")
    if certificate is not None and (certificate.kind != CertKind.SEAL or certificate.unit_id != unit.pk):
        raise ServiceError("所选证书不是本单位的印章证书。", field="certificate")
    png = None
    if image_png is not None:
        try:
            png = seal_image.validate_uploaded_png(image_png)
        except seal_image.SealImageError as exc:
            raise ServiceError(exc.args[0], field="image") from exc
    custodians = list(custodians)
    _check_custodians(unit, custodians)
    name = _seal_name(unit, kind, special_name)
    vector_ops = "" if png else seal_image.seal_vector_ops(unit.name, special_name)
    if png is None:
        png = seal_image.render_png(vector_ops)
    with transaction.atomic():
        if certificate is None:
            certificate = ca.issue_seal_certificate(unit, name)
        seal = Seal.objects.create(
            unit=unit,
            kind=kind,
            name=name,
            special_name=special_name,
            certificate=certificate,
            diameter_mm=diameter_mm,
            image_source=ImageSource.UPLOADED if image_png is not None else ImageSource.GENERATED,
            vector_ops=vector_ops,
            image_png=png,
            created_by=actor,
        )
        seal.custodians.set(custodians)
        record(
            actor or "系统",
            "signing.create_seal",
            seal,
            after={
                "unit": unit.pk,
                "kind": kind,
                "certificate": certificate.fingerprint,
                "custodians": [p.pk for p in custodians],
            },
            summary=f"登记印章：{name}",
        )
    return seal


def _check_custodians(unit, people) -> None:
    for person in people:
        if not has_role(person, Role.SEAL_KEEPER, unit.pk):
            raise ServiceError(f"{person.get_full_name()} 不是本单位的印章管理员。", field="custodians")


def set_custodians(actor, seal: Seal, people) -> Seal:
    require(actor, "signing.manage_seals", seal.unit, "只有本单位的单位管理员或安全管理员可以指定印章管理员。")
    people = list(people)
    _check_custodians(seal.unit, people)
    with transaction.atomic():
        before = sorted(seal.custodians.values_list("pk", flat=True))
        seal.custodians.set(people)
        record(actor, "signing.set_custodians", seal, before={"custodians": before},
               after={"custodians": sorted(p.pk for p in people)}, summary=f"指定印章管理员：{seal.name}")  # fmt: skip
    return seal


def replace_image(actor, seal: Seal, image_png: bytes | None) -> Seal:
    """Upload a PNG with transparency, or (``None``) go back to the generated image."""
    require(actor, "signing.manage_seals", seal.unit, "只有本单位的单位管理员或安全管理员可以更换印章图样。")
    if image_png is None:
        vector_ops = seal_image.seal_vector_ops(seal.unit.name, seal.special_name)
        png, source = seal_image.render_png(vector_ops), ImageSource.GENERATED
    else:
        try:
            png, vector_ops, source = seal_image.validate_uploaded_png(image_png), "", ImageSource.UPLOADED
        except seal_image.SealImageError as exc:
            raise ServiceError(exc.args[0], field="image") from exc
    with transaction.atomic():
        seal.image_png, seal.vector_ops, seal.image_source = png, vector_ops, source
        seal.save(update_fields=["image_png", "vector_ops", "image_source"])
        record(
            actor, "signing.replace_seal_image", seal, after={"source": source}, summary=f"更换印章图样：{seal.name}"
        )
    return seal


def deactivate_seal(actor, seal: Seal) -> Seal:
    require(actor, "signing.manage_seals", seal.unit, "只有本单位的单位管理员或安全管理员可以停用印章。")
    with transaction.atomic():
        seal.is_active = False
        seal.save(update_fields=["is_active"])
        record(actor, "signing.deactivate_seal", seal, before={"is_active": True}, after={"is_active": False},
               summary=f"停用印章：{seal.name}")  # fmt: skip
    return seal


def revoke_certificate(actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke (the CRL is re-published at once): seals on this certificate can no longer be applied and
    the verifier reports documents sealed with it as untrusted."""
    require(actor, "signing.revoke_certificate", certificate.unit if certificate.unit_id else None,
            "只有安全管理员或本单位的单位管理员可以吊销证书。")  # fmt: skip
    if certificate.unit_id is None:
        require(actor, "signing.trust_root", None, "只有安全管理员可以吊销证书机构证书。")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写吊销原因。", field="reason")
    with transaction.atomic():
        certificate = ca.revoke(certificate, reason)
        record(
            actor,
            "signing.revoke_certificate",
            certificate,
            after={"reason": reason},
            summary=f"吊销证书：{certificate.subject}",
        )
    return certificate


def import_pkcs12(
    actor, unit, data: bytes, password: str, *, kind: str = CertKind.SEAL, person=None, trust_root=False
) -> Certificate:
    """A unit brings its own certificate from an external CA (PKCS#12). Trusting that CA's root is the
    安全管理员's decision (``trust_root``)."""
    require(actor, "signing.manage_seals", unit, "只有本单位的单位管理员或安全管理员可以导入证书。")
    if trust_root:
        require(actor, "signing.trust_root", None, "只有安全管理员可以信任外部证书机构。")
    if kind not in (CertKind.SEAL, CertKind.PERSONAL):
        raise ServiceError("只能导入印章证书或个人签名证书。")
    try:
        with transaction.atomic():
            certificate = ca.import_pkcs12(data, password, kind=kind, unit=unit, person=person, trust_root=trust_root)
            record(actor, "signing.import_certificate", certificate, after={"fingerprint": certificate.fingerprint,
                   "trust_root": trust_root}, summary=f"导入证书：{certificate.subject}")  # fmt: skip
    except ca.CertificateImportError as exc:
        raise ServiceError(exc.args[0], field="file") from exc
    keystore.forget_cached(certificate)
    return certificate
