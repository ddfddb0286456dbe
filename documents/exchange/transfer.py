"""Exchange package files, for units on another system (files or API). A zip holding:

* ``manifest.json`` — {"format": "oa-exchange-package", "version": 1, "document", "sender_unit",
  "parts": [{"name", "sha256", "size"}, …]} (see ``package.manifest``);
* ``metadata.json`` — the 格式要素 (title, 发文字号, 文种, 密级, 紧急程度, 发文机关, 成文日期, 主送, 抄送, …);
* ``document.pdf`` — the sealed PDF, when there is one; ``attachments/NN-name`` — the attachments;
* ``signature.json`` — the sender unit's seal certificate (DER, base64) and its signature over the exact
  bytes of ``manifest.json`` (absent when the unit holds no seal key).
* ``receipts.json`` — only in the sender's export (the tracking board's 导出交换包): every 回执 returned
  so far, ``[{"delivery", "recipient", "kind": "签收"|"办结", "person", "at", "package_sha256", "message",
  "signature" (base64 or null), "certificate_der" (base64 or null), "fingerprint"}]``. Each signature is over
  ``message`` (which names the package hash) with the recipient unit's seal certificate, so the proof can be
  checked without this system. Not part of the manifest: the package hash does not depend on it.

``read`` checks every part's SHA-256 against the manifest and the signature over the manifest; a package that
fails is refused, never half-imported. An imported package file is kept as it arrived (``original_package``)."""

import base64
import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from oa.audit.services import record
from oa.core.errors import PermissionDeniedError, ServiceError

from . import access, package, receipts

MAX_PACKAGE_BYTES = 100 * 1024 * 1024
MANIFEST, METADATA, SIGNATURE, RECEIPTS = "manifest.json", "metadata.json", "signature.json", "receipts.json"
IMPORTS_DIR = "exchange/imports"  # the original package files of imported 收文, one folder per IncomingDocument


def _b64(value) -> str | None:
    return base64.b64encode(bytes(value)).decode() if value else None


def receipts_of(document) -> list[dict]:
    """Every 签收 and 办结 回执 of the document's deliveries, with what is needed to check each signature."""
    from .models import DoneReceipt, Receipt

    result = []
    signed = Receipt.objects.filter(delivery__document=document).select_related("delivery__recipient", "certificate")
    done = DoneReceipt.objects.filter(delivery__document=document).select_related("delivery__recipient", "certificate")
    for kind, rows, person, at in (
        ("签收", signed, "clerk_name", "signed_at"),
        ("办结", done, "finisher_name", "finished_at"),
    ):
        for receipt in rows.order_by("delivery_id"):
            result.append(
                {
                    "delivery": receipt.delivery_id,
                    "recipient": receipt.delivery.recipient.name,
                    "kind": kind,
                    "person": getattr(receipt, person),
                    "at": getattr(receipt, at).isoformat(),
                    "package_sha256": receipt.package_sha256,
                    "message": receipt.message,
                    "signature": _b64(receipt.signature),
                    "certificate_der": _b64(receipt.certificate.der) if receipt.certificate else None,
                    "fingerprint": receipt.certificate.fingerprint if receipt.certificate else "",
                }
            )
    return sorted(result, key=lambda r: (r["delivery"], r["kind"] != "签收"))


def export(document, *, with_receipts: bool = False) -> bytes:
    file_parts = package.parts(document)
    meta = json.dumps(package.metadata(document), ensure_ascii=False, sort_keys=True).encode("utf-8")
    manifest_bytes = package.canonical(package.manifest(document, file_parts))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(METADATA, meta)
        for name, data in file_parts:
            archive.writestr(name, data)
        certificate, signature = receipts.sign(document.owner_unit, manifest_bytes.decode("utf-8"))
        if signature is not None:
            archive.writestr(
                SIGNATURE,
                json.dumps(
                    {
                        "algorithm": "sha256",
                        "certificate_der": base64.b64encode(bytes(certificate.der)).decode(),
                        "fingerprint": certificate.fingerprint,
                        "signature": base64.b64encode(signature).decode(),
                    }
                ),
            )
        if with_receipts:
            archive.writestr(RECEIPTS, json.dumps(receipts_of(document), ensure_ascii=False, indent=1))
    return out.getvalue()


