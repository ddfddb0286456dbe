"""发文 flow services: 拟稿 → (部门审核) → 办公室核稿 → (会签) → 签发 → 编号 → 用印 → 分发, plus 退回, 撤回,
转办, 加签, 代签, 催办, 评论 and 复核 after a material change. Each action locks the flow row, checks that the
actor holds an open task of the current step, changes tasks/todos/state together and writes the audit trail.

Hook for the e-seal (signing/): the flow waits in status ``sealing`` (待用印); the seal service calls
``mark_sealed(actor, document)`` once the seal is applied."""

from django.db import transaction
from django.utils import timezone

from oa import permissions as perms
from oa.core.errors import PermissionDeniedError, ServiceError

from .. import numbering
from ..models import Direction, Document, Status
from ..versions import snapshot
from . import actors, engine, signoff_signature

# Actions both flows share (撤回, 转办, 加签, 催办), re-exported where callers have always found them.
from .common import add_signer, engine_allowed, transfer, urge, withdraw  # noqa: F401
from .dispatch_rules import SKIP_LEVEL, check_dispatch
from .handwriting import clean as clean_handwriting
from .models import Decision, Flow, FlowKind, FlowNote, NoteKind
from .tables import OUTGOING_ORDER, is_earlier, label

KIND = FlowKind.OUTGOING
EDIT_STEPS = {"dept_review", "office_review", "signoff", "numbering", "sealing", "distributing"}


def _set_status(flow: Flow) -> None:
    status = flow.state if flow.state in Status.values else Status.DRAFTING
    Document.objects.filter(pk=flow.document_id).update(status=status, updated_at=timezone.now())
    flow.document.status = status


def _principal_required(flow: Flow) -> bool:
    return flow.important or flow.document.direction == Direction.UPWARD


def _next_after(flow: Flow, step: str) -> str:
    if step == "drafting":
        return "dept_review" if actors.setting_of(flow.unit).use_dept_review else "office_review"
    if step == "recheck":
        return flow.resume_state or "numbering"
    forward = {
        "dept_review": "office_review",
        "countersign": "signoff",
        "signoff": "numbering",
        "numbering": "sealing",
        "sealing": "distributing",
        "distributing": "distributed",
    }
    return forward[step]


def _enter(flow: Flow, step: str, actor, *, countersigners=(), signer=None) -> None:
    """Move to ``step`` and hand out its tasks."""
    engine.move(flow, step)
    _set_status(flow)
    document = flow.document
    if step == "drafting":
        engine.assign(flow, step, [document.drafter], actor)
    elif step == "dept_review":
        engine.assign(
            flow, step, actors.configured(flow.unit, KIND, step, document.drafter.department), actor, pool=step
        )
    elif step == "countersign":
        # all must agree: one task each; a co-issuing unit is one seat (any of its signers).
        for person in countersigners:
            engine.assign(flow, step, [person], actor)
        for unit in document.ordered_issuers()[1:]:
            engine.assign(
                flow,
                step,
                actors.signers(unit, principal_only=False),
                actor,
                pool=f"unit:{unit.pk}",
                role_note=unit.short_name,
            )
    elif step == "signoff":
        principal = _principal_required(flow)
        if signer is not None:
            if not actors.is_signer(signer, flow.unit, principal_only=principal):
                need = "本单位主要负责人" if principal else "本单位签发人"
                raise ServiceError(f"{signer.get_full_name()}不是{need}，不能签发该公文。", field="signer")
            engine.assign(flow, step, [signer], actor)
        else:
            engine.assign(flow, step, actors.signers(flow.unit, principal_only=principal), actor, pool=step)
    elif step == "recheck":
        engine.assign(flow, step, [flow.signed_by], actor, role_note="复核")
    elif step == "distributed":
        pass
    else:
        engine.assign(flow, step, actors.default_actors(flow.unit, KIND, step), actor, pool=step)


def flow_of(document: Document) -> Flow | None:
    return Flow.objects.filter(document=document).first()


def submit(actor, document: Document, *, opinion: str = "", important: bool | None = None, signer=None) -> Flow:
    """The drafter sends the draft on (first time: the flow starts)."""
    perms.require(actor, "documents.change_document", document, "只有本单位人员可以提交本单位的公文。")
    with transaction.atomic():
        # The draft's row first: two first submissions at once must not start two flows.
        Document.objects.select_for_update().filter(pk=document.pk).first()
        flow = Flow.objects.select_for_update().filter(document=document).first()
        if flow is None:
            if document.drafter_id != actor.pk:
                raise PermissionDeniedError("只有拟稿人可以提交该公文。")
            flow = Flow.objects.create(
                kind=KIND, unit=document.owner_unit, document=document, state="drafting", important=bool(important)
            )
            engine.assign(flow, "drafting", [document.drafter], actor)
            flow = engine.lock(flow)
        elif important is not None:
            flow.important = important
        return _approve_locked(actor, flow, opinion=opinion, signer=signer)


