"""The permission module: predicates other apps reuse and the org permissions."""

import pytest

from oa import permissions
from oa.org.models import Role
from oa.permissions import RoleScope, can
from tests.factories import DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_same_unit_and_superior_unit_predicates(personas, org_tree):
    staff = personas.yj_staff
    assert permissions.same_unit(staff, org_tree.yj_gov)
    assert permissions.same_unit(staff, personas.yj_clerk)  # a person: their unit
    assert permissions.same_unit(staff, DepartmentFactory(unit=org_tree.yj_gov))
    assert not permissions.same_unit(staff, org_tree.jc_gov)
    assert permissions.superior_unit(staff, org_tree.village)
    assert permissions.superior_unit(staff, org_tree.yj_edu)  # same-level department below the government
    assert not permissions.superior_unit(staff, org_tree.yj_gov)
    assert not permissions.superior_unit(staff, org_tree.jy_gov)
    assert not permissions.superior_unit(personas.jc_admin, org_tree.yj_gov)
    assert permissions.unit_or_superior(staff, org_tree.yj_gov)
    assert not permissions.same_unit(staff, object())


def test_unit_admin_scope_is_their_subtree(personas, org_tree):
    admin = personas.yj_admin
    for unit in (org_tree.yj_gov, org_tree.yj_edu, org_tree.jc_gov, org_tree.village):
        assert can(admin, "org.manage_unit", unit)
        assert can(admin, "org.manage_people", PersonFactory(unit=unit))
    assert not can(admin, "org.manage_unit", org_tree.jy_gov)
    assert not can(admin, "org.manage_unit", org_tree.gd_gov)
    assert not can(personas.jc_admin, "org.manage_unit", org_tree.yj_gov)


def test_directory_is_open_to_signed_in_active_people(personas, org_tree):
    from django.contrib.auth.models import AnonymousUser

    assert can(personas.jy_staff, "org.view_unit", org_tree.yj_gov)
    assert not can(AnonymousUser(), "org.view_unit", org_tree.yj_gov)
    personas.jy_staff.is_active = False
    assert not can(personas.jy_staff, "org.view_unit", org_tree.yj_gov)


def test_grant_matrix(personas, org_tree):
    staff_role = RoleScope(personas.yj_staff, org_tree.yj_gov, Role.CLERK)
    three = RoleScope(personas.yj_staff, org_tree.gd_data, Role.AUDIT_ADMIN)
    assert can(personas.secadmin, "org.grant_role", staff_role)
    assert can(personas.secadmin, "org.grant_role", three)
    assert can(personas.yj_admin, "org.grant_role", staff_role)
    assert not can(personas.yj_admin, "org.grant_role", three)
    assert not can(personas.sysadmin, "org.grant_role", staff_role)
    assert not can(personas.auditor, "org.grant_role", staff_role)
    assert not can(personas.yj_staff, "org.grant_role", staff_role)
    assert not can(personas.secadmin, "org.grant_role", RoleScope(personas.secadmin, org_tree.gd_data, Role.CLERK))


def test_superuser_flag_does_not_bypass_the_rules(org_tree):
    boss = PersonFactory(unit=org_tree.yj_gov, is_superuser=True)
    assert not can(boss, "org.grant_role", RoleScope(PersonFactory(unit=org_tree.yj_gov), org_tree.yj_gov, Role.CLERK))
    assert not can(boss, "audit.view_trail")


def test_only_audit_admin_reads_the_trail(personas):
    assert can(personas.auditor, "audit.view_trail")
    for who in ("sysadmin", "secadmin", "yj_admin", "yj_staff"):
        assert not can(getattr(personas, who), "audit.view_trail")


def test_queryset_helpers_follow_the_tree(personas, org_tree):
    from oa.org.models import Person, Unit

    assert set(Unit.objects.filter(permissions.subtree_q(org_tree.jc_gov, ""))) == {
        org_tree.jc_gov,
        org_tree.cb_street,
        org_tree.village,
    }
    assert permissions.administered_q(personas.sysadmin) is None
    in_scope = set(Person.objects.filter(permissions.administered_q(personas.jc_admin)))
    assert in_scope == {personas.jc_admin}
    assert personas.yj_staff in set(Person.objects.filter(permissions.administered_q(personas.yj_admin)))
    assert not Person.objects.filter(permissions.administered_q(personas.yj_staff)).exists()
