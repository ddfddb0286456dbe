"""Role assignment and delegation (代理) — re-exported by ``oa.org.services``.

Rules:
- roles are held in a unit; a person holds roles only in their own unit, except the 三员 (系统管理员,
  安全管理员, 审计管理员), which all live on the one unit that runs the platform;
- the 三员 are mutually exclusive per person; nobody grants a role to themselves;
- the 安全管理员 grants any role; a 单位管理员 grants other roles in their unit's subtree; the 系统管理员 and
  the 审计管理员 grant nothing (see ``oa.permissions.can_grant``);
- 签发人 carries a leader kind (主要负责人 / 分管领导); other roles carry none;
- a holder (or the 单位管理员 on their behalf) delegates a role to a colleague of the same unit for a date
  range; delegations of one principal and role never overlap; delegated powers are not passed on.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oa import permissions as perms
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.auditing import audit, delegation_snapshot, role_snapshot
from oa.org.models import THREE_ADMINS, Delegation, LeaderKind, Person, Role, RoleAssignment, Unit

GRANT_DENIED = (
    "您无权授予或撤销该角色：角色由安全管理员，或本单位及上级单位的单位管理员授予；三员角色只能由安全管理员授予。"
)


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role


def _grant_denied(actor) -> str:
    # Spelled out for the 三员 because separation of powers is the rule people trip over most.
    if actor is not None and perms.has_role(actor, Role.SYSTEM_ADMIN):
        return "系统管理员负责单位和账号，不能授予或撤销角色；角色由安全管理员授予。"
    if actor is not None and perms.has_role(actor, Role.AUDIT_ADMIN):
        return "审计管理员只负责审计，不能授予或撤销角色。"
    return GRANT_DENIED


def platform_unit() -> Unit | None:
    """The unit that runs the platform: where the 三员 roles live (fixed by the first 三员 grant)."""
    assignment = RoleAssignment.objects.filter(role__in=THREE_ADMINS).select_related("unit").order_by("pk").first()
    return assignment.unit if assignment else None


def sync_staff_flag(person: Person) -> None:
    """Administrators (三员, 单位管理员) may open the Django admin; nobody else."""
    is_staff = person.role_assignments.filter(role__in=perms.STAFF_ROLES).exists()
    if person.is_staff != is_staff:
        person.is_staff = is_staff
        person.save(update_fields=["is_staff"])


# --- roles ----------------------------------------------------------------------------------------------


def check_assign_role(actor, person: Person, unit: Unit, role: str, leader_kind: str = "") -> None:
    if role not in Role.values:
        raise ServiceError("角色无效。", field="role")
    label = _role_label(role)
    if actor is not None and actor.pk == person.pk:
        raise PermissionDeniedError("不能给自己授予角色。")
    perms.require(actor, "org.grant_role", perms.RoleScope(person, unit, role), _grant_denied(actor))
    if role == Role.SIGNER:
        if leader_kind not in LeaderKind.values:
            raise ServiceError("签发人必须注明领导类别：主要负责人或分管领导。", field="leader_kind")
    elif leader_kind:
        raise ServiceError(f"只有签发人需要领导类别，{label}不需要。", field="leader_kind")
    if not person.is_active:
        raise ServiceError(f"“{person.name}”的账号已停用，不能授予角色。", field="person")
    if not unit.is_active:
        raise ServiceError(f"“{unit.name}”已停用，不能在该单位授予角色。", field="unit")
    if role in THREE_ADMINS:
        home = platform_unit()
        if home is not None and home.pk != unit.pk:
            raise ServiceError(f"三员角色统一设在平台运维单位“{home.name}”。", field="unit")
        held = person.role_assignments.filter(role__in=THREE_ADMINS).exclude(role=role).values_list("role", flat=True)
        if held:
            existing = _role_label(held[0])
            raise ServiceError(f"三员互斥：“{person.name}”已是{existing}，不能再担任{label}。", field="role")
    elif person.unit_id != unit.pk:
        raise ServiceError(f"“{person.name}”不属于“{unit.name}”：只能在本人所在单位担任{label}。", field="unit")
    if RoleAssignment.objects.filter(person=person, unit=unit, role=role).exists():
        raise ServiceError(f"“{person.name}”已是“{unit.name}”的{label}。", field="role")


def assign_role(actor, person: Person, unit: Unit, role: str, leader_kind: str = "") -> RoleAssignment:
    check_assign_role(actor, person, unit, role, leader_kind)
    with transaction.atomic():
        # Lock the person so two concurrent 三员 grants cannot both pass the exclusivity check.
        person = Person.objects.select_for_update().get(pk=person.pk)
        perms.forget_roles(person)
        check_assign_role(None, person, unit, role, leader_kind)
        assignment = RoleAssignment.objects.create(
            person=person,
            unit=unit,
            role=role,
            leader_kind=leader_kind or "",
            granted_by=actor if actor is not None else None,
        )
        sync_staff_flag(person)
        perms.forget_roles(person)
        audit(
            actor,
            "org.role.assign",
            assignment,
            after=role_snapshot(assignment),
            summary=f"授予“{person.name}”{unit.name}{_role_label(role)}角色",
        )
    return assignment


def revoke_role(actor, assignment: RoleAssignment) -> None:
    person, unit, role = assignment.person, assignment.unit, assignment.role
    if actor is not None and actor.pk == person.pk:
        raise PermissionDeniedError("不能撤销自己的角色，请由其他管理员办理。")
    perms.require(actor, "org.grant_role", perms.RoleScope(person, unit, role), _grant_denied(actor))
    with transaction.atomic():
        assignment = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if assignment is None:
            raise ServiceError("该角色分配已不存在。")
        if role == Role.SECURITY_ADMIN:
            others = RoleAssignment.objects.filter(role=Role.SECURITY_ADMIN, person__is_active=True).exclude(
                pk=assignment.pk
            )
            if not others.exists():
                raise ServiceError("不能撤销唯一的安全管理员，否则将无人能够授予角色。")
        before = role_snapshot(assignment)
        pk = assignment.pk
        assignment.delete()
        assignment.pk = pk
        # A delegation only lends what the principal holds: it ends with the role.
        today = timezone.localdate()
        ended = Delegation.objects.filter(
            principal=person, unit=unit, role=role, revoked_at__isnull=True, end_date__gte=today
        ).update(revoked_at=timezone.now())
        sync_staff_flag(person)
        perms.forget_roles(person)
        extra = f"，同时终止 {ended} 项代理" if ended else ""
        audit(
            actor,
            "org.role.revoke",
            assignment,
            before=before,
            summary=f"撤销“{person.name}”{unit.name}{_role_label(role)}角色{extra}",
        )


# --- delegation -----------------------------------------------------------------------------------------


def _overlapping(principal: Person, role: str, start: date, end: date):
    return Delegation.objects.filter(
        principal=principal, role=role, revoked_at__isnull=True, start_date__lte=end, end_date__gte=start
    )


def check_create_delegation(actor, *, principal, deputy, unit, start_date, end_date, role=Role.SIGNER) -> None:
    label = _role_label(role)
    if role in THREE_ADMINS:
        raise ServiceError("三员角色不能委托代理。", field="role")
    if not RoleAssignment.objects.filter(person=principal, unit=unit, role=role).exists():
        acting = perms.active_delegations(timezone.localdate()).filter(deputy=principal, unit=unit, role=role)
        if acting.exists():
            raise ServiceError(
                f"“{principal.name}”的{label}权限来自代理，代理取得的权限不能再转授。", field="principal"
            )
        raise ServiceError(f"“{principal.name}”不是“{unit.name}”的{label}，没有可代理的权限。", field="principal")
    perms.require(
        actor, "org.delegate", perms.RoleScope(principal, unit, role), f"只有{label}本人或单位管理员可以办理该代理。"
    )
    if deputy.pk == principal.pk:
        raise ServiceError("代理人不能是被代理人本人。", field="deputy")
    if not deputy.is_active:
        raise ServiceError(f"“{deputy.name}”的账号已停用，不能担任代理人。", field="deputy")
    if deputy.unit_id != unit.pk:
        raise ServiceError(f"代理人必须是“{unit.name}”的人员。", field="deputy")
    if start_date is None or end_date is None:
        raise ServiceError("请填写代理的开始日期和结束日期。", field="start_date")
    if end_date < start_date:
        raise ServiceError("结束日期不能早于开始日期。", field="end_date")
    if end_date < timezone.localdate():
        raise ServiceError("结束日期已过，不能设置已经结束的代理。", field="end_date")
    clash = _overlapping(principal, role, start_date, end_date).select_related("deputy").first()
    if clash is not None:
        raise ServiceError(
            f"“{principal.name}”在 {clash.start_date}～{clash.end_date} 已委托“{clash.deputy.name}”代理{label}，"
            "代理期间不能重叠。",
            field="start_date",
        )


def create_delegation(
    actor, *, principal, deputy, unit, start_date, end_date, role=Role.SIGNER, reason=""
) -> Delegation:
    check_create_delegation(
        actor, principal=principal, deputy=deputy, unit=unit, start_date=start_date, end_date=end_date, role=role
    )
    with transaction.atomic():
        # The principal's row serialises concurrent delegations, so the overlap check holds.
        principal = Person.objects.select_for_update().get(pk=principal.pk)
        check_create_delegation(
            None, principal=principal, deputy=deputy, unit=unit, start_date=start_date, end_date=end_date, role=role
        )
        delegation = Delegation.objects.create(
            principal=principal,
            deputy=deputy,
            unit=unit,
            role=role,
            start_date=start_date,
            end_date=end_date,
            reason=(reason or "").strip(),
            created_by=actor if actor is not None else None,
        )
        perms.forget_roles(deputy)
        audit(
            actor,
            "org.delegation.create",
            delegation,
            after=delegation_snapshot(delegation),
            summary=f"“{principal.name}”委托“{deputy.name}”代理{_role_label(role)}（{start_date}～{end_date}）",
        )
    return delegation


def revoke_delegation(actor, delegation: Delegation) -> Delegation:
    perms.require(
        actor,
        "org.delegate",
        perms.RoleScope(delegation.principal, delegation.unit, delegation.role),
        "只有被代理人本人或单位管理员可以撤销代理。",
    )
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.revoked_at is not None:
            raise ServiceError("该代理已经撤销。")
        if delegation.end_date < timezone.localdate():
            raise ServiceError("该代理已经结束，无需撤销。")
        before = delegation_snapshot(delegation)
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        perms.forget_roles(delegation.deputy)
        audit(
            actor,
            "org.delegation.revoke",
            delegation,
            before=before,
            after=delegation_snapshot(delegation),
            summary=f"撤销“{delegation.principal.name}”对“{delegation.deputy.name}”的代理",
        )
    return delegation


def effective_holders(unit: Unit, role: str, on_date: date | None = None) -> list[Person]:
    """Who may act in ``role`` for ``unit`` on ``on_date``: active holders and their deputies that day."""
    on_date = on_date or timezone.localdate()
    deputies = perms.active_delegations(on_date).filter(unit=unit, role=role).values("deputy_id")
    return list(
        Person.objects.filter(is_active=True)
        .filter(Q(role_assignments__unit=unit, role_assignments__role=role) | Q(pk__in=deputies))
        .distinct()
        .order_by("sort_order", "pk")
    )


def acting_principals(person: Person, role: str, on_date: date | None = None) -> list[Person]:
    """Whose ``role`` ``person`` holds by delegation on ``on_date`` (the people they act for)."""
    on_date = on_date or timezone.localdate()
    principals = perms.active_delegations(on_date).filter(deputy=person, role=role).values("principal_id")
    return list(Person.objects.filter(pk__in=principals).order_by("sort_order", "pk"))
