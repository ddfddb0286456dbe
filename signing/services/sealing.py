"""用印 and 签名: apply seals to any PDF at given positions, and personal signatures.

``apply_seals`` is called by the 用印 step of a flow that has already checked the thing being sealed was
approved (the caller passes the approver). Here: only the seal's custodian may apply it, the seal must be
active and its certificate valid and not revoked, and every use is written to the 用印登记 and audited.

Joint issuance (联合行文): one call per custodian is fine — each call appends its seals as new signatures
after the existing ones; pass ``lock_after_last=True`` only on the call that applies the last seal.
"""

import hashlib
import threading
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import require
from signing import ca, conf, keystore, pdfsign, seal_image
from signing.models import Certificate, Seal, SealUse, UseKind

MAX_PDF_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class SealPlacement:
    """Where one seal goes: its centre in mm from the page's top-left corner; ``page`` counts from 1.
    Built from the renderer's ``SealSlot(page, x_mm, y_mm, diameter_mm, issuer)``."""

    seal: Seal
    page: int
    x_mm: float
    y_mm: float
    diameter_mm: float | None = None  # default: the seal's own diameter


@dataclass(frozen=True)
class SignaturePlacement:
    """Where a personal signature goes (centre and size in mm; ``page`` from 1)."""

    page: int
    x_mm: float
    y_mm: float
    width_mm: float = 40.0
    height_mm: float = 16.0


@dataclass
class SealedResult:
    pdf: bytes
    uses: list[SealUse] = field(default_factory=list)
    field_names: list[str] = field(default_factory=list)
    locked: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


# --- checks -----------------------------------------------------------------------------------------------


def check_certificate_usable(certificate: Certificate, what: str = "印章") -> None:
    now = timezone.now()
    if certificate.revoked_at is not None:
        raise ServiceError(f"{what}证书已被吊销，不能使用。")
    if not certificate.has_key:
        raise ServiceError(f"{what}证书没有私钥，不能用于签名。")
    if certificate.not_after <= now:
        raise ServiceError(f"{what}证书已过期，请更换证书。")
    if certificate.not_before > now:
        raise ServiceError(f"{what}证书尚未生效。")
    issuer = certificate.issuer
    while issuer is not None:
        if issuer.revoked_at is not None or issuer.not_after <= now:
            raise ServiceError(f"{what}证书的签发机构证书已失效，不能使用。")
        issuer = issuer.issuer


def check_seal_usable(seal: Seal) -> None:
    if not seal.is_active:
        raise ServiceError(f"印章“{seal.name}”已停用。")
    check_certificate_usable(seal.certificate)


def _check_pdf(pdf_bytes: bytes):
    if not pdf_bytes or b"%PDF-" not in pdf_bytes[:1024]:
        raise ServiceError("用印的文件不是 PDF。")
    if len(pdf_bytes) > MAX_PDF_BYTES:
        raise ServiceError("文件太大，无法用印。")
    try:
        writer = pdfsign.open_for_update(pdf_bytes)
        if "/Encrypt" in writer.prev.trailer:
            raise ServiceError("文件已加密，无法用印。")
        return writer
    except ServiceError:
        raise
    except Exception as exc:
        raise ServiceError("PDF 文件已损坏，无法用印。") from exc


def _check_purpose(purpose_ref: str) -> str:
    purpose_ref = (purpose_ref or "").strip()
    if not purpose_ref or len(purpose_ref) > 120:
        raise ServiceError("请说明用印对象（purpose_ref，最长 120 个字符）。")
    return purpose_ref


# --- timestamp authority and validation data --------------------------------------------------------------

_tsa_cache: dict = {}
_tsa_lock = threading.Lock()


def timestamper():
    """None, the local TSA (our TSA certificate, PAdES-B-T) or an RFC 3161 server, from OA_SIGNING_TSA."""
    setting = conf.tsa()
    if not setting:
        return None
    if setting != "local":
        return HTTPTimeStamper(setting, timeout=10)
    tsa_cert = ca.ensure_tsa_certificate()
    cached = _tsa_cache.get(tsa_cert.pk)
    if cached is None:
        signer = keystore.signer_for(tsa_cert)
        cached = DummyTimeStamper(
            tsa_cert=signer.signing_cert,
            tsa_key=signer.signing_key,
            certs_to_embed=SimpleCertificateStore.from_certs(list(signer.cert_registry)),
        )
        with _tsa_lock:
            _tsa_cache[tsa_cert.pk] = cached
    return cached


