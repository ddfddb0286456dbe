"""Unit lifecycle (deactivate, never delete what is in use), departments, people: with permissions and audit."""

import pytest

from oa.audit.models import AuditEvent, Result
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org import services
from oa.org.models import Department, Level, Person, Unit, UnitKind
from tests.factories import PASSWORD, DepartmentFactory, PersonFactory, RoleAssignmentFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_system_admin_creates_a_unit_and_the_audit_names_them(personas, org_tree):
    unit = services.create_unit(
        personas.sysadmin,
        name="阳江市财政局",
        short_name="市财政局",
        kind=UnitKind.GOV_DEPARTMENT,
        level=Level.CITY,
        fonds_number="YJ-CZ",
        parent=org_tree.yj_gov,
        code="阳财",
    )
    event = AuditEvent.objects.get(action="org.unit.create", object_id=str(unit.pk))
    assert event.actor == personas.sysadmin and event.actor_name == "赵系统"
    assert event.after["name"] == "阳江市财政局" and event.after["parent_id"] == org_tree.yj_gov.pk


def test_unit_admin_manages_only_their_subtree(personas, org_tree):
    town = services.create_unit(
        personas.jc_admin,
        name="城南街道办事处",
        short_name="城南街道",
        kind=UnitKind.GOVERNMENT,
        level=Level.TOWN,
        fonds_number="JC-CN",
        parent=org_tree.jc_gov,
    )
    assert town.parent == org_tree.jc_gov
    with pytest.raises(PermissionDeniedError):
        services.create_unit(
            personas.jc_admin,
            name="阳江市某局",
            short_name="某局",
            kind=UnitKind.GOV_DEPARTMENT,
            level=Level.CITY,
            fonds_number="YJ-X",
            parent=org_tree.yj_gov,
        )
    denied = AuditEvent.objects.filter(result=Result.DENIED, actor=personas.jc_admin)
    assert denied.exists()


@pytest.mark.parametrize("who", ["yj_staff", "secadmin", "auditor", "yj_mayor"])
def test_people_without_unit_management_power_cannot_create_units(personas, org_tree, who):
    with pytest.raises(PermissionDeniedError):
        services.create_unit(
            getattr(personas, who),
            name="某单位",
            short_name="某",
            kind=UnitKind.GOV_DEPARTMENT,
            level=Level.CITY,
            fonds_number="X-1",
            parent=org_tree.yj_gov,
        )


def test_only_system_admin_creates_root_units(personas):
    with pytest.raises(PermissionDeniedError, match="系统管理员"):
        services.create_unit(
            personas.yj_admin,
            name="某省",
            short_name="某省",
            kind=UnitKind.GOVERNMENT,
            level=Level.PROVINCE,
            fonds_number="R-1",
        )
    services.create_unit(
        personas.sysadmin,
        name="中共广东省委员会",
        short_name="省委",
        kind=UnitKind.PARTY,
        level=Level.PROVINCE,
        fonds_number="R-2",
    )


def test_unit_with_people_is_deactivated_not_deleted(org_tree):
    unit = UnitFactory(parent=org_tree.jy_gov, level=Level.CITY, kind=UnitKind.GOV_DEPARTMENT)
    PersonFactory(unit=unit)
    with pytest.raises(ServiceError, match="不能删除，只能停用"):
        services.delete_unit(None, unit)
    assert Unit.objects.filter(pk=unit.pk).exists()
    services.deactivate_unit(None, unit)
    unit.refresh_from_db()
    assert unit.is_active is False
    services.reactivate_unit(None, unit)
    unit.refresh_from_db()
    assert unit.is_active is True
    actions = list(
        AuditEvent.objects.filter(object_id=str(unit.pk), object_type="org.unit").values_list("action", flat=True)
    )
    assert actions == ["org.unit.deactivate", "org.unit.reactivate"]


@pytest.mark.parametrize("what", ["department", "role", "child"])
def test_unit_holding_departments_roles_or_children_cannot_be_deleted(org_tree, what):
    unit = UnitFactory(parent=org_tree.jy_gov, level=Level.CITY, kind=UnitKind.GOV_DEPARTMENT)
    if what == "department":
        DepartmentFactory(unit=unit)
    elif what == "role":
        RoleAssignmentFactory(person=PersonFactory(unit=unit))
        Person.objects.filter(unit=unit).update(unit=org_tree.jy_gov)  # the role stays, the person moved
    else:
        UnitFactory(parent=unit, level=Level.CITY)
    with pytest.raises(ServiceError, match="只能停用"):
        services.delete_unit(None, unit)


def test_unused_unit_created_by_mistake_can_be_deleted(org_tree):
    unit = UnitFactory(parent=org_tree.jy_gov)
    services.delete_unit(None, unit)
    assert not Unit.objects.filter(pk=unit.pk).exists()
    assert AuditEvent.objects.filter(action="org.unit.delete", object_id=str(unit.pk)).exists()


