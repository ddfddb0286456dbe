"""The one place that decides what a person may see and do.

Predicates are `rules` predicates; permissions are registered with ``rules.add_perm`` under names
``app.verb_object`` and checked everywhere (views, API, consumers, search) through ``can(user, perm, obj)``
or Django's ``user.has_perm``.  Later apps add their own rules in their own ``rules.py`` using the
predicates here:

- ``same_unit`` (同单位), ``superior_unit`` (上级单位: the user's unit is an ancestor in the tree),
  ``unit_or_superior`` (either), ``is_unit_admin_over`` (单位管理员 of the object's unit or an ancestor);
- ``holds_role(Role.SIGNER)``: the user holds the role in the object's unit, directly or as today's deputy
  (代理);
- ``unit_of(obj)`` finds the unit an object belongs to (a Unit, or anything with ``owner_unit`` / ``unit``);
- ``subtree_q(unit, field)`` / ``administered_q(user, field)`` filter querysets by the tree;
- ``require(user, perm, obj, message)`` raises ``PermissionDeniedError`` (and records the refusal).

Role data is cached on the user object for the request; services that change roles call ``forget_roles``.
"""

from dataclasses import dataclass
from datetime import date

import rules
from django.db.models import F, Q
from django.utils import timezone

from oa.core.errors import PermissionDeniedError
from oa.org.models import THREE_ADMINS, Delegation, Role, Unit

_CACHE_ATTRS = ("_oa_roles", "_oa_admin_paths", "_oa_acting")

# Roles that open the Django admin (is_staff is kept in sync with them by oa.org.services).
STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.UNIT_ADMIN})


@dataclass(frozen=True)
class RoleScope:
    """The object of ``org.grant_role`` and ``org.delegate``: a role of a person in a unit."""

    person: object
    unit: Unit
    role: str


# --- role data ----------------------------------------------------------------------------------------


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


def acting_roles_of(user, on_date: date | None = None) -> set[tuple[str, int]]:
    """(role, unit_id) pairs the user holds today as a deputy (代理) for someone who still holds the role."""
    if not getattr(user, "is_authenticated", False):
        return set()
    on_date = on_date or timezone.localdate()
    cache = getattr(user, "_oa_acting", None)
    if cache is None:
        cache = user._oa_acting = {}
    if on_date not in cache:
        cache[on_date] = set(active_delegations(on_date).filter(deputy=user).values_list("role", "unit_id"))
    return cache[on_date]


def active_delegations(on_date: date):
    """Delegations in force on ``on_date`` whose principal still holds the delegated role."""
    return Delegation.objects.filter(
        revoked_at__isnull=True,
        start_date__lte=on_date,
        end_date__gte=on_date,
        principal__is_active=True,
        principal__role_assignments__role=F("role"),
        principal__role_assignments__unit=F("unit"),
    )


def has_effective_role(user, role: str, unit_id: int, on_date: date | None = None) -> bool:
    """Holds the role in the unit, or acts for someone who does (代理) on that date."""
    return has_role(user, role, unit_id) or (role, unit_id) in acting_roles_of(user, on_date)


def admin_unit_paths(user) -> tuple[str, ...]:
    """Tree paths of the units where the user is 单位管理员 (their subtrees are what they administer)."""
    if not getattr(user, "is_authenticated", False):
        return ()
    cached = getattr(user, "_oa_admin_paths", None)
    if cached is None:
        ids = [u for r, u in roles_of(user) if r == Role.UNIT_ADMIN]
        cached = tuple(Unit.objects.filter(pk__in=ids, is_active=True).values_list("path", flat=True)) if ids else ()
        user._oa_admin_paths = cached
    return cached


def forget_roles(user) -> None:
    for attr in _CACHE_ATTRS:
        if hasattr(user, attr):
            delattr(user, attr)


# --- objects and the tree --------------------------------------------------------------------------------


def unit_of(obj) -> Unit | None:
    """The unit an object belongs to: the object itself, its ``owner_unit`` or its ``unit``."""
    if obj is None:
        return None
    if isinstance(obj, Unit):
        return obj
    for attr in ("owner_unit", "unit"):
        unit = getattr(obj, attr, None)
        if isinstance(unit, Unit):
            return unit
    return None


def user_unit(user) -> Unit | None:
    if not getattr(user, "is_authenticated", False) or not user.unit_id:
        return None
    return user.unit


def is_within(unit: Unit | None, root_path: str) -> bool:
    """``unit`` is the unit with path ``root_path`` or one of its descendants."""
    return bool(unit is not None and root_path and unit.path.startswith(root_path))


def subtree_q(unit_or_path, field: str = "unit"):
    """Queryset filter for objects whose ``field`` (a Unit foreign key; ``""`` for Unit itself) lies in the
    subtree of ``unit_or_path``: ``Document.objects.filter(subtree_q(city))``."""
    path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    return Q(**{lookup: path})


def administered_q(user, field: str = "unit"):
    """Queryset filter for what ``user`` administers: None when they see the whole platform (三员),
    otherwise the subtrees of the units where they are 单位管理员 (nothing when none)."""
    if is_system_admin(user) or is_security_admin(user):
        return None
    q = Q(pk__in=[])
    for path in admin_unit_paths(user):
        q |= subtree_q(path, field)
    return q


# --- predicates -----------------------------------------------------------------------------------------


