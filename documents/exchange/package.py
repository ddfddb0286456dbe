"""The exchange package of a document: its 格式要素 metadata, the sealed PDF and attachments, each part with
its SHA-256, and the package hash = SHA-256 of the canonical manifest. The hash is fixed at dispatch; the
recipient recomputes it on arrival and rejects (flags) a package whose bytes no longer match."""

import hashlib
import json

FORMAT = "oa-exchange-package"
VERSION = 1


def sealed_pdf(document) -> bytes | None:
    """The finished sealed PDF, if the sealing step stored one."""
    try:
        from documents.workflow.sealed_models import SealedDocument
    except ImportError:  # sealing not installed in this build
        return None
    sealed = SealedDocument.objects.filter(document_id=document.pk).first()
    if sealed is None or not sealed.file or getattr(sealed, "completed_at", None) is None:
        return None
    with sealed.file.open("rb") as handle:
        return handle.read()


def expected_seals(document) -> int | None:
    try:
        return max(1, len(document.ordered_issuers()))
    except Exception:  # older documents without issuers: let the verifier count
        return None


def metadata(document) -> dict:
    return {
        "title": document.title,
        "doc_number": document.doc_number,
        "doc_type": document.doc_type,
        "secrecy": document.secrecy,
        "urgency": document.urgency,
        "copy_number": document.copy_number,
        "issuer": document.owner_unit.name,
        "signature": document.signature,
        "signers": document.signers,
        "written_date": document.written_date.isoformat() if document.written_date else "",
        "main_recipients": document.main_recipients_text,
        "cc": document.cc_text,
        "printer": document.printer,
        "print_date": document.print_date.isoformat() if document.print_date else "",
        "attachment_note": document.attachment_note,
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parts(document) -> list[tuple[str, bytes]]:
    """(name in the package, bytes) for the sealed PDF and every attachment."""
    result = []
    pdf = sealed_pdf(document)
    if pdf is not None:
        result.append(("document.pdf", pdf))
    for index, attachment in enumerate(document.attachments.order_by("pk"), start=1):
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError):
            data = b""
        result.append((f"attachments/{index:02d}-{attachment.name}", data))
    return result


def manifest(document, file_parts=None) -> dict:
    file_parts = parts(document) if file_parts is None else file_parts
    meta = json.dumps(metadata(document), ensure_ascii=False, sort_keys=True).encode("utf-8")
    return {
        "format": FORMAT,
        "version": VERSION,
        "document": document.pk,
        "sender_unit": document.owner_unit_id,
        "parts": [{"name": "metadata.json", "sha256": sha256(meta), "size": len(meta)}]
        + [{"name": name, "sha256": sha256(data), "size": len(data)} for name, data in file_parts],
    }


def canonical(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def package_hash(document) -> str:
    return sha256(canonical(manifest(document)))
