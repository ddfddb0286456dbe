"""Who may see and act on 督办 items — the one place, used by pages, API, exports and the board socket.

- The units carrying an item (牵头单位 and 配合单位) see it: any member reads it and reports progress; the
  unit's 收发员 or 签发人 (leader; deputies included) signs for it, and the lead unit's asks to close it.
- The 督查员 sees what they supervise: items naming them, and every item raised by a unit where they hold
  the 督查员 role. They approve closing, send back, 催办 and cancel.
- The leader who gave the instruction sees the item.
- Nobody else: the item is reported as missing (404).

``visible_q(user)`` is the same rule as a queryset filter, for lists, the board and statistics.
"""

import rules
from django.db.models import Exists, OuterRef, Q

from oa.org.models import Role
from oa.permissions import acting_roles_of, has_effective_role, is_active_person, roles_of


def item_unit_ids(item) -> set[int]:
    cached = getattr(item, "_unit_ids", None)
    if cached is None:
        cached = set(item.assignments.values_list("unit_id", flat=True)) | {item.lead_unit_id}
        item._unit_ids = cached
    return cached


def supervisor_unit_ids(user) -> set[int]:
    """Units where the user holds the 督查员 role (directly or as today's deputy)."""
    pairs = roles_of(user) | acting_roles_of(user)
    return {unit_id for role, unit_id in pairs if role == Role.SUPERVISOR}


def _unit_handler(user, unit_id) -> bool:
    return has_effective_role(user, Role.CLERK, unit_id) or has_effective_role(user, Role.SIGNER, unit_id)


@rules.predicate
def in_carrying_unit(user, item):
    return bool(item is not None and user.unit_id and user.unit_id in item_unit_ids(item))


@rules.predicate
def handles_carrying_unit(user, item):
    """收发员 or 签发人 of the user's own unit, which carries the item."""
    return bool(in_carrying_unit(user, item) and _unit_handler(user, user.unit_id))


@rules.predicate
def handles_lead_unit(user, item):
    return bool(item is not None and user.unit_id == item.lead_unit_id and _unit_handler(user, item.lead_unit_id))


@rules.predicate
def is_item_supervisor(user, item):
    if item is None:
        return False
    return item.supervisor_id == user.pk or item.raising_unit_id in supervisor_unit_ids(user)


@rules.predicate
def is_item_leader(user, item):
    return item is not None and item.leader_id == user.pk


@rules.predicate
def may_raise(user, unit):
    """督查员 or 签发人 (leader) of the unit raising the item (without a unit: of any unit)."""
    pairs = roles_of(user) | acting_roles_of(user)
    wanted = {Role.SUPERVISOR, Role.SIGNER}
    if unit is None:
        return any(role in wanted for role, _ in pairs)
    return any(role in wanted and unit_id == unit.pk for role, unit_id in pairs)


rules.add_perm("supervision.view_item", is_active_person & (in_carrying_unit | is_item_supervisor | is_item_leader))
rules.add_perm("supervision.sign_item", is_active_person & handles_carrying_unit)
rules.add_perm("supervision.report_progress", is_active_person & in_carrying_unit)
rules.add_perm("supervision.request_close", is_active_person & handles_lead_unit)
rules.add_perm("supervision.decide", is_active_person & is_item_supervisor)
rules.add_perm("supervision.raise_item", is_active_person & may_raise)


def visible_q(user, prefix: str = "") -> Q:
    """Filter for ``Item`` querysets (``prefix`` such as "item__" for related models)."""
    from oa.supervision.models import ItemUnit

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    q = Q(**{f"{prefix}supervisor": user}) | Q(**{f"{prefix}leader": user})
    units = supervisor_unit_ids(user)
    if units:
        q |= Q(**{f"{prefix}raising_unit__in": units})
    if user.unit_id:
        carrying = ItemUnit.objects.filter(item=OuterRef(f"{prefix}pk"), unit_id=user.unit_id)
        q |= Q(Exists(carrying))
    return q
