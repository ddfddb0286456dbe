"""收文 flow services: 签收 → 登记 (收文编号 per unit per year) → 初审 (or 退回来文单位) → 拟办 → 批办 →
承办 (lead + assisting, in parallel) → 传阅 (each read tracked) → 办结; 答复 drafts link back."""

from django.db import transaction
from django.utils import timezone

from oa import permissions as perms
from oa.core.errors import PermissionDeniedError, ServiceError

from .. import numbering
from . import actors, engine, supervision
from .deadlines import add_workdays, limit_days
from .models import Decision, Flow, FlowKind, IncomingDocument, TaskState
from .tables import is_earlier, label

KIND = FlowKind.INCOMING


def registration_code(unit) -> str:
    # Counters are shared with 发文字号 (one locked row per code and year); this key never collides.
    return f"收文#{unit.pk}"


def format_reg_number(unit, year: int, seq: int) -> str:
    return f"{unit.code or unit.short_name}收〔{year}〕{seq}号"


def receive(
    actor,
    *,
    unit,
    title: str,
    sender_name: str,
    sender_unit=None,
    doc_type: str = "",
    source_number: str = "",
    urgency: str = "",
    source_document=None,
) -> Flow:
    """A document arrives for ``unit`` (from the exchange, ``actor=None``, or typed in by its 收发员): the
    unit's 收发员 get the 签收 task."""
    if actor is not None:
        perms.require(actor, "documents.receive_document", unit, "只有本单位收发员可以登记收文。")
    title, sender_name = (title or "").strip(), (sender_name or "").strip()
    if not title or not sender_name:
        raise ServiceError("收文须填写标题和来文单位。")
    if urgency not in ("", "特急", "加急"):
        raise ServiceError("紧急程度只能是特急、加急或空。", field="urgency")
    with transaction.atomic():
        incoming = IncomingDocument.objects.create(
            unit=unit,
            sender_unit=sender_unit,
            sender_name=sender_name[:100],
            title=title[:300],
            doc_type=doc_type,
            source_number=source_number,
            urgency=urgency,
            source_document=source_document,
        )
        flow = Flow.objects.create(kind=KIND, unit=unit, incoming=incoming, state="receiving")
        engine.assign(flow, "receiving", actors.default_actors(unit, KIND, "receiving"), actor, pool="receiving")
        engine.record(
            actor if actor is not None else "系统（公文交换）",
            "documents.flow.receive",
            incoming,
            after={"flow": flow.pk},
            summary=f"收到来文《{incoming.title}》（{sender_name}）",
        )
    return flow


def _set_status(flow: Flow) -> None:
    IncomingDocument.objects.filter(pk=flow.incoming_id).update(status=flow.state)
    flow.incoming.status = flow.state


def _enter(flow: Flow, step: str, actor, people=None, *, pool=None) -> None:
    engine.move(flow, step)
    _set_status(flow)
    if people is None:
        people = actors.default_actors(flow.unit, KIND, step)
        pool = step if pool is None else pool
    engine.assign(flow, step, people, actor, pool=pool or "")


def _register(flow: Flow, actor) -> str:
    incoming = IncomingDocument.objects.select_for_update().get(pk=flow.incoming_id)
    if incoming.reg_seq is None:
        year = timezone.localdate().year
        seq = numbering.next_seq(registration_code(flow.unit), year)
        incoming.reg_year, incoming.reg_seq = year, seq
        incoming.reg_number = format_reg_number(flow.unit, year, seq)
        days = limit_days(actors.setting_of(flow.unit), incoming.urgency)
        incoming.deadline = add_workdays(timezone.localdate(), days)
        incoming.save(update_fields=["reg_year", "reg_seq", "reg_number", "deadline"])
    flow.incoming = incoming
    return incoming.reg_number


