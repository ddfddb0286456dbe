"""Unit and department groups follow the organisation: joins, moves, deactivation, the resync command."""

import pytest
from django.core.management import call_command

from oa.audit.models import AuditEvent
from oa.messaging import services
from oa.messaging.models import Conversation, ConversationKind, Membership
from oa.org import services as org_services
from tests.factories import DepartmentFactory, PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _groups_of(person):
    return {
        (c.kind, c.unit_id or c.department_id)
        for c in services.conversations_for(person)
        if c.kind in (ConversationKind.UNIT, ConversationKind.DEPARTMENT)
    }


def test_new_person_joins_unit_and_department_groups(unit, department):
    person = PersonFactory(unit=unit, department=department)
    assert _groups_of(person) == {("unit", unit.pk), ("department", department.pk)}
    joins = AuditEvent.objects.filter(action="messaging.member_join")
    assert joins.count() == 2 and all(e.actor_name == "系统（组织机构同步）" for e in joins)


def test_moving_to_another_unit_changes_groups_and_is_audited(unit, department, personas):
    person = PersonFactory(unit=unit, department=department, name="调动人")
    old_group = Conversation.objects.get(unit=unit)
    services.send_message(person, old_group, text="旧单位的消息")
    new_unit = personas.yj_admin.unit
    org_services.update_person(personas.sysadmin, person, unit=new_unit)  # the department goes with the move
    assert _groups_of(person) == {("unit", new_unit.pk)}
    with pytest.raises(services.NotFoundError):
        services.get_conversation_for(person, old_group.pk)
    assert AuditEvent.objects.filter(action="messaging.member_leave").count() == 2
    # New members start reading from the moment they join: no flood of old unread messages.
    assert services.unread_total(person) == 0


def test_deactivation_leaves_and_reactivation_rejoins(unit, personas):
    person = PersonFactory(unit=personas.yj_staff.unit)
    group = Conversation.objects.get(unit=person.unit)
    org_services.deactivate_person(personas.yj_admin, person)
    assert not Membership.objects.filter(conversation=group, person=person, active=True).exists()
    org_services.reactivate_person(personas.yj_admin, person)
    assert Membership.objects.filter(conversation=group, person=person, active=True, by_org=True).exists()


def test_unit_group_title_follows_the_unit(unit):
    PersonFactory(unit=unit)
    group = Conversation.objects.get(unit=unit)
    unit.name = "阳江市人民政府（新）"
    unit.save()
    group.refresh_from_db()
    assert group.display_title() == "阳江市人民政府（新）（单位群）"


def test_resync_command_repairs_memberships(unit, capsys):
    people = [PersonFactory(unit=unit) for _ in range(3)]
    other = UnitFactory()
    # A bulk update bypasses signals: the groups are now out of step.
    type(people[0]).objects.filter(pk__in=[p.pk for p in people[:2]]).update(unit=other)
    call_command("messaging_sync_groups")
    out = capsys.readouterr().out
    assert "加入 2 人次" in out and "退出 2 人次" in out
    assert Conversation.objects.get(unit=other).memberships.filter(active=True).count() == 2
    assert Conversation.objects.get(unit=unit).memberships.filter(active=True).count() == 1


def test_org_group_members_cannot_be_managed_by_hand(unit):
    a, b = PersonFactory(unit=unit), PersonFactory()
    group = Conversation.objects.get(unit=unit)
    with pytest.raises(services.PermissionDeniedError):
        services.add_members(a, group, [b])
    with pytest.raises(services.ServiceError, match="不能退出"):
        services.leave_group(a, group)


def test_department_of_another_unit_is_not_joined(unit):
    foreign = DepartmentFactory(unit=UnitFactory())
    person = PersonFactory(unit=unit, department=foreign)
    assert _groups_of(person) == {("unit", unit.pk)}


@pytest.mark.django_db(transaction=True)
def test_sync_runs_after_the_organisation_change_commits(personas):
    person = org_services.create_person(
        personas.yj_admin, username="newcomer", name="新同事", unit=personas.yj_admin.unit, password="Gd-New-Passw0rd!9"
    )
    group = Conversation.objects.get(unit=personas.yj_admin.unit)
    assert Membership.objects.filter(conversation=group, person=person, active=True).exists()
    event = AuditEvent.objects.filter(action="messaging.member_join", after__person=person.pk).get()
    assert event.actor_name == "系统（组织机构同步）"