def approve(
    actor, flow: Flow, *, opinion: str = "", countersigners=(), signer=None, handwriting=None, seen_sha256=None
) -> Flow:
    """同意 (with 意见) at the current step; the step ends when no open task of it is left.

    ``handwriting`` = {"strokes": [...], "png": bytes} and ``seen_sha256`` = the content hash the page
    showed: the signature is bound to that exact text and refused if the text changed since."""
    if handwriting is not None:
        handwriting = clean_handwriting(handwriting.get("strokes"), handwriting.get("png"))
    with transaction.atomic():
        return _approve_locked(
            actor,
            engine.lock(flow),
            opinion=opinion,
            countersigners=countersigners,
            signer=signer,
            handwriting=handwriting,
            seen_sha256=seen_sha256,
        )


def current_sha256(document: Document) -> str:
    """The hash a sign-off binds to: everything the reader sees except the number given later."""
    return engine.content_sha256(snapshot(document))


def _approve_locked(
    actor, flow: Flow, *, opinion="", countersigners=(), signer=None, handwriting=None, seen_sha256=None
) -> Flow:
    if flow.finished:
        raise ServiceError("该流程已办结。")
    step = flow.state
    task = engine.task_for(flow, actor, "approve")
    if step == "sealing":
        raise ServiceError("待用印：请在电子印章中加盖印章，盖章后自动进入分发。")
    document = Document.objects.select_for_update().get(pk=flow.document_id)
    flow.document = document
    sha = engine.content_sha256(snapshot(document))
    if (handwriting is not None or seen_sha256) and seen_sha256 != sha:
        raise ServiceError("公文内容已经变更，签批必须针对当前版本，请重新查看后再签。", field="seen_sha256")
    if step == "distributing":
        _check_rules(flow, document)
    if step == "numbering" and document.number_seq is None:
        number = numbering.assign_to(document)
        from ..services.drafting import new_version

        new_version(document, actor, f"编号：{number}")
        opinion = opinion or f"编号 {number}"
    if handwriting is not None:
        task.handwriting_strokes = handwriting.get("strokes")
        task.handwriting_png = handwriting.get("png")
    engine.close(task, Decision.APPROVE, actor, opinion=(opinion or "").strip(), sha=sha)
    engine.siblings_done(flow, task, actor)
    by = f"（代签 {task.assignee.get_full_name()}）" if task.by_delegation else ""
    engine.audit(actor, "approve", flow, f"{label(KIND, step)}：同意{by}《{document.title}》", opinion=task.opinion)
    if step in ("signoff", "recheck"):
        flow.signed_by = task.assignee
        flow.signed_sha256 = sha
        flow.save(update_fields=["signed_by", "signed_sha256"])
        signoff_signature.schedule(task)
    if engine.open_tasks(flow, step).exists():
        return flow  # 会签 / 加签: others still to act
    if step == "office_review" and (countersigners or len(document.ordered_issuers()) > 1):
        _enter(flow, "countersign", actor, countersigners=countersigners)
    elif step == "office_review":
        _enter(flow, "signoff", actor, signer=signer)
    elif step == "countersign":
        _enter(flow, "signoff", actor, signer=signer)
    elif step == "distributing":
        engine.finish(flow, "distributed")
        _set_status(flow)
    else:
        _enter(flow, _next_after(flow, step), actor)
    return flow


def mark_sealed(actor, document: Document, *, opinion: str = "已用印") -> Flow:
    """Hook for the e-seal service: the seal is on, the flow goes to 分发."""
    flow = flow_of(document)
    if flow is None:
        raise ServiceError("该公文没有进行中的发文流程。")
    with transaction.atomic():
        flow = engine.lock(flow)
        if flow.state != "sealing":
            raise ServiceError("该公文当前不在待用印环节。")
        task = engine.task_for(flow, actor, "seal")
        engine.close(task, Decision.APPROVE, actor, opinion=opinion, sha=engine.content_sha256(snapshot(flow.document)))
        engine.siblings_done(flow, task, actor)
        engine.audit(actor, "seal", flow, f"用印《{flow.document.title}》")
        _enter(flow, "distributing", actor)
    return flow


def _check_rules(flow: Flow, document: Document) -> None:
    overridden = set(flow.notes.filter(kind=NoteKind.OVERRIDE).values_list("rule", flat=True))
    violations = check_dispatch(document, overridden)
    if violations:
        raise ServiceError("不符合行文规则：" + "；".join(v.message for v in violations))


