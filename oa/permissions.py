"""The one place that decides what a person may see and do.

Predicates are `rules` predicates; permissions are registered with ``rules.add_perm`` under names
``app.verb_object`` and checked everywhere (views, API, consumers, search) through ``can(user, perm, obj)``
or Django's ``user.has_perm``.  Later apps add their own rules in their own ``rules.py`` using the
predicates here.
"""

import rules

from oa.org.models import Role


def roles_of(user) -> set[tuple[str, int]]:
    """(role, unit_id) pairs the user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_oa_roles", None)
    if cached is None:
        cached = set(user.role_assignments.values_list("role", "unit_id"))
        user._oa_roles = cached
    return cached


def has_role(user, role: str, unit_id: int | None = None) -> bool:
    return any(r == role and (unit_id is None or u == unit_id) for r, u in roles_of(user))


@rules.predicate
def is_system_admin(user):
    return has_role(user, Role.SYSTEM_ADMIN)


@rules.predicate
def is_security_admin(user):
    return has_role(user, Role.SECURITY_ADMIN)


@rules.predicate
def is_audit_admin(user):
    return has_role(user, Role.AUDIT_ADMIN)


def can(user, perm: str, obj=None) -> bool:
    return bool(user is not None and getattr(user, "is_active", False) and user.has_perm(perm, obj))


# Only the 审计管理员 reads the audit trail.
rules.add_perm("audit.view_trail", is_audit_admin)
