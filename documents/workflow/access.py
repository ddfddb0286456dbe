"""Who may see a flow: people of the owning unit, and everyone who has (had) a task in it (会签 by a
co-issuing unit, deputies acting for a participant). Nobody else — pages and API answer 404."""

from django.db import transaction
from django.utils import timezone

from oa.core.errors import NotFoundError

from . import engine
from .models import Flow, TaskState


def can_view_flow(user, flow: Flow) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.unit_id == flow.unit_id:
        return True
    assignees = set(flow.tasks.values_list("assignee_id", flat=True))
    return user.pk in assignees or bool(assignees & engine.principals_of(user))


def get_flow(user, pk) -> Flow:
    flow = (
        Flow.objects.select_related("unit", "document", "incoming").filter(pk=pk).first() if str(pk).isdigit() else None
    )
    if flow is None or not can_view_flow(user, flow):
        raise NotFoundError("没有找到该办理流程。")
    return flow


def mark_opened(user, flow: Flow) -> None:
    """The current actor opened the page: from now on the previous actor can no longer 撤回."""
    people = {user.pk, *engine.principals_of(user)}  # a deputy opening the leader's task (代签) counts too
    with transaction.atomic():
        flow.tasks.filter(state=TaskState.OPEN, assignee_id__in=people, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )
