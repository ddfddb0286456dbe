"""Actions both flows share: 撤回 (withdraw while the next actor has not opened it), 转办, 加签 and 催办.
Same discipline as the flow modules: lock the flow, find the actor's task, change tasks/todos/state together,
audit (which also tells open flow pages)."""

from django.db import transaction

from oa.core.errors import PermissionDeniedError, ServiceError

from . import engine
from .models import Decision, Flow, FlowKind, FlowNote, NoteKind, TaskState
from .tables import label


def set_status(flow: Flow) -> None:
    """Mirror the flow's step on its document (发文 status / 收文 status)."""
    if flow.kind == FlowKind.OUTGOING:
        from .outgoing import _set_status
    else:
        from .incoming import _set_status
    _set_status(flow)


# A seal once applied stays on the file: 用印 is never taken back by 撤回.
NOT_WITHDRAWABLE = {FlowKind.OUTGOING: ("sealing",)}


def withdraw(actor, flow: Flow) -> Flow:
    """撤回: the person whose approval moved the flow takes it back while nobody at the next step opened it."""
    with transaction.atomic():
        flow = engine.lock(flow)
        last = flow.tasks.filter(decision=Decision.APPROVE).order_by("-decided_at", "-id").first()
        if flow.finished or last is None or last.step == flow.state or last.acted_by_id != actor.pk:
            raise PermissionDeniedError("只能撤回自己刚办理、已转到下一环节的公文。")
        later = flow.tasks.filter(state=TaskState.DONE, decided_at__gt=last.decided_at)
        if later.filter(decision=Decision.RETURN).exists():
            # taking it back now would jump over the 退回
            raise PermissionDeniedError("公文在您办理后已被退回，不能撤回。")
        if last.step in NOT_WITHDRAWABLE.get(flow.kind, ()):
            raise ServiceError(f"“{label(flow.kind, last.step)}”已经完成，不能撤回。")
        # opened the page, or acted without opening it (转办, 加签 through the API)
        acted_since = flow.tasks.filter(created_at__gt=last.decided_at).exclude(created_by_id=actor.pk)
        if any(t.opened_at for t in engine.open_tasks(flow)) or later.exists() or acted_since.exists():
            raise ServiceError("下一环节的办理人已经打开或办理，不能撤回。")
        if last.step in ("signoff", "recheck"):
            flow.signed_by, flow.signed_sha256 = None, ""
        was = flow.state
        engine.cancel_open(flow, actor, Decision.WITHDRAWN)
        if last.step not in engine_allowed(flow):
            raise ServiceError("该环节不能撤回。")
        engine.move(flow, last.step)
        set_status(flow)
        engine.assign(flow, last.step, [last.assignee], actor)
        engine.audit(actor, "withdraw", flow, f"撤回：从{label(flow.kind, was)}撤回到{label(flow.kind, last.step)}")
    return flow


def engine_allowed(flow: Flow) -> set[str]:
    from .tables import ALLOWED

    return ALLOWED[flow.kind].get(flow.state, set())


def transfer(actor, flow: Flow, to_person, *, reason: str = "") -> Flow:
    """转办: hand my task at this step to a colleague."""
    with transaction.atomic():
        flow = engine.lock(flow)
        task = engine.task_for(flow, actor, "transfer")
        if to_person is None or not to_person.is_active or to_person.pk == task.assignee_id:
            raise ServiceError("请选择其他在岗人员转办。", field="to")
        if to_person.unit_id != task.assignee.unit_id:
            raise ServiceError("只能转办给同单位人员。", field="to")
        engine.close(task, Decision.TRANSFER, actor, opinion=reason)
        engine.assign(flow, task.step, [to_person], actor, pool=task.pool, role_note="转办")
        engine.audit(actor, "transfer", flow, f"{label(flow.kind, task.step)}：转办给{to_person.get_full_name()}")
    return flow


def add_signer(actor, flow: Flow, person) -> Flow:
    """加签: one more person must agree at this step before it ends."""
    with transaction.atomic():
        flow = engine.lock(flow)
        task = engine.task_for(flow, actor, "add_signer")
        if person is None or not person.is_active:
            raise ServiceError("请选择在岗人员加签。", field="person")
        if engine.open_tasks(flow, flow.state).filter(assignee=person).exists():
            raise ServiceError(f"{person.get_full_name()}已在本环节办理人中。", field="person")
        engine.assign(flow, flow.state, [person], actor, role_note="加签")
        engine.audit(actor, "add_signer", flow, f"{label(flow.kind, task.step)}：加签{person.get_full_name()}")
    return flow


def urge(actor, flow: Flow, text: str = "") -> FlowNote:
    """催办: the drafter or anyone who already acted reminds the current actors."""
    with transaction.atomic():
        flow = engine.lock(flow)
        drafter_id = flow.document.drafter_id if flow.kind == FlowKind.OUTGOING else None
        involved = flow.tasks.filter(acted_by=actor).exists() or drafter_id == actor.pk
        if not involved or flow.finished:
            raise PermissionDeniedError("只有拟稿人或已办理人可以催办。")
        current = list(engine.open_tasks(flow))
        note = FlowNote.objects.create(flow=flow, kind=NoteKind.URGE, author=actor, text=(text or "请尽快办理").strip())
        names = "、".join(t.assignee.get_full_name() for t in current)
        engine.audit(actor, "urge", flow, f"催办{label(flow.kind, flow.state)}：{names}")
        engine.push(t.assignee_id for t in current)
    return note
