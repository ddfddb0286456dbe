"""印发 without a 发文 flow: a document a unit issues by a rule of another app rather than by a leader's
签发 in a 发文 flow — a 会议通知 (and its 变更/取消通知) sent by the meeting's organising unit is the case
that needs it. The unit's 收发员 gives it the next 发文字号 (when the unit has a 机关代字), seals it with the
unit's official seal (when it has one; the 收发员 must keep that seal) through ``signing.services.apply_seals``,
and puts it at 待分发, where ``documents.exchange.services.dispatch`` takes it. All of it commits together
with one audit event, or nothing changes.

Only single-issuer drafts that have not entered a 发文 flow qualify: 联合行文 and anything already in a flow
must go the flow's way (会签, 签发, 用印 in issuing order)."""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.permissions import can

from ..models import Document, Status, number_code_of

ACTION = "documents.issue_without_flow"


@dataclass(frozen=True)
class Issued:
    document: Document
    doc_number: str  # "" when the unit has no 机关代字
    sealed: object = None  # the SealedDocument, None when the unit has no official seal


def issue_without_flow(actor, document: Document, *, approved_by=None, purpose: str = "") -> Issued:
    """Number, seal and set ``document`` (a draft of ``actor``'s unit, outside any flow) to 待分发.

    ``approved_by``: who decided it goes out (recorded in the 用印登记; ``actor`` when None). ``purpose``:
    a few words for the audit trail (e.g. "会议通知"). Raises ``PermissionDeniedError`` unless ``actor``
    works the issuing unit's exchange (收发员, also by 代理), ``ServiceError`` when the document does not
    qualify or its seal cannot be applied (nothing is changed then)."""
    from documents.exchange import access

    if not access.can_act(actor, document.owner_unit_id):
        error = PermissionDeniedError("只有发文单位的收发员可以直接印发公文。")
        record_outside(actor, ACTION, document, result=Result.DENIED, summary=error.message)
        raise error
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("owner_unit").get(pk=document.pk)
        _check_qualifies(document)
        issuers = document.ordered_issuers()
        number = document.doc_number
        if not number and number_code_of(issuers[0], document.doc_type):
            from .numbering import assign_number

            number = assign_number(actor, document)
        sealed = _seal(actor, document, issuers[0], approved_by or actor)
        Document.objects.filter(pk=document.pk).update(status=Status.DISTRIBUTING)
        document.refresh_from_db()
        record(
            actor,
            ACTION,
            document,
            before={"status": Status.DRAFTING},
            after={
                "status": Status.DISTRIBUTING,
                "doc_number": number,
                "seal": sealed.issuer_seals.get().seal_id if sealed else None,
                "sha256": sealed.sha256 if sealed else "",
                "purpose": purpose[:60],
            },
            summary=f"直接印发《{document.title}》{number}{'（已用印）' if sealed else ''}"
            + (f"：{purpose}" if purpose else ""),
        )
    return Issued(document=document, doc_number=number, sealed=sealed)


def _check_qualifies(document: Document) -> None:
    from documents.workflow import outgoing

    if document.status != Status.DRAFTING or outgoing.flow_of(document) is not None:
        raise ServiceError("该公文已进入发文流程，须按流程签发、用印后分发。")
    issuers = document.ordered_issuers()
    if len(issuers) != 1:
        raise ServiceError("联合行文须经发文流程由各发文机关依次用印，不能直接印发。")
    if issuers[0].pk != document.owner_unit_id:
        raise ServiceError("只能以本单位名义直接印发公文。")


def _seal(actor, document: Document, unit, approved_by):
    """The unit's official seal at the layout's seal position, applied (and locked) by ``actor``; None when
    the unit keeps no official seal."""
    from signing.services import SealPlacement, apply_seals

    from .. import render
    from ..workflow import outgoing
    from ..workflow.sealed_models import IssuerSeal, SealedDocument
    from ..workflow.sealing import official_seal_of, purpose_ref

    seal = official_seal_of(unit)
    if seal is None:
        return None
    if not can(actor, "signing.apply_seal", seal):
        raise ServiceError(f"该公文须加盖“{seal.name}”，您不是该印章的印章管理员，请由印章管理员办理。")
    result = render.render_pdf(document)
    slots = [s for s in result.seal_slots if s.kind == "seal"]
    if not slots:
        raise ServiceError("该公文排版后没有印章位置，不能用印。")
    slot = slots[0]
    applied = apply_seals(
        actor,
        result.pdf,
        [SealPlacement(seal, slot.page, slot.x_mm, slot.y_mm, slot.diameter_mm)],
        reason=f"印发《{document.title}》{document.doc_number}"[:200],
        purpose_ref=purpose_ref(document),
        approved_by=approved_by,
        lock_after_last=True,
    )
    sealed = SealedDocument(
        document=document,
        content_sha256=outgoing.current_sha256(document),
        slots=[{"page": slot.page, "x_mm": slot.x_mm, "y_mm": slot.y_mm, "diameter_mm": slot.diameter_mm}],
        issuer_count=1,
        sha256=applied.sha256,
        locked=applied.locked,
        completed_at=timezone.now(),
    )
    sealed.file.save(f"{document.pk}-{applied.sha256[:16]}.pdf", ContentFile(applied.pdf), save=False)
    sealed.save()
    IssuerSeal.objects.create(
        sealed=sealed,
        position=0,
        unit=unit,
        seal=seal,
        actor=actor,
        field_name=applied.field_names[-1],
        sha256=applied.sha256,
    )
    return sealed