def test_deactivation_needs_sub_units_deactivated_first(org_tree):
    with pytest.raises(ServiceError, match="启用的下级单位"):
        services.deactivate_unit(None, org_tree.cb_street)
    services.deactivate_unit(None, org_tree.village)
    services.deactivate_unit(None, org_tree.cb_street)
    with pytest.raises(ServiceError, match="请先启用上级单位"):
        services.reactivate_unit(None, org_tree.village)


def test_departments_nest_one_level_only(org_tree):
    office = services.create_department(None, org_tree.yj_edu, "办公室")
    secretariat = services.create_department(None, org_tree.yj_edu, "秘书科", parent=office)
    with pytest.raises(ServiceError, match="最多两级"):
        services.create_department(None, org_tree.yj_edu, "收发组", parent=secretariat)
    with pytest.raises(ServiceError, match="已有名为"):
        services.create_department(None, org_tree.yj_edu, "办公室")
    other = services.create_department(None, org_tree.jy_gov, "办公室")
    with pytest.raises(ServiceError, match="不属于"):
        services.create_department(None, org_tree.yj_edu, "人事科", parent=other)
    assert Department.objects.filter(unit=org_tree.yj_edu).count() == 2


def test_department_with_people_cannot_be_deleted(org_tree):
    office = services.create_department(None, org_tree.yj_edu, "办公室")
    PersonFactory(unit=org_tree.yj_edu, department=office)
    with pytest.raises(ServiceError, match="不能删除"):
        services.delete_department(None, office)


def test_create_person_checks_department_and_password_and_audits(personas, org_tree):
    office = services.create_department(None, org_tree.yj_edu, "办公室")
    person = services.create_person(
        personas.yj_admin,
        username="lisi",
        name="李四",
        unit=org_tree.yj_edu,
        department=office,
        title="科长",
        password="Yj-Edu-2025!x",
    )
    assert person.check_password("Yj-Edu-2025!x") and person.is_staff is False
    assert AuditEvent.objects.filter(action="org.person.create", object_id=str(person.pk)).exists()
    with pytest.raises(ServiceError, match="已被使用"):
        services.create_person(None, username="lisi", name="李四", unit=org_tree.yj_edu)
    with pytest.raises(ServiceError, match="密码不符合要求"):
        services.create_person(personas.yj_admin, username="wangwu", name="王五", unit=org_tree.yj_edu, password="123")
    with pytest.raises(ServiceError, match="不属于"):
        services.create_person(None, username="zhaoliu", name="赵六", unit=org_tree.jy_gov, department=office)


def test_person_without_password_cannot_sign_in(org_tree, client):
    person = services.create_person(None, username="nopass", name="无密码", unit=org_tree.yj_gov)
    assert not person.has_usable_password()


def test_moving_a_person_with_roles_needs_roles_revoked_first(personas, org_tree):
    with pytest.raises(ServiceError, match="请先撤销"):
        services.update_person(personas.sysadmin, personas.yj_clerk, unit=org_tree.yj_edu)
    moved = services.update_person(personas.sysadmin, personas.yj_staff, unit=org_tree.yj_edu, title="副科长")
    assert moved.unit == org_tree.yj_edu and moved.department is None and moved.title == "副科长"


def test_system_admin_cannot_lock_out_the_security_admin(personas):
    with pytest.raises(PermissionDeniedError, match="安全管理员"):
        services.deactivate_person(personas.sysadmin, personas.secadmin)
    with pytest.raises(PermissionDeniedError, match="自己"):
        services.deactivate_person(personas.secadmin, personas.secadmin)
    services.deactivate_person(personas.secadmin, personas.auditor)
    personas.auditor.refresh_from_db()
    assert personas.auditor.is_active is False


def test_admin_resets_a_password_with_policy_and_audit(personas):
    services.set_password(personas.yj_admin, personas.yj_staff, "Reset-2025-Ok!")
    personas.yj_staff.refresh_from_db()
    assert personas.yj_staff.check_password("Reset-2025-Ok!")
    assert not personas.yj_staff.check_password(PASSWORD)
    with pytest.raises(PermissionDeniedError):
        services.set_password(personas.jc_admin, personas.yj_staff, "Reset-2025-Ok!")


def test_unit_referenced_by_business_records_is_refused_not_crashed(org_tree, personas):
    # A record protecting the unit (here a delegation naming it; later: documents) turns into a refusal.
    from tests.factories import DelegationFactory

    unit = UnitFactory(parent=org_tree.jy_gov)
    DelegationFactory(principal=personas.yj_mayor, deputy=personas.yj_vice, unit=unit)
    with pytest.raises(ServiceError, match="关联的业务数据"):
        services.delete_unit(None, unit)
    assert Unit.objects.filter(pk=unit.pk).exists()
