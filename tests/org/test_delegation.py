"""Delegation (代理): who may delegate, to whom, when; no overlaps, no re-delegation; effective holders."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from oa import permissions
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org import services
from oa.org.models import Role
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def delegate(actor, principal, deputy, unit, start, end, role=Role.SIGNER):
    return services.create_delegation(
        actor, principal=principal, deputy=deputy, unit=unit, start_date=start, end_date=end, role=role, reason="出差"
    )


def test_signer_delegates_to_a_colleague_who_then_acts_for_them(personas, org_tree):
    today = timezone.localdate()
    delegate(personas.yj_mayor, personas.yj_mayor, personas.yj_vice, org_tree.yj_gov, today, today + 3 * DAY)
    holders = services.effective_holders(org_tree.yj_gov, Role.SIGNER, today)
    assert set(holders) == {personas.yj_mayor, personas.yj_vice}
    assert services.acting_principals(personas.yj_vice, Role.SIGNER, today) == [personas.yj_mayor]
    # a staff member without the role becomes an effective signer only during the range
    delegate(personas.yj_vice, personas.yj_vice, personas.yj_staff, org_tree.yj_gov, today + DAY, today + 2 * DAY)
    assert personas.yj_staff not in services.effective_holders(org_tree.yj_gov, Role.SIGNER, today)
    assert personas.yj_staff in services.effective_holders(org_tree.yj_gov, Role.SIGNER, today + DAY)
    assert personas.yj_staff not in services.effective_holders(org_tree.yj_gov, Role.SIGNER, today + 3 * DAY)


def test_effective_role_follows_the_calendar(personas, org_tree):
    today = timezone.localdate()
    delegate(None, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today + DAY, today + DAY)
    staff = personas.yj_staff
    assert not permissions.has_effective_role(staff, Role.SIGNER, org_tree.yj_gov.pk)
    with time_machine.travel(today + DAY, tick=False):
        permissions.forget_roles(staff)
        assert permissions.has_effective_role(staff, Role.SIGNER, org_tree.yj_gov.pk)
        assert permissions.holds_role(Role.SIGNER).test(staff, org_tree.yj_gov)
    with time_machine.travel(today + 2 * DAY, tick=False):
        permissions.forget_roles(staff)
        assert not permissions.has_effective_role(staff, Role.SIGNER, org_tree.yj_gov.pk)


def test_date_range_must_be_valid(personas, org_tree):
    today = timezone.localdate()
    with pytest.raises(ServiceError, match="结束日期不能早于开始日期"):
        delegate(None, personas.yj_mayor, personas.yj_vice, org_tree.yj_gov, today + 2 * DAY, today + DAY)
    with pytest.raises(ServiceError, match="结束日期已过"):
        delegate(None, personas.yj_mayor, personas.yj_vice, org_tree.yj_gov, today - 5 * DAY, today - DAY)


def test_overlapping_delegations_of_one_principal_are_refused(personas, org_tree):
    today = timezone.localdate()
    delegate(None, personas.yj_mayor, personas.yj_vice, org_tree.yj_gov, today, today + 5 * DAY)
    with pytest.raises(ServiceError, match="不能重叠"):
        delegate(None, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today + 5 * DAY, today + 9 * DAY)
    delegate(None, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today + 6 * DAY, today + 9 * DAY)


def test_revoked_delegation_frees_the_range_and_ends_the_power(personas, org_tree):
    today = timezone.localdate()
    d = delegate(None, personas.yj_mayor, personas.yj_vice, org_tree.yj_gov, today, today + 5 * DAY)
    services.revoke_delegation(personas.yj_mayor, d)
    assert services.acting_principals(personas.yj_vice, Role.SIGNER) == []
    with pytest.raises(ServiceError, match="已经撤销"):
        services.revoke_delegation(personas.yj_mayor, d)
    delegate(None, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today, today + 2 * DAY)


def test_delegated_powers_cannot_be_passed_on(personas, org_tree):
    today = timezone.localdate()
    delegate(None, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today, today + 5 * DAY)
    other = PersonFactory(unit=org_tree.yj_gov)
    with pytest.raises(ServiceError, match="代理取得的权限不能再转授"):
        delegate(personas.yj_staff, personas.yj_staff, other, org_tree.yj_gov, today, today + DAY)
    with pytest.raises(ServiceError, match="代理取得的权限不能再转授"):
        delegate(personas.yj_admin, personas.yj_staff, other, org_tree.yj_gov, today, today + DAY)


def test_only_the_holder_or_the_unit_admin_may_delegate(personas, org_tree):
    today = timezone.localdate()
    with pytest.raises(PermissionDeniedError):
        delegate(personas.yj_vice, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today, today + DAY)
    with pytest.raises(PermissionDeniedError):
        delegate(personas.jy_staff, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today, today + DAY)
    d = delegate(personas.yj_admin, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today, today + DAY)
    assert d.created_by == personas.yj_admin


def test_deputy_must_be_in_the_same_unit_and_not_the_principal(personas, org_tree):
    today = timezone.localdate()
    with pytest.raises(ServiceError, match="必须是“阳江市人民政府”的人员"):
        delegate(None, personas.yj_mayor, personas.jy_staff, org_tree.yj_gov, today, today + DAY)
    with pytest.raises(ServiceError, match="本人"):
        delegate(None, personas.yj_mayor, personas.yj_mayor, org_tree.yj_gov, today, today + DAY)


def test_three_admin_roles_are_never_delegated(personas, org_tree):
    today = timezone.localdate()
    deputy = PersonFactory(unit=org_tree.gd_data)
    with pytest.raises(ServiceError, match="三员角色不能委托代理"):
        delegate(
            personas.secadmin, personas.secadmin, deputy, org_tree.gd_data, today, today + DAY, role=Role.SECURITY_ADMIN
        )


def test_revoking_the_role_ends_its_delegations(personas, org_tree):
    today = timezone.localdate()
    d = delegate(None, personas.yj_mayor, personas.yj_staff, org_tree.yj_gov, today, today + 3 * DAY)
    services.revoke_role(personas.secadmin, personas.yj_mayor.role_assignments.get(role=Role.SIGNER))
    d.refresh_from_db()
    assert d.revoked_at is not None
    assert personas.yj_staff not in services.effective_holders(org_tree.yj_gov, Role.SIGNER)