# --- departments and units changing -----------------------------------------------------------------------


def test_moving_between_departments_of_the_unit_switches_department_groups(unit, department, personas):
    person = PersonFactory(unit=unit, department=department)
    other = org_services.create_department(personas.sysadmin, unit, "秘书科")
    org_services.update_person(personas.sysadmin, person, department=other)
    assert _groups_of(person) == {("unit", unit.pk), ("department", other.pk)}
    assert not Membership.objects.filter(conversation__department=department, person=person, active=True).exists()


def test_a_new_department_gets_its_group_with_its_first_member(unit, personas):
    person = PersonFactory(unit=unit)
    created = org_services.create_department(personas.sysadmin, unit, "督查科")
    assert not Conversation.objects.filter(department=created).exists()  # nobody to talk to yet
    org_services.update_person(personas.sysadmin, person, department=created)
    group = Conversation.objects.get(department=created)
    assert group.kind == ConversationKind.DEPARTMENT
    assert list(group.memberships.filter(active=True).values_list("person_id", flat=True)) == [person.pk]


def test_department_group_title_follows_a_rename(unit, department, personas):
    person = PersonFactory(unit=unit, department=department)
    org_services.update_department(personas.sysadmin, department, name="综合科")
    [group] = [c for c in services.conversations_for(person) if c.kind == ConversationKind.DEPARTMENT]
    assert group.display_title(person) == "阳江市政府·综合科（科室群）"


def test_deleting_an_emptied_department_keeps_its_group_as_a_record(unit, department, personas):
    person = PersonFactory(unit=unit, department=department)
    group = Conversation.objects.get(department=department)
    services.send_message(person, group, text="科室群的最后一条")
    org_services.update_person(personas.sysadmin, person, department=None)
    org_services.delete_department(personas.sysadmin, department)  # was a ProtectedError (a 500)
    group.refresh_from_db()
    assert (group.kind, group.department_id, group.title) == ("group", None, "阳江市政府·办公室（已撤销）")
    assert not group.memberships.filter(active=True).exists()
    assert group.messages.get().body == "科室群的最后一条"
    assert AuditEvent.objects.filter(action="messaging.retire_group", object_id=str(group.pk)).exists()
    with pytest.raises(services.NotFoundError):
        services.get_conversation_for(person, group.pk)


def test_deactivating_a_unit_empties_its_group_and_reactivating_refills_it(unit, department, personas):
    people = [PersonFactory(unit=unit, department=department) for _ in range(2)]
    group = Conversation.objects.get(unit=unit)
    org_services.deactivate_unit(personas.sysadmin, unit)
    assert not group.memberships.filter(active=True).exists()
    # The department group is the department's: it stays while the department is active.
    assert Conversation.objects.get(department=department).memberships.filter(active=True).count() == 2
    org_services.reactivate_unit(personas.sysadmin, unit)
    assert set(group.memberships.filter(active=True).values_list("person_id", flat=True)) == {p.pk for p in people}
    assert AuditEvent.objects.filter(action="messaging.member_leave", object_id=str(group.pk)).count() == 2


def test_deactivating_a_department_takes_its_people_out_of_its_group(unit, department):
    person = PersonFactory(unit=unit, department=department)
    group = Conversation.objects.get(department=department)
    department.is_active = False
    department.save(update_fields=["is_active"])  # e.g. from the admin
    assert _groups_of(person) == {("unit", unit.pk)}
    department.is_active = True
    department.save()
    assert group.memberships.filter(person=person, active=True).exists()


def test_editing_a_unit_costs_the_same_whatever_its_number_of_people(unit, personas):
    """A save of the unit re-checks its group in a few queries, not once per person."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_rename(name) -> int:
        with CaptureQueriesContext(connection) as captured:
            org_services.update_unit(personas.sysadmin, unit, name=name)
        return len(captured)

    PersonFactory(unit=unit)
    queries_for_rename("阳江市人民政府（〇）")  # warms the per-actor caches
    few = queries_for_rename("阳江市人民政府（一）")
    for _ in range(10):
        PersonFactory(unit=unit)
    assert queries_for_rename("阳江市人民政府（二）") == few
    assert Conversation.objects.get(unit=unit).memberships.filter(active=True).count() == 11
