"""Unit and department groups kept in step with the organisation.

Every active person is a member of the group of their (active) unit and of their (active) department
(内设机构); people who move, or whose account is deactivated, leave the old groups. A group is created with
its first member, so a new department gets its group when somebody is placed in it, and the titles follow
the unit's and the department's names as they are now. What runs when (see oa.messaging.signals):

- a person saved (unit, department, activation): ``sync_person``;
- a unit or department deactivated or reactivated: ``sync_place`` (its people leave or rejoin);
- a department deleted (only possible once it is empty): ``retire_department_group`` keeps the group's
  history as a plain group without members, so the deletion is not blocked by the chat record.

``sync_all`` (the ``messaging_sync_groups`` command) repairs everything, e.g. after bulk imports that bypass
signals.  Each join or leave is an audit event.
"""

from django.db import transaction
from django.utils import timezone

from oa.audit.services import record
from oa.messaging import push
from oa.messaging.models import Conversation, ConversationKind, Membership
from oa.messaging.services import roster_changed
from oa.org.models import Department, Person, Unit

SYSTEM_ACTOR = "系统（组织机构同步）"


def unit_group(unit: Unit) -> Conversation:
    group, _ = Conversation.objects.get_or_create(kind=ConversationKind.UNIT, unit=unit)
    return group


def department_group(department: Department) -> Conversation:
    group, _ = Conversation.objects.get_or_create(kind=ConversationKind.DEPARTMENT, department=department)
    return group


def desired_groups(person: Person) -> list[Conversation]:
    if not person.is_active:
        return []
    groups = []
    if person.unit_id and person.unit.is_active:
        groups.append(unit_group(person.unit))
    if person.department_id and person.department.is_active and person.department.unit_id == person.unit_id:
        groups.append(department_group(person.department))
    return groups


def sync_person(person: Person) -> tuple[int, int]:
    """Bring one person's org-group memberships in line with their unit and department. Returns
    (joined, left)."""
    with transaction.atomic():
        wanted = {g.pk: g for g in desired_groups(person)}
        current = {
            m.conversation_id: m
            for m in Membership.objects.filter(
                person=person, active=True, conversation__kind__in=[ConversationKind.UNIT, ConversationKind.DEPARTMENT]
            ).select_related("conversation__unit", "conversation__department__unit")
        }
        joined = left = 0
        for group_id, group in wanted.items():
            if group_id in current:
                continue
            locked = Conversation.objects.select_for_update().get(pk=group_id)
            membership = Membership.objects.filter(conversation=locked, person=person).first()
            if membership is None:
                Membership.objects.create(
                    conversation=locked, person=person, by_org=True, last_read_seq=locked.last_seq
                )
            else:
                membership.active, membership.by_org, membership.left_at = True, True, None
                membership.last_read_seq = locked.last_seq
                membership.save(update_fields=["active", "by_org", "left_at", "last_read_seq"])
            record(SYSTEM_ACTOR, "messaging.member_join", group, after={"person": person.pk},
                   summary=f"{person.get_full_name()}随组织机构加入「{group.display_title()}」")
            joined += 1
        for group_id, membership in current.items():
            if group_id in wanted:
                continue
            membership.active, membership.left_at = False, timezone.now()
            membership.save(update_fields=["active", "left_at"])
            roster_changed(group_id)
            group = membership.conversation
            record(SYSTEM_ACTOR, "messaging.member_leave", group, before={"person": person.pk},
                   summary=f"{person.get_full_name()}随组织机构退出「{group.display_title()}」")
            left += 1
        if joined or left:
            push.on_commit([person.pk], {"type": "chat.conversations"})
    return joined, left


def sync_all() -> dict:
    """Repair every person's org-group memberships. Returns counts for the command's report."""
    totals = {"people": 0, "joined": 0, "left": 0}
    people = Person.objects.select_related("unit", "department").order_by("pk")
    # Inactive people who still hold memberships are checked too (they must leave).
    for person in people.iterator(chunk_size=500):
        joined, left = sync_person(person)
        totals["people"] += 1
        totals["joined"] += joined
        totals["left"] += left
    return totals


def sync_place(*, unit_id: int | None = None, department_id: int | None = None) -> dict:
    """A unit or a department was switched on or off: bring the people it concerns in line — its people
    (who may have to join) and its group's current members (who may have to leave). Cheap when nothing is
    out of step: only those people are synced whose membership disagrees with the place's state."""
    if unit_id is not None:
        place = Unit.objects.filter(pk=unit_id).first()
        group = Conversation.objects.filter(kind=ConversationKind.UNIT, unit_id=unit_id).first()
        residents = Person.objects.filter(unit_id=unit_id)
    else:
        place = Department.objects.filter(pk=department_id).first()
        group = Conversation.objects.filter(kind=ConversationKind.DEPARTMENT, department_id=department_id).first()
        residents = Person.objects.filter(department_id=department_id, unit_id=getattr(place, "unit_id", None))
    totals = {"people": 0, "joined": 0, "left": 0}
    if place is None:
        return totals
    members = (
        set(group.memberships.filter(active=True).values_list("person_id", flat=True)) if group is not None else set()
    )
    wanted = set(residents.filter(is_active=True).values_list("pk", flat=True)) if place.is_active else set()
    out_of_step = (wanted - members) | (members - wanted)
    people = Person.objects.filter(pk__in=out_of_step).select_related("unit", "department").order_by("pk")
    for person in people:
        joined, left = sync_person(person)
        totals["people"] += 1
        totals["joined"] += joined
        totals["left"] += left
    return totals


def retire_department_group(department: Department) -> None:
    """The department is being deleted: its group stays readable in the record as a plain group named after
    it, without members (an empty department has none left; anyone still listed leaves, audited)."""
    group = (
        Conversation.objects.select_for_update()
        .filter(kind=ConversationKind.DEPARTMENT, department_id=department.pk)
        .first()
    )
    if group is None:
        return
    title = f"{department.unit.short_name}·{department.name}（已撤销）"[:60]
    still = list(group.memberships.filter(active=True).select_related("person"))
    if still:
        group.memberships.filter(active=True).update(active=False, left_at=timezone.now())
        roster_changed(group.pk)
    Conversation.objects.filter(pk=group.pk).update(kind=ConversationKind.GROUP, department=None, title=title)
    group.refresh_from_db()
    record(SYSTEM_ACTOR, "messaging.retire_group", group,
           before={"department": department.pk, "members": [m.person_id for m in still]},
           after={"title": title}, summary=f"内设机构“{department.name}”撤销，科室群改为存档「{title}」")
    if still:
        push.on_commit([m.person_id for m in still], {"type": "chat.conversations"})
