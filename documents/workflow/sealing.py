"""用印 of a 发文 at 待用印: the final PDF (no watermark) gets each 发文机关's official seal at the renderer's
seal slot, applied by that seal's custodian through ``signing.services.apply_seals``.

联合行文: every co-issuer's custodian applies their own seal, one call each, in issuing order; the file
is kept between calls (``SealedDocument``) and only the last seal locks it. The flow moves on to 分发
(``outgoing.mark_sealed``) after the last seal. Anyone with an open 用印 task or a seal to apply is told
so through their todo list: after each seal the next issuer's custodians get the task.
"""

import hashlib
import logging

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.errors import PermissionDeniedError, ServiceError
from signing.models import Seal, SealKind
from signing.services import SealPlacement, apply_seals, verify_pdf

from .. import render
from ..models import Document
from . import actors, engine, outgoing
from .models import Decision, Flow, FlowKind, TaskState
from .sealed_models import IssuerSeal, SealedDocument

log = logging.getLogger(__name__)

ACTION = "document.sealed"
VERIFY_CACHE_SECONDS = 300


def purpose_ref(document: Document) -> str:
    return f"documents.document:{document.pk}"


def official_seal_of(unit) -> Seal | None:
    return (
        Seal.objects.filter(unit=unit, kind=SealKind.OFFICIAL, is_active=True)
        .select_related("certificate", "unit")
        .first()
    )


def sealed_of(document: Document) -> SealedDocument | None:
    return SealedDocument.objects.filter(document=document).first()


def _refuse(actor, document: Document, error: ServiceError):
    record_outside(actor, ACTION, document, result=Result.DENIED, summary=error.message[:200])
    raise error


def _is_custodian(actor, seal: Seal | None) -> bool:
    return seal is not None and seal.custodians.filter(pk=actor.pk).exists()


def _check_turn(actor, document: Document, issuers, done: int) -> Seal:
    """The seal ``actor`` applies now: the official seal of the next issuer, which they must keep."""
    unit = issuers[done]
    seal = official_seal_of(unit)
    if _is_custodian(actor, seal):
        return seal
    for position, other in enumerate(issuers):
        if position != done and _is_custodian(actor, official_seal_of(other)):
            if position < done:
                _refuse(actor, document, ServiceError(f"“{other.name}”已经加盖印章，不能重复用印。"))
            _refuse(
                actor,
                document,
                ServiceError(f"联合行文须按发文机关顺序用印：请等待“{unit.name}”先加盖印章。"),
            )
    if seal is None:
        _refuse(
            actor,
            document,
            ServiceError(f"“{unit.name}”尚未登记可用的公章，请联系印章管理员或单位管理员登记电子印章。"),
        )
    _refuse(actor, document, PermissionDeniedError(f"您不是“{seal.name}”的印章管理员，不能用印。"))
    raise AssertionError("unreachable")


def _seal_slots(document: Document, issuers):
    result = render.render_pdf(document)
    slots = [s for s in result.seal_slots if s.kind == "seal"]
    if not slots:
        raise ServiceError("该公文版式不加盖印章，无需用印。")
    if len(slots) != len(issuers):
        raise ServiceError(f"排版得到 {len(slots)} 个印章位置，与发文机关数（{len(issuers)}）不符，请检查署名。")
    return result.pdf, [
        {"page": s.page, "x_mm": s.x_mm, "y_mm": s.y_mm, "diameter_mm": s.diameter_mm, "issuer": s.issuer}
        for s in slots
    ]


def _hand_on(flow: Flow, actor, next_unit) -> None:
    """A co-issuer sealed: the 用印 task passes to the next issuer's custodians (or its seal keepers)."""
    for task in engine.open_tasks(flow, "sealing"):
        if task.assignee_id == actor.pk:
            engine.close(task, Decision.APPROVE, actor, opinion="已用印")
        else:
            engine.close(task, Decision.SUPERSEDED, actor, state=TaskState.CANCELLED)
    seal = official_seal_of(next_unit)
    people = [p for p in seal.custodians.filter(is_active=True)] if seal else []
    people = people or actors.default_actors(next_unit, FlowKind.OUTGOING, "sealing")
    if people:
        engine.assign(flow, "sealing", people, actor, pool=f"seal:{next_unit.pk}", role_note=next_unit.short_name)


def _ensure_own_task(flow: Flow, actor) -> None:
    """``mark_sealed`` needs the actor's open 用印 task: the last custodian may not have been given one
    (the 待用印 task went to the unit's 收发员); theirs replaces the others."""
    own = list(engine.open_tasks(flow, "sealing").filter(assignee=actor))
    if not own:
        own = engine.assign(flow, "sealing", [actor], actor, role_note="用印")
    engine.cancel_open(flow, actor, Decision.SUPERSEDED, step="sealing", exclude=own)


