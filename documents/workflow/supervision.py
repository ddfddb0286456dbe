"""批办 → 督办: at the 收文 批办 step the leader may put the instruction under supervision (列入督办). The item is
raised through ``oa.supervision.services.raise_item`` inside the 批办's own transaction, so a refused item
(bad deadline, no opinion) leaves the flow untouched. Items point back with ``source_ref`` /
``source_url``; the flow page finds them by that reference (no extra column)."""

from oa import permissions as perms
from oa.core.errors import PermissionDeniedError, ServiceError

from .models import Flow, FlowTask

SOURCE_KIND_INSTRUCTION = "instruction"  # oa.supervision.models.SourceKind.INSTRUCTION (领导批示)


def source_ref(flow: Flow) -> str:
    return f"documents.incoming:{flow.incoming_id}"


def check_may_raise(actor, flow: Flow) -> None:
    """Before the 批办 transaction opens (so a recorded refusal is kept): may this leader raise an item?"""
    if getattr(actor, "unit_id", None) is None or not perms.can(actor, "supervision.raise_item", actor.unit):
        raise PermissionDeniedError("您不是本单位领导或督查员，不能列入督办。")


def raise_from_instruction(actor, flow: Flow, task: FlowTask, *, lead_unit=None, cooperating_units=(), deadline=None):
    """The 督办 item for the 批办 ``task`` just approved (call inside the 批办's transaction)."""
    from oa.supervision.services import raise_item

    from .engine import flow_url

    instruction = (task.opinion or "").strip()
    if not instruction:
        raise ServiceError("列入督办须填写批办意见（即督办的批示内容）。", field="opinion")
    incoming = flow.incoming
    deadline = deadline or incoming.deadline
    if deadline in (None, ""):
        raise ServiceError("列入督办须填写办理时限。", field="deadline")
    return raise_item(
        actor,
        title=incoming.title[:200],
        instruction=instruction,
        source_kind=SOURCE_KIND_INSTRUCTION,
        source_ref=source_ref(flow),
        source_url=flow_url(flow),
        lead_unit=lead_unit or flow.unit,
        cooperating_units=list(cooperating_units or ()),
        deadline=deadline,
        leader=task.assignee,  # 代签: the instruction is the principal's
    )


def items_for(user, flow: Flow):
    """The 督办 items raised from this 收文 that ``user`` may see."""
    from oa.supervision.selectors import visible_items

    return visible_items(user).filter(source_ref=source_ref(flow)).order_by("pk")


def unit_choices(flow: Flow):
    """Units offered as 牵头/协办单位 on the 批办 form: the own unit first, then its subordinate units and the
    units beside it (the API takes any active unit's id)."""
    from django.db.models import Q

    from oa.org.models import Unit

    unit = flow.unit
    near = Q(pk=unit.pk) | Q(parent_id=unit.pk)
    if unit.parent_id:
        near |= Q(parent_id=unit.parent_id)
    others = Unit.objects.filter(near, is_active=True).exclude(pk=unit.pk).order_by("path")[:200]
    return [unit, *others]
