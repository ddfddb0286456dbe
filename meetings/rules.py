"""Who may do what with a meeting. One check shared by pages, API, WebSocket and tasks."""

import rules

from oa.org.models import Role
from oa.permissions import has_effective_role, holds_role, is_active_person, is_unit_admin_over


@rules.predicate
def has_unit(user):
    return bool(user.unit_id)


@rules.predicate
def is_organiser(user, meeting):
    return meeting is not None and user.pk in (meeting.organiser_id, meeting.host_id)


@rules.predicate
def is_invited(user, meeting):
    return meeting is not None and meeting.attendees.filter(person=user).exists()


@rules.predicate
def is_expected_attendee(user, meeting):
    """An invitee who has not sent their apologies or a substitute."""
    return meeting is not None and meeting.attendees.filter(person=user, response__in=("pending", "attend")).exists()


@rules.predicate
def clerk_of_invited_unit(user, meeting):
    if meeting is None:
        return False
    unit_ids = meeting.unit_invitations.values_list("unit_id", flat=True)
    return any(has_effective_role(user, Role.CLERK, u) for u in unit_ids)


@rules.predicate
def materials_available(user, meeting):
    return meeting is not None and not meeting.materials_withdrawn


@rules.predicate
def is_clerk_of_invitation(user, invitation):
    return invitation is not None and has_effective_role(user, Role.CLERK, invitation.unit_id)


@rules.predicate
def clerk_of_organising_unit(user, meeting):
    return meeting is not None and has_effective_role(user, Role.CLERK, meeting.organiser_unit_id)


rules.add_perm("meetings.create_meeting", is_active_person & has_unit)
rules.add_perm("meetings.manage_meeting", is_active_person & is_organiser)
rules.add_perm("meetings.view_meeting", is_active_person & (is_organiser | is_invited | clerk_of_invited_unit))
rules.add_perm("meetings.answer", is_active_person & is_invited)
# Materials: the people expected in the room and the organiser; nobody (but the organiser) once withdrawn.
rules.add_perm(
    "meetings.view_materials", is_active_person & (is_organiser | (is_expected_attendee & materials_available))
)
rules.add_perm("meetings.nominate", is_active_person & is_clerk_of_invitation)
# 会议通知 to other units leaves through the organising unit's 公文交换, which only its 收发员 works.
rules.add_perm("meetings.send_notice", is_active_person & clerk_of_organising_unit)
# Meeting rooms (object: the Unit or a Room): the unit's 办公室 — its 收发员 — or a 单位管理员 over it.
rules.add_perm("meetings.manage_rooms", is_active_person & (holds_role(Role.CLERK) | is_unit_admin_over))
