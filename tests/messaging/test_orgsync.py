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