def _validation_context_for(certificates: list[Certificate]):
    """B-LT needs the whole chain and its CRLs: only when every certificate chains to a trusted root."""
    if not conf.embed_validation():
        return None
    for certificate in certificates:
        top = certificate
        while top.issuer_id is not None:
            top = top.issuer
        if not top.is_trust_anchor:
            return None
    from signing.verify import validation_context

    return validation_context()


# --- 用印 -------------------------------------------------------------------------------------------------


def apply_seals(
    actor,
    pdf_bytes: bytes,
    placements: list[SealPlacement],
    *,
    reason: str = "",
    purpose_ref: str,
    approved_by=None,
    lock_after_last: bool = True,
) -> SealedResult:
    """Apply ``placements`` in order (one PAdES signature each) and log every use in the 用印登记.

    All seals are approval signatures; with ``lock_after_last`` the last one locks the file against any
    change (field /Lock, P=1). The first is deliberately not a certification signature: after one,
    pyHanko's difference analysis (like the PDF spec's P=2) refuses new *visible* signature fields, so the
    co-issuers' seals would invalidate it. Earlier seals are protected instead by the verifier's rule that
    nothing but later signatures may follow them. Raises ``PermissionDeniedError``
    unless ``actor`` is the custodian of every seal, ``ServiceError`` for an unusable seal or file."""
    if not placements:
        raise ServiceError("没有要加盖的印章。")
    purpose_ref = _check_purpose(purpose_ref)
    seals = {p.seal.pk: p.seal for p in placements}
    for seal in seals.values():
        require(actor, "signing.apply_seal", seal, f"只有“{seal.name}”的印章管理员可以使用该印章。")
        check_seal_usable(seal)
    writer = _check_pdf(pdf_bytes)
    if pdfsign.is_locked(writer):
        raise ServiceError("文件已锁定（已加盖最后一枚印章），不能再用印。")
    existing = len(pdfsign.existing_signatures(writer))
    pages = pdfsign.page_count(writer)
    for p in placements:
        if not 1 <= p.page <= pages:
            raise ServiceError(f"印章位置的页码 {p.page} 超出范围（文件共 {pages} 页）。")

    context = _validation_context_for([s.certificate for s in seals.values()])
    tsa = timestamper()
    pdf = pdf_bytes
    fields = []
    for i, p in enumerate(placements):
        diameter = float(p.diameter_mm or p.seal.diameter_mm)
        field_name = f"Seal{existing + i + 1}-{p.seal.pk}"
        try:
            pdf = pdfsign.sign(
                pdf,
                signer=keystore.signer_for(p.seal.certificate),
                field_name=field_name,
                box=pdfsign.Box(p.page, p.x_mm, p.y_mm, diameter, diameter),
                appearance=seal_appearance(p.seal),
                reason=reason,
                name=p.seal.name,
                lock=lock_after_last and i == len(placements) - 1,
                timestamper=tsa,
                validation_context=context,
            )
        except pdfsign.PlacementError as exc:
            raise ServiceError(str(exc)) from exc
        fields.append(field_name)

    result = SealedResult(pdf=pdf, field_names=fields, locked=lock_after_last)
    digest = result.sha256
    with transaction.atomic():
        # Re-read under lock: a seal revoked or deactivated while we were signing is not used.
        locked = {s.pk: s for s in Seal.objects.select_for_update().select_related("certificate").filter(pk__in=seals)}
        for seal in locked.values():
            check_seal_usable(seal)
        for i, (p, field_name) in enumerate(zip(placements, fields, strict=True)):
            use = SealUse.objects.create(
                kind=UseKind.SEAL,
                seal=p.seal,
                certificate=p.seal.certificate,
                actor=actor,
                approved_by=approved_by,
                purpose_ref=purpose_ref,
                reason=reason[:200],
                page=p.page,
                x_mm=Decimal(str(round(p.x_mm, 2))),
                y_mm=Decimal(str(round(p.y_mm, 2))),
                field_name=field_name,
                order=existing + i + 1,
                result_sha256=digest,
            )
            result.uses.append(use)
            record(
                actor,
                "signing.apply_seal",
                p.seal,
                after={
                    "purpose_ref": purpose_ref,
                    "approved_by": getattr(approved_by, "pk", None),
                    "page": p.page,
                    "field": field_name,
                    "sha256": digest,
                    "locked": bool(lock_after_last and i == len(placements) - 1),
                },
                summary=f"用印：{p.seal.name}（{purpose_ref}）",
            )
    return result