def approve(
    actor, flow: Flow, *, opinion: str = "", leader=None, lead=None, assisting=(), readers=(), supervise=None
) -> Flow:
    """Do the current step: 签收, 登记, 初审 pass, 拟办 (choose the leader), 批办 (choose 承办 lead,
    assisting and 传阅 readers), 承办 done. 传阅 is ``read``.

    ``supervise`` (批办 only) = {"lead_unit", "cooperating_units", "deadline"}: 列入督办 — the leader's 批办
    opinion becomes a 督办 item (see ``supervision.raise_from_instruction``), in the same transaction."""
    if supervise is not None:
        supervision.check_may_raise(actor, flow)
    with transaction.atomic():
        flow = engine.lock(flow)
        if flow.finished:
            raise ServiceError("该收文已办结。")
        step = flow.state
        task = engine.task_for(flow, actor, "approve")
        if step == "circulating":
            raise ServiceError("传阅环节请点“已阅”。")
        if step == "proposing":
            leaders = [leader] if leader is not None else actors.signers(flow.unit, principal_only=True)
            if leader is not None and not actors.is_signer(leader, flow.unit):
                raise ServiceError(f"{leader.get_full_name()}不是本单位领导。", field="leader")
        if supervise is not None and step != "instructing":
            raise ServiceError("只有批办环节可以列入督办。", field="supervise")
        if step == "instructing":
            if lead is None:
                raise ServiceError("批办须指定主办人。", field="lead")
            others = [p for p in assisting if p.pk != lead.pk]
            if any(p.unit_id != flow.unit_id for p in [lead, *others, *readers]):
                raise ServiceError("承办人和传阅人须为本单位人员。")
        if step == "registering":
            number = _register(flow, actor)
            opinion = opinion or f"登记 {number}"
        engine.close(task, Decision.APPROVE, actor, opinion=(opinion or "").strip())
        engine.siblings_done(flow, task, actor)
        engine.audit(actor, "approve", flow, f"{label(KIND, step)}：{task.opinion or '办理'}《{flow.incoming.title}》")
        if supervise is not None:
            supervision.raise_from_instruction(actor, flow, task, **supervise)
        if engine.open_tasks(flow, step).exists():
            return flow
        if step == "receiving":
            _enter(flow, "registering", actor)
        elif step == "registering":
            _enter(flow, "initial_review", actor)
        elif step == "initial_review":
            _enter(flow, "proposing", actor)
        elif step == "proposing":
            _enter(flow, "instructing", actor, leaders, pool="instructing" if len(leaders) > 1 else "")
        elif step == "instructing":
            engine.move(flow, "handling")
            _set_status(flow)
            engine.assign(flow, "handling", [lead], actor, role_note="主办")
            helpers = [p for p in assisting if p.pk != lead.pk]
            if helpers:  # 协办 is optional
                engine.assign(flow, "handling", helpers, actor, role_note="协办")
            flow.resume_state = ",".join(str(p.pk) for p in readers)  # the 传阅 list chosen by the leader
            flow.save(update_fields=["resume_state"])
        elif step == "handling":
            readers = _readers(flow)
            if readers:
                _enter(flow, "circulating", actor, readers, pool="")
            else:
                _finish(flow, actor)
    return flow


def _readers(flow: Flow):
    from oa.org.models import Person

    ids = [int(x) for x in flow.resume_state.split(",") if x.strip().isdigit()]
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids, is_active=True)}
    return [people[i] for i in ids if i in people]


def _finish(flow: Flow, actor) -> None:
    engine.finish(flow, "done")
    _set_status(flow)
    engine.audit(actor, "finish", flow, f"办结《{flow.incoming.title}》")


def read(actor, flow: Flow, *, opinion: str = "") -> Flow:
    """传阅: one reader marks it read; when everyone has, the document is 办结."""
    with transaction.atomic():
        flow = engine.lock(flow)
        if flow.state != "circulating":
            raise ServiceError("该收文不在传阅环节。")
        task = engine.task_for(flow, actor, "read")
        engine.close(task, Decision.READ, actor, opinion=(opinion or "").strip())
        engine.audit(actor, "read", flow, f"传阅：已阅《{flow.incoming.title}》")
        if not engine.open_tasks(flow, "circulating").exists():
            _finish(flow, actor)
    return flow


