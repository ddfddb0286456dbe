"""A leader's 签发 on the processing sheet, signed with their personal certificate (the handwriting as the
signature's appearance, placed on their 签发 opinion of the 发文稿纸).

When: after the approval has committed (``transaction.on_commit``), deliberately not inside it. The 签发
is the legal act and is complete once recorded; the signature is evidence derived from it. Signing may
call a remote time-stamp authority and must neither hold the flow's row lock meanwhile nor undo the
签发 when it fails: a failure (or a leader without a certificate) leaves a ``SignedSheet`` row saying so,
shown on the flow page, plus an audit event, and ``sign_again`` lets the signer retry later.

代签: the deputy who acted signs with their own certificate; the sheet says "（代签 …）" for the opinion.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from oa.audit.models import Result
from oa.audit.services import record
from oa.core.errors import PermissionDeniedError, ServiceError
from signing import ca
from signing.services import SignaturePlacement, sign_personal

from .models import Decision, Flow, FlowKind, FlowTask, SheetSignature, SignedSheet
from .sheets import layout_sheet

log = logging.getLogger(__name__)

SIGNOFF_STEPS = ("signoff", "recheck")
ACTION = "documents.flow.sign_sheet"


def purpose_ref(flow: Flow) -> str:
    return f"documents.document:{flow.document_id}"


def schedule(task: FlowTask) -> None:
    """Called inside the approving transaction: sign the sheet once the 签发 has committed."""
    task_id = task.pk
    transaction.on_commit(lambda: sign_after_commit(task_id))


def sign_after_commit(task_id: int) -> SignedSheet | None:
    """Never raises: the 签发 is already committed; whatever happens here is recorded on the sheet row."""
    try:
        return _sign(task_id)
    except Exception:  # a bug or an outage must not turn a committed 签发 into an error page
        log.exception("signing the processing sheet of task %s failed", task_id)
        return _record_failure(task_id, "签名服务出错，稿纸未签名，请稍后重新签名。")


def latest_for(flow: Flow) -> SignedSheet | None:
    if flow.kind != FlowKind.OUTGOING:
        return None
    return flow.signed_sheets.select_related("signer", "task").order_by("-id").first()


def sign_again(actor, flow: Flow) -> SignedSheet:
    """Retry an unsigned sheet (e.g. after the certificate was issued): only the person who signed off."""
    sheet = latest_for(flow)
    if sheet is None:
        raise ServiceError("该公文尚未签发。")
    if sheet.signer_id != actor.pk:
        raise PermissionDeniedError("只有签发人本人可以对发文稿纸签名。")
    if sheet.signed:
        raise ServiceError("发文稿纸已经签名。")
    SignedSheet.objects.filter(pk=sheet.pk, status__in=(SheetSignature.NO_CERTIFICATE, SheetSignature.FAILED)).delete()
    result = sign_after_commit(sheet.task_id)
    if result is None or not result.signed:
        raise ServiceError((result.note if result else "") or "签名未成功。")
    return result


def _signoff_task(task_id: int) -> FlowTask | None:
    return (
        FlowTask.objects.select_related("flow__document", "assignee", "acted_by")
        .filter(pk=task_id, step__in=SIGNOFF_STEPS, decision=Decision.APPROVE, flow__kind=FlowKind.OUTGOING)
        .first()
    )


def _sign(task_id: int) -> SignedSheet | None:
    task = _signoff_task(task_id)
    if task is None or SignedSheet.objects.filter(task_id=task_id).exists():
        return None
    flow, signer = task.flow, task.acted_by or task.assignee
    deputy = task.by_delegation
    document = flow.document
    if ca.personal_certificate_of(signer) is None:
        note = f"{signer.get_full_name()}没有有效的个人签名证书，发文稿纸未作电子签名（签发本身已生效）。"
        sheet = SignedSheet.objects.create(
            flow=flow, task=task, signer=signer, by_delegation=deputy, status=SheetSignature.NO_CERTIFICATE, note=note
        )
        _audit(signer, flow, sheet, Result.FAILURE, note)
        return sheet
    layout = layout_sheet(flow, blank_for=task.pk)
    box = layout.boxes[task.pk]
    png = bytes(task.handwriting_png) if task.handwriting_png else None
    try:
        result = sign_personal(
            signer,
            layout.pdf,
            SignaturePlacement(box.page, box.x_mm, box.y_mm, width_mm=box.width_mm, height_mm=box.height_mm),
            png,
            reason=f"代签（{task.assignee.get_full_name()}）" if deputy else "签发",
            purpose_ref=purpose_ref(flow),
        )
    except ServiceError as exc:
        return _record_failure(task_id, f"稿纸签名失败：{exc.message}")
    with transaction.atomic():
        sheet = SignedSheet(
            flow=flow,
            task=task,
            signer=signer,
            by_delegation=deputy,
            status=SheetSignature.SIGNED,
            sha256=result.sha256,
            field_name=result.field_names[0],
        )
        sheet.file.save(f"签发稿纸-{document.pk}-{task.pk}.pdf", ContentFile(result.pdf), save=False)
        sheet.save()
        by = f"（代签 {task.assignee.get_full_name()}）" if deputy else ""
        _audit(
            signer, flow, sheet, Result.SUCCESS, f"发文稿纸电子签名：{signer.get_full_name()}{by}《{document.title}》"
        )
    return sheet


def _record_failure(task_id: int, note: str) -> SignedSheet | None:
    task = _signoff_task(task_id)
    if task is None:
        return None
    signer = task.acted_by or task.assignee
    sheet, created = SignedSheet.objects.get_or_create(
        task=task,
        defaults={
            "flow": task.flow,
            "signer": signer,
            "by_delegation": task.by_delegation,
            "status": SheetSignature.FAILED,
            "note": note[:300],
        },
    )
    if created:
        _audit(signer, task.flow, sheet, Result.FAILURE, note)
    return sheet


def _audit(actor, flow: Flow, sheet: SignedSheet, result: str, summary: str) -> None:
    record(
        actor,
        ACTION,
        flow.document,
        result=result,
        after={"flow": flow.pk, "task": sheet.task_id, "status": sheet.status, "sha256": sheet.sha256},
        summary=summary[:200],
    )


def sheet_pdf(sheet: SignedSheet) -> bytes:
    with sheet.file.open("rb") as handle:
        return handle.read()
