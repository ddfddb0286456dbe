"""What an archived item holds, read from a finished document: its files (the sealed PDF, attachments, the
发文稿纸 / 收文处理笺 and the signed sheet) and its metadata (every 格式要素, the 办理 record, the exchange
evidence of a received document). Pure reading — no writes, no permission checks (``services`` does those).
"""

import hashlib
import io
import logging
import re
from dataclasses import dataclass

from django.utils import timezone

from documents.body import block_text
from documents.checker import date_text
from documents.models import AddresseeKind, Document, IncomingDocument, issuer_mark_of, split_names
from documents.workflow.models import Flow, SheetSignature, SignedSheet, TaskState
from documents.workflow.sealed_models import SealedDocument

from .models import FileKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    kind: str
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _safe(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", name).strip() or "未命名"


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _attachment_parts(document: Document) -> list[Part]:
    parts = []
    for index, attachment in enumerate(document.active_attachments(), start=1):
        name = _safe(attachment.name)
        if attachment.kind and not name.lower().endswith(f".{attachment.kind}"):
            name = f"{name}.{attachment.kind}"
        parts.append(Part(FileKind.ATTACHMENT, f"附件{index:02d}-{name}", _read(attachment.file)))
    return parts


def _page_count(pdf: bytes) -> int | None:
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # an unreadable PDF is still archived; the count is only informative
        return None


# --- files --------------------------------------------------------------------------------------------


def sent_parts(document: Document) -> list[Part]:
    parts = []
    sealed = SealedDocument.objects.filter(document=document, completed_at__isnull=False).first()
    if sealed is not None and sealed.file:
        parts.append(Part(FileKind.SEALED_PDF, "正式文件.pdf", _read(sealed.file)))
    else:
        pdf = _rendered_pdf(document)
        if pdf is not None:
            parts.append(Part(FileKind.SEALED_PDF, "正式文件（无电子印章）.pdf", pdf))
    parts += _attachment_parts(document)
    flow = Flow.objects.filter(document=document).first()
    if flow is not None:
        parts += _sheet_parts(flow, "发文稿纸.pdf")
    return parts


def _rendered_pdf(document: Document) -> bytes | None:
    """A document sealed on paper (no e-seal): the final layout as rendered, so the archive still holds it."""
    try:
        from documents.render import render_pdf

        return render_pdf(document).pdf
    except Exception:
        log.warning("document %s: final PDF could not be rendered for the archive", document.pk, exc_info=True)
        return None


def _package_file_parts(named_parts) -> list[Part]:
    parts = []
    for name, data in named_parts:
        if name == "document.pdf":
            parts.append(Part(FileKind.SEALED_PDF, "正式文件.pdf", data))
        elif name.startswith("attachments/"):
            parts.append(Part(FileKind.ATTACHMENT, "附件" + _safe(name.split("/", 1)[-1]), data))
    return parts


def imported_package(incoming: IncomingDocument) -> tuple[bytes, dict] | None:
    """(the package file as it arrived, its checked content) for a 收文 imported from another system."""
    from documents.exchange import transfer

    original = transfer.original_package(incoming)
    return None if original is None else (original, transfer.read(original))


def received_parts(incoming: IncomingDocument, imported=None) -> list[Part]:
    """The bytes that arrived: the sender's exchange package (sealed PDF and attachments) — for a package
    imported from another system also the package file itself, byte for byte — then the sheet and the 回执."""
    parts = []
    source = incoming.source_document
    if source is not None:
        from documents.exchange import package

        parts += _package_file_parts(package.parts(source))
    elif imported is not None:
        original, content = imported
        parts.append(Part(FileKind.PACKAGE, "交换包原件.zip", original))
        parts += _package_file_parts(content["parts"].items())
    flow = Flow.objects.filter(incoming=incoming).first()
    if flow is not None:
        parts += _sheet_parts(flow, "收文处理笺.pdf")
        parts += receipt_parts(flow)
    return parts


def _delivery_of(flow: Flow | None):
    from documents.exchange.models import Delivery

    if flow is None:
        return None
    return Delivery.objects.filter(incoming_flow_id=flow.pk).select_related("recipient", "sender_unit").first()


def _b64(value) -> str | None:
    import base64

    return base64.b64encode(bytes(value)).decode() if value else None


def _receipt_json(kind: str, delivery, receipt, person: str, at) -> bytes:
    """A 回执 as a file that proves itself without this system: the signed message (which names the package
    hash), the signature and the receiving unit's certificate, in the layout of the exchange's receipts.json."""
    import json

    from documents.exchange import receipts

    data = {
        "format": "oa-exchange-receipt",
        "kind": kind,
        "delivery": delivery.pk,
        "document": delivery.document_id,
        "sender": delivery.sender_unit.name,
        "recipient": delivery.recipient.name,
        "person": person,
        "at": at.isoformat(),
        "package_sha256": receipt.package_sha256,
        "message": receipt.message,
        "signature": _b64(receipt.signature),
        "certificate_der": _b64(receipt.certificate.der) if receipt.certificate_id else None,
        "fingerprint": receipt.certificate.fingerprint if receipt.certificate_id else "",
        "signature_valid_at_archiving": receipts.verify(receipt),
        "algorithm": "sha256",
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def receipt_parts(flow: Flow) -> list[Part]:
    """The 签收回执 and, when one was returned, the 办结回执 of the delivery this 收文 came by."""
    from documents.exchange.models import DoneReceipt, Receipt

    delivery = _delivery_of(flow)
    if delivery is None:
        return []
    parts = []
    receipt = Receipt.objects.filter(delivery=delivery).select_related("certificate").first()
    if receipt is not None:
        data = _receipt_json("签收", delivery, receipt, receipt.clerk_name, receipt.signed_at)
        parts.append(Part(FileKind.RECEIPT, "签收回执.json", data))
    done = DoneReceipt.objects.filter(delivery=delivery).select_related("certificate").first()
    if done is not None:
        data = _receipt_json("办结", delivery, done, done.finisher_name, done.finished_at)
        parts.append(Part(FileKind.DONE_RECEIPT, "办结回执.json", data))
    return parts


def _sheet_parts(flow: Flow, name: str) -> list[Part]:
    from documents.workflow.sheets import render_sheet

    parts = [Part(FileKind.SHEET, name, render_sheet(flow))]
    signed = (
        SignedSheet.objects.filter(flow=flow, status=SheetSignature.SIGNED).exclude(file="").order_by("-id").first()
    )
    if signed is not None:
        parts.append(Part(FileKind.SIGNED_SHEET, "发文稿纸（签发人电子签名）.pdf", _read(signed.file)))
    return parts


# --- metadata -----------------------------------------------------------------------------------------


def _iso(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def format_elements(document: Document) -> dict:
    """The 格式要素 of 《党政机关公文处理工作条例》 第九条 as this system holds them."""
    from documents.render import recipients_text

    issuers = document.ordered_issuers() or [document.owner_unit]
    sealed = SealedDocument.objects.filter(document=document).first()
    seals = []
    pages = None
    if sealed is not None:
        seals = [
            {
                "发文机关": s.unit.name,
                "印章": str(s.seal),
                "用印人": s.actor.get_full_name(),
                "用印时间": _iso(s.sealed_at),
            }
            for s in sealed.issuer_seals.select_related("unit", "seal", "actor")
        ]
        if sealed.file and sealed.completed_at:
            pages = _page_count(_read(sealed.file))
    signature = [line.strip() for line in (document.signature or "").splitlines() if line.strip()]
    return {
        "份号": document.copy_number,
        "密级和保密期限": document.secrecy or "非涉密",
        "紧急程度": document.urgency or "",
        "发文机关标志": issuer_mark_of(issuers[0]),
        "发文机关": [u.name for u in issuers],
        "发文字号": document.doc_number,
        "签发人": split_names(document.signers),
        "标题": document.title,
        "主送机关": recipients_text(document, AddresseeKind.MAIN),
        "正文": "\n".join(block_text(block) for block in document.body or []),
        "附件说明": document.attachment_note,
        "发文机关署名": signature or [u.name for u in issuers],
        "成文日期": date_text(document.written_date),
        "印章": seals,
        "附注": document.note,
        "附件": [a.name for a in document.active_attachments()],
        "抄送机关": recipients_text(document, AddresseeKind.CC),
        "印发机关": document.printer,
        "印发日期": date_text(document.print_date),
        "页码": pages,
        "文种": document.doc_type,
        "行文方向": document.get_direction_display(),
        "公开属性": document.publicity,
    }


def processing_record(flow: Flow | None) -> list[dict]:
    if flow is None:
        return []
    from documents.workflow.engine import acted_label
    from documents.workflow.tables import label

    tasks = flow.tasks.filter(state=TaskState.DONE).select_related("assignee", "acted_by").order_by("decided_at", "id")
    return [
        {
            "环节": label(flow.kind, task.step),
            "办理人": acted_label(task),
            "办理结果": task.get_decision_display(),
            "意见": task.opinion,
            "时间": _iso(task.decided_at),
        }
        for task in tasks
    ]


def sent_metadata(document: Document) -> dict:
    flow = Flow.objects.filter(document=document).first()
    return {
        "来源": "发文",
        "格式要素": format_elements(document),
        "拟稿单位": document.owner_unit.name,
        "拟稿人": document.drafter.get_full_name(),
        "办理过程": processing_record(flow),
        "办结时间": _iso(flow.finished_at) if flow else "",
    }


# The exchange package's metadata.json keys (documents.exchange.package.metadata) → 格式要素 names.
PACKAGE_ELEMENTS = {
    "copy_number": "份号",
    "secrecy": "密级和保密期限",
    "urgency": "紧急程度",
    "issuer": "发文机关",
    "doc_number": "发文字号",
    "signers": "签发人",
    "title": "标题",
    "main_recipients": "主送机关",
    "attachment_note": "附件说明",
    "signature": "发文机关署名",
    "written_date": "成文日期",
    "cc": "抄送机关",
    "printer": "印发机关",
    "print_date": "印发日期",
    "doc_type": "文种",
}


def _imported_evidence(original: bytes, content: dict) -> dict:
    return {
        "来源": "导入交换包（外系统）",
        "交换包原件摘要": hashlib.sha256(original).hexdigest(),
        "交换包原件大小": len(original),
        "交换包摘要": content["package_sha256"],
        "发送方签名": content["signer"] or "无（交换包未签名）",
    }


def received_metadata(incoming: IncomingDocument, imported=None) -> dict:
    flow = Flow.objects.filter(incoming=incoming).first()
    data = {
        "来源": "收文",
        "收文": {
            "标题": incoming.title,
            "来文单位": incoming.sender_name,
            "来文字号": incoming.source_number,
            "文种": incoming.doc_type,
            "紧急程度": incoming.urgency,
            "收文编号": incoming.reg_number,
            "收到时间": _iso(incoming.received_at),
            "办理时限": _iso(incoming.deadline),
        },
        "办理过程": processing_record(flow),
        "办结时间": _iso(flow.finished_at) if flow else "",
    }
    if incoming.source_document_id:
        data["格式要素"] = format_elements(incoming.source_document)
        data["公文交换"] = _exchange_evidence(incoming, flow)
    elif imported is not None:
        original, content = imported
        meta = content["metadata"]
        data["格式要素"] = {label: meta[key] for key, label in PACKAGE_ELEMENTS.items() if key in meta}
        data["公文交换"] = _imported_evidence(original, content)
    return data


def _exchange_evidence(incoming: IncomingDocument, flow: Flow | None) -> dict:
    from documents.exchange import package
    from documents.exchange.models import Delivery, DoneReceipt

    delivery = None
    if flow is not None:
        delivery = Delivery.objects.filter(incoming_flow_id=flow.pk).select_related("receipt").first()
    if delivery is None:
        return {}
    receipt = getattr(delivery, "receipt", None)
    done = DoneReceipt.objects.filter(delivery=delivery).first()
    current = package.package_hash(incoming.source_document)
    report = delivery.seal_report or {}
    return {
        "交换包摘要": delivery.package_sha256,
        "交换包摘要一致": current == delivery.package_sha256,
        "验章结论": report.get("verdict_label") or report.get("verdict") or "",
        "验章报告": report,
        "送达时间": _iso(delivery.delivered_at),
        "签收人": receipt.clerk_name if receipt else "",
        "签收时间": _iso(receipt.signed_at) if receipt else "",
        "回执已签名": bool(receipt and receipt.signature),
        "办结回执人": done.finisher_name if done else "",
        "办结回执时间": _iso(done.finished_at) if done else "",
        "办结回执已签名": bool(done and done.signature),
    }