def _verify_signature(manifest_bytes: bytes, raw: bytes) -> str:
    """The signer's certificate subject; refuses a bad signature."""
    from types import SimpleNamespace

    from cryptography.x509 import load_der_x509_certificate

    try:
        data = json.loads(raw)
        der = base64.b64decode(data["certificate_der"])
        signature = base64.b64decode(data["signature"])
        subject = load_der_x509_certificate(der).subject.rfc4514_string()
    except (ValueError, KeyError, TypeError):
        raise ServiceError("交换包签名格式不正确。") from None
    fake = SimpleNamespace(
        certificate=SimpleNamespace(der=der), signature=signature, message=manifest_bytes.decode("utf-8")
    )
    if not receipts.verify(fake):
        raise ServiceError("交换包签名无效：清单在签名后被改动，或签名与证书不符。")
    return subject


def read(data: bytes) -> dict:
    """{"manifest", "metadata", "parts": {name: bytes}, "signer"} after every check passed."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise ServiceError("交换包过大。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        manifest_bytes = archive.read(MANIFEST)
        manifest = json.loads(manifest_bytes)
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise ServiceError("不是有效的交换包（缺少或无法读取 manifest.json）。") from None
    if manifest.get("format") != package.FORMAT or manifest.get("version") != package.VERSION:
        raise ServiceError("交换包格式或版本不受支持。")
    parts = {}
    for part in manifest.get("parts", []):
        name = str(part.get("name", ""))
        if name not in names:
            raise ServiceError(f"交换包缺少文件：{name}")
        content = archive.read(name)
        if package.sha256(content) != part.get("sha256"):
            raise ServiceError(f"交换包文件“{name}”的摘要不符，已拒收。")
        parts[name] = content
    signer = _verify_signature(manifest_bytes, archive.read(SIGNATURE)) if SIGNATURE in names else ""
    try:
        metadata = json.loads(parts[METADATA])
    except (KeyError, ValueError):
        raise ServiceError("交换包缺少格式要素（metadata.json）。") from None
    return {
        "manifest": manifest,
        "metadata": metadata,
        "parts": parts,
        "signer": signer,
        "package_sha256": package.sha256(package.canonical(manifest)),
    }


def import_package(actor, data: bytes, *, unit):
    """A package from another system arrives at ``unit``: checked, then registered as 收文 (the 收文 flow
    starts with the unit's 收发员). Returns the flow."""
    from documents.workflow import incoming

    if not access.can_act(actor, unit.pk):
        raise PermissionDeniedError("只有本单位收发员可以导入交换包。")
    content = read(data)
    meta = content["metadata"]
    stored = None
    try:
        with transaction.atomic():
            flow = incoming.receive(
                actor,
                unit=unit,
                title=str(meta.get("title", "")),
                sender_name=str(meta.get("issuer", "")),
                doc_type=str(meta.get("doc_type", ""))[:4],
                source_number=str(meta.get("doc_number", ""))[:60],
                urgency=meta.get("urgency", "") if meta.get("urgency") in ("特急", "加急") else "",
            )
            # The exact bytes that arrived are kept: the archive freezes them with the 收文 (documents.archive).
            digest = package.sha256(data)
            stored = default_storage.save(f"{IMPORTS_DIR}/{flow.incoming_id}/{digest}.zip", ContentFile(data))
            record(
                actor,
                "exchange.import",
                unit,
                after={
                    "package_sha256": content["package_sha256"],
                    "flow": flow.pk,
                    "signer": content["signer"],
                    "incoming": flow.incoming_id,
                    "original": stored,
                    "original_sha256": digest,
                    "original_size": len(data),
                },
                summary=f"导入交换包《{meta.get('title', '')}》",
            )
    except BaseException:
        if stored is not None:
            default_storage.delete(stored)
        raise
    return flow


def original_package(incoming) -> bytes | None:
    """The package file an imported 收文 arrived as, byte for byte; None for a 收文 that was not imported.
    The digest recorded (in the audit trail) at import must still match, else the file is refused."""
    from oa.audit.models import AuditEvent

    event = AuditEvent.objects.filter(action="exchange.import", after__incoming=incoming.pk).order_by("-seq").first()
    after = (event.after or {}) if event is not None else {}
    if not after.get("original"):
        return None
    try:
        with default_storage.open(after["original"], "rb") as handle:
            data = handle.read()
    except OSError:
        raise ServiceError("导入的交换包原件缺失，请联系系统管理员。") from None
    if package.sha256(data) != after.get("original_sha256"):
        raise ServiceError("导入的交换包原件与导入时的摘要不符，已被改动，请联系系统管理员。")
    return data
