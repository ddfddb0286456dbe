"""Roles: 三员 exclusivity and separation, no self-grant, who may grant what, signer leader kinds."""

import pytest

from oa import permissions
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org import services
from oa.org.models import LeaderKind, Role, RoleAssignment
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_security_admin_grants_a_role_and_it_is_audited(personas, org_tree):
    assignment = services.assign_role(personas.secadmin, personas.yj_staff, org_tree.yj_gov, Role.REVIEWER)
    assert assignment.granted_by == personas.secadmin
    event = AuditEvent.objects.get(action="org.role.assign")
    assert event.after == {
        "person_id": personas.yj_staff.pk,
        "unit_id": org_tree.yj_gov.pk,
        "role": "reviewer",
        "leader_kind": "",
    }
    services.revoke_role(personas.secadmin, assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="org.role.revoke").exists()


def test_unit_admin_grants_in_own_unit_and_subtree_only(personas, org_tree):
    services.assign_role(personas.yj_admin, personas.yj_staff, org_tree.yj_gov, Role.ARCHIVIST)
    village_clerk = PersonFactory(unit=org_tree.village)
    services.assign_role(personas.yj_admin, village_clerk, org_tree.village, Role.CLERK)  # in the subtree
    with pytest.raises(PermissionDeniedError):
        services.assign_role(personas.yj_admin, personas.jy_staff, org_tree.jy_gov, Role.CLERK)
    with pytest.raises(PermissionDeniedError):  # 江城区's admin cannot reach up to the city
        services.assign_role(personas.jc_admin, personas.yj_staff, org_tree.yj_gov, Role.CLERK)


def test_unit_admin_cannot_grant_three_admin_roles(personas, org_tree):
    with pytest.raises(PermissionDeniedError, match="三员角色只能由安全管理员授予"):
        services.assign_role(personas.yj_admin, personas.yj_staff, org_tree.gd_data, Role.AUDIT_ADMIN)


def test_system_admin_and_audit_admin_grant_nothing(personas, org_tree):
    with pytest.raises(PermissionDeniedError, match="系统管理员负责单位和账号，不能授予"):
        services.assign_role(personas.sysadmin, personas.yj_staff, org_tree.yj_gov, Role.CLERK)
    with pytest.raises(PermissionDeniedError, match="审计管理员"):
        services.assign_role(personas.auditor, personas.yj_staff, org_tree.yj_gov, Role.CLERK)
    clerk_role = personas.yj_clerk.role_assignments.get()
    with pytest.raises(PermissionDeniedError):
        services.revoke_role(personas.sysadmin, clerk_role)


def test_nobody_grants_a_role_to_themselves(personas, org_tree):
    with pytest.raises(PermissionDeniedError, match="不能给自己授予角色"):
        services.assign_role(personas.secadmin, personas.secadmin, org_tree.gd_data, Role.SYSTEM_ADMIN)
    with pytest.raises(PermissionDeniedError, match="不能给自己"):
        services.assign_role(personas.yj_admin, personas.yj_admin, org_tree.yj_gov, Role.SIGNER, LeaderKind.PRINCIPAL)
    with pytest.raises(PermissionDeniedError, match="不能撤销自己"):
        services.revoke_role(personas.yj_admin, personas.yj_admin.role_assignments.get())


def test_three_admin_roles_are_mutually_exclusive(personas, org_tree):
    with pytest.raises(ServiceError, match="三员互斥"):
        services.assign_role(personas.secadmin, personas.sysadmin, org_tree.gd_data, Role.AUDIT_ADMIN)
    newcomer = PersonFactory(unit=org_tree.gd_data)
    services.assign_role(personas.secadmin, newcomer, org_tree.gd_data, Role.AUDIT_ADMIN)
    with pytest.raises(ServiceError, match="三员互斥"):
        services.assign_role(personas.secadmin, newcomer, org_tree.gd_data, Role.SYSTEM_ADMIN)


def test_three_admin_roles_live_on_the_platform_unit(personas, org_tree):
    with pytest.raises(ServiceError, match="平台运维单位"):
        services.assign_role(personas.secadmin, personas.yj_staff, org_tree.yj_gov, Role.AUDIT_ADMIN)
    # a person from another unit may serve as 三员, on the platform unit
    services.assign_role(personas.secadmin, personas.yj_staff, org_tree.gd_data, Role.AUDIT_ADMIN)


def test_ordinary_roles_are_held_in_the_persons_own_unit(personas, org_tree):
    with pytest.raises(ServiceError, match="只能在本人所在单位"):
        services.assign_role(personas.secadmin, personas.yj_staff, org_tree.yj_edu, Role.CLERK)


def test_signer_needs_a_leader_kind_and_others_none(personas, org_tree):
    with pytest.raises(ServiceError, match="主要负责人或分管领导"):
        services.assign_role(personas.secadmin, personas.yj_staff, org_tree.yj_gov, Role.SIGNER)
    with pytest.raises(ServiceError, match="只有签发人需要领导类别"):
        services.assign_role(personas.secadmin, personas.yj_staff, org_tree.yj_gov, Role.CLERK, LeaderKind.DEPUTY)
    a = services.assign_role(personas.secadmin, personas.yj_staff, org_tree.yj_gov, Role.SIGNER, LeaderKind.DEPUTY)
    assert a.get_leader_kind_display() == "分管领导"


def test_duplicate_role_is_refused(personas, org_tree):
    with pytest.raises(ServiceError, match="已是"):
        services.assign_role(personas.secadmin, personas.yj_clerk, org_tree.yj_gov, Role.CLERK)


def test_admin_roles_open_the_admin_site_and_revoking_closes_it(personas, org_tree):
    assert personas.yj_staff.is_staff is False
    a = services.assign_role(personas.secadmin, personas.yj_staff, org_tree.yj_gov, Role.UNIT_ADMIN)
    personas.yj_staff.refresh_from_db()
    assert personas.yj_staff.is_staff is True
    services.revoke_role(personas.secadmin, a)
    personas.yj_staff.refresh_from_db()
    assert personas.yj_staff.is_staff is False


def test_last_security_admin_cannot_be_revoked(personas, org_tree):
    other = PersonFactory(unit=org_tree.gd_data)
    services.assign_role(personas.secadmin, other, org_tree.gd_data, Role.SECURITY_ADMIN)
    services.revoke_role(other, personas.secadmin.role_assignments.get())  # two of them: fine
    with pytest.raises(ServiceError, match="唯一的安全管理员"):
        services.revoke_role(None, other.role_assignments.get())


def test_role_cache_is_refreshed_after_a_grant(personas, org_tree):
    staff = personas.yj_staff
    assert not permissions.has_role(staff, Role.CLERK)
    services.assign_role(personas.secadmin, staff, org_tree.yj_gov, Role.CLERK)
    staff.refresh_from_db()
    permissions.forget_roles(staff)
    assert permissions.has_role(staff, Role.CLERK, org_tree.yj_gov.pk)