def return_to_sender(actor, flow: Flow, *, reason: str) -> Flow:
    """初审: not ours or incomplete — back to the sender with the reason; the flow ends here."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("退回来文单位须填写理由。", field="reason")
    with transaction.atomic():
        flow = engine.lock(flow)
        task = engine.task_for(flow, actor, "return_to_sender")  # not the current actor: 403 before anything
        if flow.state not in ("receiving", "initial_review"):
            raise ServiceError("只有签收或初审时可以退回来文单位。")
        engine.close(task, Decision.RETURN, actor, opinion=reason)
        engine.cancel_open(flow, actor, Decision.SUPERSEDED)
        IncomingDocument.objects.filter(pk=flow.incoming_id).update(return_reason=reason)
        engine.finish(flow, "returned") if flow.state == "initial_review" else _return_unregistered(flow)
        _set_status(flow)
        engine.audit(actor, "return_to_sender", flow, f"退回来文单位{flow.incoming.sender_name}：{reason}")
    return flow


def _return_unregistered(flow: Flow) -> None:
    # 签收时退回: not registered; the table has no receiving→returned edge on purpose, so it ends here.
    flow.state = "returned"
    flow.finished_at = timezone.now()
    flow.revision += 1
    flow.save()


def return_to(actor, flow: Flow, target: str, *, reason: str) -> Flow:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("退回须填写理由。", field="reason")
    with transaction.atomic():
        flow = engine.lock(flow)
        if flow.finished:
            raise ServiceError("该收文已办结。")
        task = engine.task_for(flow, actor, "return")
        if not is_earlier(KIND, target, flow.state) or not engine.latest_round(flow, target):
            raise ServiceError(f"不能退回到“{label(KIND, target)}”：只能退回到已经办理过的环节。", field="target")
        step = flow.state
        engine.close(task, Decision.RETURN, actor, opinion=reason)
        engine.cancel_open(flow, actor, Decision.SUPERSEDED)
        previous = engine.latest_round(flow, target)  # who acted there last time (主办/协办 kept)
        engine.move(flow, target)
        _set_status(flow)
        if target == "handling":
            for prev in reversed(previous):
                engine.assign(flow, target, [prev.assignee], actor, role_note=prev.role_note)
        else:
            engine.assign(flow, target, [previous[0].assignee], actor)
        engine.audit(actor, "return", flow, f"{label(KIND, step)}：退回至{label(KIND, target)}，理由：{reason}")
    return flow


def can_reply(user, flow: Flow) -> bool:
    """The 答复 button: people of the receiving unit who may draft, once the document is signed for."""
    return (
        flow.kind == KIND
        and flow.state not in ("receiving", "returned")
        and getattr(user, "unit_id", None) == flow.unit_id
        and perms.can(user, "documents.add_document")
    )


def start_reply(actor, flow: Flow, data: dict):
    """答复: a draft of the receiving unit that links back to this 收文 (``Document.reply_to``)."""
    from oa.audit.services import record

    from ..services import create_draft
    from .access import can_view_flow

    if flow.kind != KIND or not can_view_flow(actor, flow) or actor.unit_id != flow.unit_id:
        raise PermissionDeniedError("只能答复本单位的收文。")
    if flow.state in ("receiving", "returned"):
        raise ServiceError("尚未签收或已退回来文单位的收文不能答复。")
    perms.require(actor, "documents.add_document", None, "您没有拟稿权限。")
    if not can_reply(actor, flow):
        raise PermissionDeniedError("您不能答复该收文。")
    with transaction.atomic():
        document = create_draft(actor, data)
        document.reply_to = flow.incoming
        document.save(update_fields=["reply_to"])
        record(
            actor,
            "documents.flow.reply",
            flow.incoming,
            after={"flow": flow.pk, "document": document.pk},
            summary=f"答复来文《{flow.incoming.title}》：拟稿《{document.title}》",
        )
    engine.flow_changed(flow)
    return document


def reply_defaults(flow: Flow) -> dict:
    """What a 答复 draft starts with: a 函 to the sender (a unit when known, else its name as text)."""
    item = flow.incoming
    data = {"title": f"关于《{item.title}》的复函"[:300], "doc_type": "函"}
    if item.sender_unit_id and item.sender_unit.is_active:
        data["main_units"] = [item.sender_unit]
    else:
        data["main_recipients_text"] = item.sender_name
    return data


def overdue(unit, today=None):
    """Registered, unfinished 收文 of ``unit`` past their 办理时限."""
    today = today or timezone.localdate()
    return IncomingDocument.objects.filter(unit=unit, deadline__lt=today, flow__finished_at__isnull=True).order_by(
        "deadline"
    )


def has_open_task(flow: Flow) -> bool:
    return flow.tasks.filter(state=TaskState.OPEN).exists()