def seal_document(actor, document: Document) -> SealedDocument:
    """Apply the next issuer's official seal (the one ``actor`` keeps) to the approved, numbered document.
    The last issuer's seal locks the file and sends the flow on to 分发."""
    flow = outgoing.flow_of(document)
    if flow is None or flow.state != "sealing":
        _refuse(actor, document, ServiceError("该公文当前不在待用印环节（须已签发并编号），不能用印。"))
    with transaction.atomic():
        flow = engine.lock(flow)
        if flow.state != "sealing":
            raise ServiceError("该公文当前不在待用印环节（须已签发并编号），不能用印。")
        document = Document.objects.select_for_update().get(pk=flow.document_id)
        flow.document = document
        if flow.signed_by_id is None or not document.doc_number:
            raise ServiceError("该公文尚未签发或编号，不能用印。")
        issuers = document.ordered_issuers()
        if not issuers:
            raise ServiceError("该公文没有发文机关，不能用印。")
        content = outgoing.current_sha256(document)
        sealed = SealedDocument.objects.select_for_update().filter(document=document).first()
        if sealed is not None and (sealed.content_sha256 != content or sealed.locked):
            # The text changed since the earlier seals (复核 after a change): start again from the first issuer.
            stale_file = sealed.file.name
            sealed.delete()
            sealed = None
            if stale_file:
                transaction.on_commit(lambda: _delete_file(stale_file))
        done = sealed.issuer_seals.count() if sealed else 0
        if done >= len(issuers):
            raise ServiceError("所有发文机关均已用印。")
        seal = _check_turn(actor, document, issuers, done)
        if sealed is None:
            pdf, slots = _seal_slots(document, issuers)
            sealed = SealedDocument.objects.create(
                document=document, content_sha256=content, slots=slots, issuer_count=len(issuers)
            )
        else:
            with sealed.file.open("rb") as handle:
                pdf = handle.read()
            if hashlib.sha256(pdf).hexdigest() != sealed.sha256:
                raise ServiceError("已用印文件与登记的摘要不符，请联系系统管理员。")
            slots = sealed.slots
        slot = slots[done]
        last = done == len(issuers) - 1
        result = apply_seals(
            actor,
            pdf,
            [SealPlacement(seal, slot["page"], slot["x_mm"], slot["y_mm"], slot["diameter_mm"])],
            reason=f"印发《{document.title}》{document.doc_number}"[:200],
            purpose_ref=purpose_ref(document),
            approved_by=flow.signed_by,
            lock_after_last=last,
        )
        IssuerSeal.objects.create(
            sealed=sealed,
            position=done,
            unit=issuers[done],
            seal=seal,
            actor=actor,
            field_name=result.field_names[-1],
            sha256=result.sha256,
        )
        old_file = sealed.file.name
        sealed.file.save(f"{document.pk}-{result.sha256[:16]}.pdf", ContentFile(result.pdf), save=False)
        sealed.sha256 = result.sha256
        sealed.locked = result.locked
        sealed.completed_at = timezone.now() if last else None
        sealed.save()
        if old_file and old_file != sealed.file.name:
            transaction.on_commit(lambda: _delete_file(old_file))
        record(
            actor,
            ACTION,
            document,
            after={
                "issuer": issuers[done].name,
                "position": done + 1,
                "of": len(issuers),
                "seal": seal.pk,
                "sha256": result.sha256,
                "locked": result.locked,
            },
            summary=f"用印：{seal.name}（第{done + 1}/{len(issuers)}个发文机关）《{document.title}》",
        )
        if last:
            _ensure_own_task(flow, actor)
            outgoing.mark_sealed(actor, document, opinion=f"已加盖{seal.name}")
        else:
            _hand_on(flow, actor, issuers[done + 1])
            engine.audit(actor, "seal", flow, f"用印：{seal.name}，待“{issuers[done + 1].name}”用印")
    return sealed


def _delete_file(name: str) -> None:
    from django.core.files.storage import default_storage

    try:
        default_storage.delete(name)
    except OSError:  # a left-over file is harmless; losing the sealed one is not
        log.warning("could not delete superseded sealed file %s", name)


def next_issuer(document: Document):
    """The issuer whose seal is due now (None when all have sealed or the document is not at 待用印)."""
    issuers = document.ordered_issuers()
    sealed = sealed_of(document)
    done = 0
    if sealed is not None and sealed.content_sha256 == outgoing.current_sha256(document) and not sealed.locked:
        done = sealed.issuer_seals.count()
    elif sealed is not None and sealed.locked:
        return None
    return issuers[done] if done < len(issuers) else None


def can_seal_now(user, document: Document) -> bool:
    flow = outgoing.flow_of(document)
    if flow is None or flow.state != "sealing":
        return False
    unit = next_issuer(document)
    return unit is not None and _is_custodian(user, official_seal_of(unit))


def sealed_pdf(sealed: SealedDocument) -> bytes:
    with sealed.file.open("rb") as handle:
        return handle.read()


def verification(sealed: SealedDocument | None):
    """验章 of the stored file (``signing.verify_pdf``), expecting one seal per issuer once complete."""
    if sealed is None or not sealed.file:
        return None
    expected = sealed.issuer_count if sealed.complete else sealed.issuer_seals.count()
    pdf = sealed_pdf(sealed)
    # Keyed by the bytes on disk, not the recorded digest: a file changed behind our back must show red.
    key = f"documents:sealverify:{hashlib.sha256(pdf).hexdigest()}:{expected}"
    report = cache.get(key)
    if report is None:
        report = verify_pdf(pdf, expected_seals=expected)
        cache.set(key, report, VERIFY_CACHE_SECONDS)
    return report
