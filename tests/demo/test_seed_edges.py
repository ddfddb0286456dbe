"""Seeding into a database that already has data of its own (on a cut-down plan, to stay fast)."""

from io import StringIO

import pytest
from django.core.management import call_command

from oa.org.demo.plan import DemoPlan, build_plan
from oa.org.demo.seed import seed
from oa.org.models import THREE_ADMINS, Level, Person, RoleAssignment, Unit
from tests.factories import UnitFactory


def province_only_plan() -> DemoPlan:
    plan = build_plan()
    units = [u for u in plan.units if u.level == Level.PROVINCE]
    keep = {u.fonds for u in units}
    guidance = [g for g in plan.guidance if g.unit in keep and g.superior in keep]
    logins = [login for login in plan.demo_logins if login.username in {"sysadmin", "secadmin", "auditadmin"}]
    return DemoPlan(units=units, guidance=guidance, delegations=[], demo_logins=logins)


@pytest.mark.django_db
def test_seed_leaves_three_admins_from_bootstrap_alone():
    platform = UnitFactory(fonds_number="X001")
    call_command("bootstrap_admins", "--unit", "X001", stdout=StringIO())
    created = seed(province_only_plan())
    assert created["units"] == 23
    for username in ("sysadmin", "secadmin", "auditadmin"):
        person = Person.objects.get(username=username)
        assert list(person.role_assignments.values_list("unit_id", flat=True)) == [platform.pk]
    assert RoleAssignment.objects.filter(role__in=THREE_ADMINS).count() == 3
    assert seed(province_only_plan()) == {}


@pytest.mark.django_db
def test_a_demo_person_moved_to_another_unit_gets_no_roles_back():
    plan = province_only_plan()
    seed(plan)
    person = Person.objects.get(username="u440000_22_04")  # the 核稿人 of 广东省教育厅
    finance = Unit.objects.get(name="广东省财政厅")
    assert person.role_assignments.exists()
    person.role_assignments.all().delete()
    Person.objects.filter(pk=person.pk).update(unit=finance, department=None)
    assert seed(plan) == {}
    assert not RoleAssignment.objects.filter(person=person).exists()