@rules.predicate
def is_active_person(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_system_admin(user):
    return has_role(user, Role.SYSTEM_ADMIN)


@rules.predicate
def is_security_admin(user):
    return has_role(user, Role.SECURITY_ADMIN)


@rules.predicate
def is_audit_admin(user):
    return has_role(user, Role.AUDIT_ADMIN)


@rules.predicate
def is_any_unit_admin(user):
    return bool(admin_unit_paths(user))


@rules.predicate
def same_unit(user, obj):
    """同单位: the object belongs to the user's own unit."""
    unit = unit_of(obj)
    return bool(unit is not None and user_unit(user) is not None and unit.pk == user.unit_id)


@rules.predicate
def superior_unit(user, obj):
    """上级单位: the user's unit is a strict ancestor of the object's unit in the tree."""
    own, unit = user_unit(user), unit_of(obj)
    return bool(own is not None and unit is not None and own.pk != unit.pk and is_within(unit, own.path))


unit_or_superior = same_unit | superior_unit


@rules.predicate
def is_unit_admin_over(user, obj):
    """单位管理员 of the object's unit or of one of its ancestors. Without an object: of any unit."""
    paths = admin_unit_paths(user)
    if obj is None:
        return bool(paths)
    unit = unit_of(obj)
    return any(is_within(unit, p) for p in paths)


def holds_role(role: str):
    """Predicate factory: the user holds ``role`` in the object's unit, directly or as today's deputy."""

    @rules.predicate(name=f"holds_role:{role}")
    def _holds(user, obj):
        unit = unit_of(obj)
        return bool(unit is not None and has_effective_role(user, role, unit.pk))

    return _holds


@rules.predicate
def can_grant(user, scope):
    """Who may grant or revoke a role (三员 separation of powers):

    - nobody grants to (or revokes from) themselves;
    - the 安全管理员 grants any role, platform-wide;
    - a 单位管理员 grants roles other than the 三员 in their unit's subtree;
    - the 系统管理员 and the 审计管理员 grant nothing.
    Without an object: may the user grant roles at all (opens the role admin)."""
    if has_role(user, Role.SYSTEM_ADMIN) or has_role(user, Role.AUDIT_ADMIN):
        return False
    if scope is None:
        return has_role(user, Role.SECURITY_ADMIN) or bool(admin_unit_paths(user))
    if not isinstance(scope, RoleScope):
        return False
    if getattr(scope.person, "pk", None) == user.pk:
        return False
    if has_role(user, Role.SECURITY_ADMIN):
        return True
    if scope.role in THREE_ADMINS:
        return False
    return any(is_within(scope.unit, p) for p in admin_unit_paths(user))


@rules.predicate
def can_delegate(user, scope):
    """A holder of a role delegates it (代理); the 单位管理员 may do it on the holder's behalf.
    The 三员 roles are never delegated."""
    if scope is None:
        return bool(admin_unit_paths(user)) or bool(roles_of(user))
    if not isinstance(scope, RoleScope) or scope.role in THREE_ADMINS:
        return False
    if getattr(scope.person, "pk", None) == user.pk:
        return has_role(user, scope.role, scope.unit.pk)
    return any(is_within(scope.unit, p) for p in admin_unit_paths(user))


def can(user, perm: str, obj=None) -> bool:
    """May ``user`` do ``perm`` (on ``obj``)?  Permissions defined here are answered by their rule alone:
    Django's ``has_perm`` says yes to any superuser first, which would merge the 三员's separate powers.
    Other permissions (guardian's explicit grants, model permissions) go through ``user.has_perm``."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if rules.perm_exists(perm):
        return bool(rules.has_perm(perm, user, obj))
    return bool(user.has_perm(perm, obj))


def require(user, perm: str, obj=None, message: str = "您没有执行该操作的权限。") -> None:
    """Raise ``PermissionDeniedError`` unless ``user`` has ``perm``; ``user=None`` is the system itself.

    Call it before opening the service's transaction so the recorded refusal is not rolled back."""
    if user is None or can(user, perm, obj):
        return
    from oa.audit.models import Result
    from oa.audit.services import record_outside

    target = obj if not isinstance(obj, RoleScope) else obj.unit
    record_outside(user, perm, target, result=Result.DENIED, summary=message)
    raise PermissionDeniedError(message)


# --- permissions ----------------------------------------------------------------------------------------

# Only the 审计管理员 reads the audit trail.
rules.add_perm("audit.view_trail", is_audit_admin)

# The organisation directory is open to every signed-in person.
rules.add_perm("org.view_unit", is_active_person)
rules.add_perm("org.view_person", is_active_person)
# Units, departments, double leadership: the 系统管理员 everywhere, a 单位管理员 in their subtree.
rules.add_perm("org.manage_unit", is_active_person & (is_system_admin | is_unit_admin_over))
# People and their accounts: the same.
rules.add_perm("org.manage_people", is_active_person & (is_system_admin | is_unit_admin_over))
rules.add_perm("org.grant_role", is_active_person & can_grant)
rules.add_perm("org.delegate", is_active_person & can_delegate)
# Role assignments may be listed by whoever manages people or grants roles.
rules.add_perm("org.view_roles", is_active_person & (is_system_admin | is_security_admin | is_unit_admin_over))
# Root units (province level) are created only by the 系统管理员.
rules.add_perm("org.create_root_unit", is_active_person & is_system_admin)
# Accounts of the 三员 themselves are looked after by the 安全管理员 (the 系统管理员 cannot lock them out).
rules.add_perm("org.manage_admin_accounts", is_active_person & is_security_admin)
