"""The 发文 and 收文 lists: filter by 状态 (or 我的待办 / 已超期), search the title, count per status.
Read-side only; what a person sees is the same rule as everywhere (own unit; 我的待办 adds documents of other
units where the person holds an open task, e.g. 会签 for a co-issuing unit)."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from ..models import Document, Status
from ..selectors import visible_documents
from . import engine
from .models import FlowKind, IncomingDocument, TaskState
from .tables import LABELS, ORDER

MY_TODO = "todo"
OVERDUE = "overdue"
MAX_QUERY = 100


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    count: int


def _open_task_q(user, prefix: str) -> Q:
    people = {user.pk, *engine.principals_of(user)}
    return Q(**{f"{prefix}tasks__state": TaskState.OPEN, f"{prefix}tasks__assignee_id__in": people})


def my_todo_documents(user):
    """发文 drafts where ``user`` (or someone they act for) holds an open task, whatever the unit."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Document.objects.none()
    return Document.objects.filter(_open_task_q(user, "flow__")).distinct()


def _search(query, q: str):
    q = (q or "").strip()[:MAX_QUERY]
    return query.filter(title__icontains=q) if q else query


def outgoing(user, *, status: str = "", q: str = "", mine: bool = False):
    """(queryset, tabs, chosen status) for the 发文 list."""
    base = visible_documents(user)
    if mine:
        base = base.filter(drafter=user)
    base = _search(base, q)
    todo = my_todo_documents(user)
    if mine:
        todo = todo.filter(drafter=user)
    todo = _search(todo, q)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    tabs = [Tab("", "全部", sum(counts.values())), Tab(MY_TODO, "我的待办", todo.count())]
    tabs += [Tab(value, name, counts.get(value, 0)) for value, name in Status.choices]
    if status == MY_TODO:
        query = todo
    elif status in Status.values:
        query = base.filter(status=status)
    else:
        status, query = "", base
    query = query.select_related("drafter", "owner_unit", "flow").order_by("-updated_at", "-id")
    return query, tabs, status


def incoming(user, *, status: str = "", q: str = "", today=None):
    """(queryset, tabs, chosen status) for the 收文 list of the user's unit; rows carry ``is_overdue``."""
    today = today or timezone.localdate()
    base = _search(IncomingDocument.objects.filter(unit_id=user.unit_id), q)
    late = Q(deadline__lt=today, flow__finished_at__isnull=True)
    labels = LABELS[FlowKind.INCOMING]
    counts = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    todo = base.filter(_open_task_q(user, "flow__")).distinct()
    tabs = [
        Tab("", "全部", sum(counts.values())),
        Tab(MY_TODO, "我的待办", todo.count()),
        Tab(OVERDUE, "已超期", base.filter(late).count()),
    ]
    tabs += [Tab(s, labels[s], counts.get(s, 0)) for s in [*ORDER[FlowKind.INCOMING], "returned"]]
    if status == MY_TODO:
        query = todo
    elif status == OVERDUE:
        query = base.filter(late)
    elif status in labels:
        query = base.filter(status=status)
    else:
        status, query = "", base
    query = query.select_related("flow").order_by("-received_at", "-id")
    return query, tabs, status, today


def mark_overdue(items, today) -> list:
    for item in items:
        item.is_overdue = bool(item.deadline and item.deadline < today and not item.flow.finished)
    return items
