"""Who may see and act on a unit's exchange: its 收发员 (also by 代理) act; its 签发人 and 单位管理员 may watch
the sender's board. One check shared by pages, API and the WebSocket consumer."""

from oa import permissions as perms
from oa.org.models import Role, Unit

ACT_ROLES = (Role.CLERK,)
WATCH_ROLES = (Role.CLERK, Role.SIGNER, Role.UNIT_ADMIN)


def _unit_ids(user, roles) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    held = perms.roles_of(user) | perms.acting_roles_of(user)
    return {unit_id for role, unit_id in held if role in roles}


def acting_unit_ids(user) -> set[int]:
    """Units whose exchange the person works (签收, 退回, 分发, 撤回)."""
    return _unit_ids(user, ACT_ROLES)


def watched_unit_ids(user) -> set[int]:
    """Units whose inbox and tracking the person may see."""
    return _unit_ids(user, WATCH_ROLES)


def can_act(user, unit_id: int) -> bool:
    return int(unit_id) in acting_unit_ids(user)


def can_watch(user, unit_id: int) -> bool:
    return int(unit_id) in watched_unit_ids(user)


def units(ids) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))