def seal_appearance(seal: Seal) -> pdfsign.Appearance:
    if seal.vector_ops:
        return pdfsign.Appearance(vector_ops=seal.vector_ops)
    return pdfsign.Appearance(png=bytes(seal.image_png))


# --- 个人签名 ---------------------------------------------------------------------------------------------


def sign_personal(
    actor,
    pdf_bytes: bytes,
    placement: SignaturePlacement,
    handwriting_png: bytes | None = None,
    *,
    reason: str = "签发",
    purpose_ref: str = "",
    lock: bool = False,
) -> SealedResult:
    """Sign with ``actor``'s own personal certificate (签发人); the handwriting, when given, is the visible
    appearance, otherwise the name in 楷体."""
    certificate = ca.personal_certificate_of(actor)
    if certificate is None:
        raise ServiceError("您没有有效的个人签名证书，请联系安全管理员办理。")
    require(actor, "signing.sign_personal", certificate, "只能使用本人的签名证书。")
    check_certificate_usable(certificate, "签名")
    purpose_ref = _check_purpose(purpose_ref or "signing.personal")
    if handwriting_png is not None:
        try:
            png = seal_image.validate_handwriting_png(handwriting_png)
        except seal_image.SealImageError as exc:
            raise ServiceError(exc.args[0]) from exc
        appearance = pdfsign.Appearance(png=png)
    else:
        width, height = seal_image.NAME_BOX
        appearance = pdfsign.Appearance(
            vector_ops=seal_image.name_vector_ops(actor.get_full_name()), width=width, height=height
        )
    writer = _check_pdf(pdf_bytes)
    if pdfsign.is_locked(writer):
        raise ServiceError("文件已锁定，不能再签名。")
    existing = len(pdfsign.existing_signatures(writer))
    field_name = f"Sign{existing + 1}-{certificate.pk}"
    try:
        pdf = pdfsign.sign(
            pdf_bytes,
            signer=keystore.signer_for(certificate),
            field_name=field_name,
            box=pdfsign.Box(placement.page, placement.x_mm, placement.y_mm, placement.width_mm, placement.height_mm),
            appearance=appearance,
            reason=reason,
            name=actor.get_full_name(),
            lock=lock,
            timestamper=timestamper(),
            validation_context=_validation_context_for([certificate]),
        )
    except pdfsign.PlacementError as exc:
        raise ServiceError(str(exc)) from exc
    result = SealedResult(pdf=pdf, field_names=[field_name], locked=lock)
    with transaction.atomic():
        use = SealUse.objects.create(
            kind=UseKind.PERSONAL,
            certificate=certificate,
            actor=actor,
            purpose_ref=purpose_ref,
            reason=reason[:200],
            page=placement.page,
            x_mm=Decimal(str(round(placement.x_mm, 2))),
            y_mm=Decimal(str(round(placement.y_mm, 2))),
            field_name=field_name,
            order=existing + 1,
            result_sha256=result.sha256,
        )
        result.uses.append(use)
        record(
            actor,
            "signing.sign_personal",
            certificate,
            after={"purpose_ref": purpose_ref, "page": placement.page, "field": field_name, "sha256": result.sha256},
            summary=f"个人签名：{actor.get_full_name()}（{purpose_ref}）",
        )
    return result