def override_rule(actor, flow: Flow, *, rule: str, reason: str) -> FlowNote:
    """A leader (签发人 of the unit) lets a 越级 document go, with the reason recorded."""
    reason = (reason or "").strip()
    if rule != SKIP_LEVEL:
        raise ServiceError("只有越级行文规则可以由领导决定豁免。")
    if not reason:
        raise ServiceError("请填写豁免理由。", field="reason")
    if not (actors.is_signer(actor, flow.unit) or actor.pk in actors.effective_signer_ids(flow.unit)):
        raise PermissionDeniedError("只有本单位领导可以豁免越级行文规则。")
    with transaction.atomic():
        flow = engine.lock(flow)
        note = FlowNote.objects.create(flow=flow, kind=NoteKind.OVERRIDE, author=actor, text=reason, rule=rule)
        engine.audit(actor, "override", flow, f"豁免越级行文规则：{reason}", rule=rule)
    return note


def return_to(actor, flow: Flow, target: str, *, reason: str) -> Flow:
    """退回 to any earlier step: every open task of the step ends, the people who acted there get it back."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("退回须填写理由。", field="reason")
    with transaction.atomic():
        flow = engine.lock(flow)
        if flow.finished:
            raise ServiceError("该流程已办结。")
        task = engine.task_for(flow, actor, "return")
        if not is_earlier(KIND, target, flow.state) or (target != "drafting" and not _previous_actors(flow, target)):
            raise ServiceError(f"不能退回到“{label(KIND, target)}”：只能退回到已经办理过的环节。", field="target")
        step = flow.state
        engine.close(task, Decision.RETURN, actor, opinion=reason)
        engine.cancel_open(flow, actor, Decision.SUPERSEDED)
        engine.audit(actor, "return", flow, f"{label(KIND, step)}：退回至{label(KIND, target)}，理由：{reason}")
        if is_earlier(KIND, target, "signoff"):
            # Back before 签发: the old sign-off no longer stands; the draft goes through 签发 again, so a
            # change made now is an ordinary revision, not a 复核.
            flow.signed_by, flow.signed_sha256, flow.resume_state = None, "", ""
            flow.save(update_fields=["signed_by", "signed_sha256", "resume_state"])
        _reopen(flow, target, actor)
    return flow


def _previous_actors(flow: Flow, step: str):
    return [task.assignee for task in engine.latest_round(flow, step)]


def _reopen(flow: Flow, step: str, actor) -> None:
    engine.move(flow, step)
    _set_status(flow)
    people = [flow.document.drafter] if step == "drafting" else _previous_actors(flow, step)
    if step == "countersign":
        for person in people:
            engine.assign(flow, step, [person], actor)
    else:
        engine.assign(flow, step, people, actor, pool=step if len(people) > 1 else "")


def revise(actor, flow: Flow, changes: dict):
    """核稿 or later edits by the current actor (kept as a version). After 签发, a material change sends
    the draft back to the signer (复核)."""
    from ..services.drafting import _apply, _set_relations, changed_labels, clean_changes, new_version

    with transaction.atomic():
        flow = engine.lock(flow)
        if flow.state not in EDIT_STEPS:
            raise ServiceError(f"“{label(KIND, flow.state)}”环节不能修改正文。")
        engine.task_for(flow, actor, "revise")
        document = Document.objects.select_for_update().get(pk=flow.document_id)
        cleaned = clean_changes(changes, document.owner_unit, creating=False)
        before = snapshot(document)
        _apply(document, cleaned)
        document.save()
        _set_relations(document, cleaned)
        after = snapshot(document)
        if after == before:
            return flow, None
        labels = changed_labels(before, after)
        version = new_version(document, actor, f"{label(KIND, flow.state)}修改：" + "、".join(labels))
        engine.audit(
            actor, "revise", flow, f"{label(KIND, flow.state)}修改（第{version.number}版）：{'、'.join(labels)}"
        )
        flow.document = document
        if flow.signed_sha256 and engine.content_sha256(after) != flow.signed_sha256 and flow.state != "signoff":
            flow.resume_state = flow.state
            flow.save(update_fields=["resume_state"])
            engine.cancel_open(flow, actor, Decision.SUPERSEDED)
            _enter(flow, "recheck", actor)
            engine.audit(actor, "recheck", flow, "签发后正文有实质修改，退回签发人复核")
    return flow, version


def comment(actor, flow: Flow, text: str) -> FlowNote:
    from .access import can_view_flow

    text = (text or "").strip()
    if not text:
        raise ServiceError("评论内容不能为空。", field="text")
    if not can_view_flow(actor, flow):
        raise PermissionDeniedError("您不能查看该公文。")
    with transaction.atomic():
        flow = engine.lock(flow)
        note = FlowNote.objects.create(flow=flow, kind=NoteKind.COMMENT, author=actor, text=text[:2000])
        engine.audit(actor, "comment", flow, f"评论：{text[:50]}")
        engine.push(t.assignee_id for t in engine.open_tasks(flow))
    return note


__all__ = [
    "OUTGOING_ORDER",
    "add_signer",
    "approve",
    "comment",
    "flow_of",
    "mark_sealed",
    "override_rule",
    "return_to",
    "revise",
    "submit",
    "transfer",
    "urge",
    "withdraw",
]
