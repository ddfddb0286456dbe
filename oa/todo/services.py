"""Use cases of the todo centre. Every app hands a person work through ``create_todo`` and closes it with
``complete_for_source`` when the step is done; the person closes what they may with ``complete_todo`` and
``mark_read``.  Each change writes an audit event and, after commit, pushes a hint to the owner's pages.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.permissions import can
from oa.todo.models import Kind, State, TodoItem, Urgency
from oa.todo.push import todo_changed_on_commit

ACT_PERM = "todo.act_on_item"


def items_for(person) -> QuerySet[TodoItem]:
    """The items a person sees (the list pages and counts use this; the object check is ``ACT_PERM``)."""
    if not getattr(person, "is_authenticated", False):
        return TodoItem.objects.none()
    return TodoItem.objects.filter(owner=person)


def get_item_for(person, item_id) -> TodoItem:
    """The item if the person may act on it. Someone else's item is reported as missing, not forbidden,
    so ids cannot be probed."""
    item = TodoItem.objects.filter(pk=item_id).first() if str(item_id).isdigit() else None
    if item is None or not can(person, ACT_PERM, item):
        raise NotFoundError("该事项不存在或已转交他人。")
    return item


def counts_for(person) -> dict[str, int]:
    """{"todo": open 待办, "toread": unread 待阅, "done": 已办} in one query."""
    result = items_for(person).aggregate(
        todo=Count("id", filter=Q(kind=Kind.TODO, state=State.OPEN)),
        toread=Count("id", filter=Q(kind=Kind.TOREAD, state=State.OPEN)),
        done=Count("id", filter=Q(kind=Kind.TODO, state=State.DONE)),
    )
    return {key: result[key] or 0 for key in ("todo", "toread", "done")}


def _snapshot(item: TodoItem) -> dict:
    return {
        "owner": item.owner_id,
        "kind": item.kind,
        "state": item.state,
        "step": item.step,
        "source": f"{item.source_app}:{item.source_id}",
    }


def _clean_deadline(deadline):
    if deadline is None:
        return None
    if isinstance(deadline, datetime):
        return deadline if timezone.is_aware(deadline) else timezone.make_aware(deadline)
    if isinstance(deadline, date):
        # A date-only 办理时限 runs to the end of that day, local time.
        return timezone.make_aware(datetime.combine(deadline, time(23, 59, 59)))
    raise ServiceError("办理时限格式不正确。", field="deadline")


def _require(value: str, label: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"{label}不能为空。", field=field)
    if len(value) > max_length:
        raise ServiceError(f"{label}不能超过 {max_length} 个字。", field=field)
    return value


def _optional(value: str, label: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ServiceError(f"{label}不能超过 {max_length} 个字。", field=field)
    return value


def _clean_url(url: str) -> str:
    url = _require(url, "办理地址", "url", 300)
    # Only a path on this site: the link is shown to the owner, so no javascript: or off-site targets.
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        raise ServiceError("办理地址必须是本系统内的页面地址。", field="url")
    return url


def create_todo(
    actor,
    *,
    owner,
    kind: str,
    title: str,
    step: str,
    url: str,
    source_app: str,
    source_id,
    category: str = "",
    sender: str = "",
    urgency: str = Urgency.NORMAL,
    deadline=None,
    manual_close: bool = True,
) -> TodoItem:
    """Hand ``owner`` a 待办 (kind="todo") or 待阅 (kind="toread").

    ``actor`` is the person whose action caused it (None for the system). ``url`` is the local page where
    the owner acts. Pass ``manual_close=False`` for workflow steps that only the app may close (it then
    calls ``complete_for_source`` when the step is done)."""
    if kind not in Kind.values:
        raise ServiceError("事项类型只能是待办或待阅。", field="kind")
    if urgency not in Urgency.values:
        raise ServiceError("紧急程度只能是特急、加急或平件。", field="urgency")
    if owner is None or not getattr(owner, "is_active", False):
        raise ServiceError("办理人不存在或已停用。", field="owner")
    item = TodoItem(
        owner=owner,
        kind=kind,
        title=_require(title, "标题", "title", 300),
        step=_require(step, "办理环节", "step", 20),
        url=_clean_url(url),
        source_app=_require(source_app, "来源应用", "source_app", 40),
        source_id=_require(str(source_id), "来源对象编号", "source_id", 64),
        category=_optional(category, "文种", "category", 20),
        sender=_optional(sender, "来文单位", "sender", 100),
        urgency=urgency,
        deadline=_clean_deadline(deadline),
        manual_close=manual_close,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        item.save()
        record(
            actor if actor is not None else "系统",
            "todo.create",
            item,
            after=_snapshot(item),
            summary=f"向{owner.get_full_name()}分派{item.get_kind_display()}：{item.step}《{item.title}》",
        )
        todo_changed_on_commit(owner.pk)
    return item


def _check_can_act(actor, item: TodoItem, action: str) -> None:
    if not can(actor, ACT_PERM, item):
        record_outside(actor, action, item, result=Result.DENIED, summary="非本人事项，拒绝操作")
        raise PermissionDeniedError("只能办理本人的事项。")


def _close(actor, item: TodoItem, *, expected_kind: str, action: str, summary: str) -> TodoItem:
    _check_can_act(actor, item, action)
    with transaction.atomic():
        locked = TodoItem.objects.select_for_update().get(pk=item.pk)
        if locked.kind != expected_kind:
            raise ServiceError("待阅事项请标记已阅。" if expected_kind == Kind.TODO else "待办事项请办理后办结。")
        if locked.state == State.DONE:
            return locked  # a second click (or two tabs) changes nothing
        if expected_kind == Kind.TODO and not locked.manual_close:
            raise ServiceError(f"该事项需在办理页面完成“{locked.step}”后自动办结。")
        before = _snapshot(locked)
        locked.state = State.DONE
        locked.done_at = timezone.now()
        locked.save(update_fields=["state", "done_at"])
        record(actor, action, locked, before=before, after=_snapshot(locked), summary=f"{summary}《{locked.title}》")
        todo_changed_on_commit(locked.owner_id)
    return locked


def complete_todo(actor, item: TodoItem) -> TodoItem:
    """The owner marks a 待办 as 已办 (only items created with manual_close)."""
    return _close(actor, item, expected_kind=Kind.TODO, action="todo.complete", summary="办结")


def mark_read(actor, item: TodoItem) -> TodoItem:
    """The owner marks a 待阅 as read."""
    return _close(actor, item, expected_kind=Kind.TOREAD, action="todo.read", summary="已阅")


def complete_for_source(
    source_app: str, source_id, owner=None, *, kind: str = Kind.TODO, step: str | None = None, actor=None
) -> int:
    """Close the open items an app raised for one of its objects (all owners, or only ``owner``; optionally
    only one ``step``) because the work was done there. Returns how many were closed."""
    with transaction.atomic():
        query = TodoItem.objects.select_for_update().filter(
            source_app=source_app, source_id=str(source_id), kind=kind, state=State.OPEN
        )
        if owner is not None:
            query = query.filter(owner=owner)
        if step is not None:
            query = query.filter(step=step)
        items = list(query.order_by("id"))
        now = timezone.now()
        for item in items:
            before = _snapshot(item)
            item.state = State.DONE
            item.done_at = now
            item.save(update_fields=["state", "done_at"])
            record(
                actor if actor is not None else f"系统（{source_app}）",
                "todo.close_by_source",
                item,
                before=before,
                after=_snapshot(item),
                summary=f"环节完成，自动办结《{item.title}》",
            )
        for owner_id in sorted({item.owner_id for item in items}):
            todo_changed_on_commit(owner_id)
    return len(items)
