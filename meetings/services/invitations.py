"""Notice and 回执.

People are invited directly (a todo item each); whole units are invited through their 收发员, who nominate
attendees.  The organising unit's own clerk gets a todo item; other units get a 会议通知 through the 公文交换
(``meetings.services.notices``) and their clerk's nomination todo once they sign for it."""

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.org.models import Person, Role, RoleAssignment, Unit
from oa.permissions import require
from oa.todo import services as todo

from ..models import Attendee, Meeting, Response, Status, UnitInvitation
from ..models import Role as AttendRole
from ..push import meeting_changed_on_commit
from .common import text

SOURCE_APP = "meetings"
STEP_ANSWER = "回执"
STEP_NOMINATE = "报名"


def _url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def _open(meeting: Meeting) -> None:
    if meeting.status != Status.SCHEDULED:
        raise ServiceError("会议已取消。")
    if meeting.end <= timezone.now():
        raise ServiceError("会议已结束。")


def _add_attendee(actor, meeting, person, role, via_unit=None, substitute_for=None) -> Attendee | None:
    if not isinstance(person, Person) or not person.is_active:
        raise ServiceError("参会人员不存在或已停用。", field="people")
    if role not in AttendRole.values:
        raise ServiceError("参会身份只能是出席或列席。", field="role")
    attendee, created = Attendee.objects.get_or_create(
        meeting=meeting, person=person, defaults={"role": role, "via_unit": via_unit, "substitute_for": substitute_for}
    )
    if not created:
        return None
    todo.create_todo(
        actor,
        owner=person,
        kind="todo",
        title=meeting.title,
        step=STEP_ANSWER,
        url=_url(meeting),
        source_app=SOURCE_APP,
        source_id=meeting.pk,
        category="会议",
        sender=meeting.organiser_unit.name,
        deadline=meeting.start,
        manual_close=False,
    )
    return attendee


def invite_people(actor, meeting: Meeting, people, role: str = AttendRole.ATTEND) -> list[Attendee]:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以发出通知。")
    _open(meeting)
    with transaction.atomic():
        added = [a for a in (_add_attendee(actor, meeting, p, role) for p in people) if a]
        if added:
            record(
                actor,
                "meetings.invite",
                meeting,
                after={"people": [a.person_id for a in added], "role": role},
                summary=f"通知{len(added)}人{role}：{'、'.join(a.person.get_full_name() for a in added)}",
            )
        meeting_changed_on_commit(meeting.pk)
    return added


def clerks_of(unit: Unit):
    ids = RoleAssignment.objects.filter(unit=unit, role=Role.CLERK).values_list("person_id", flat=True)
    return Person.objects.filter(pk__in=ids, is_active=True)


def _notify_unit(actor, invitation: UnitInvitation) -> None:
    clerks = list(clerks_of(invitation.unit))
    if not clerks:
        raise ServiceError(f"“{invitation.unit.name}”没有收发员，无法通知。", field="units")
    for clerk in clerks:
        todo.create_todo(
            actor,
            owner=clerk,
            kind="todo",
            title=f"{invitation.meeting.title}（请报名{invitation.seats}人）",
            step=STEP_NOMINATE,
            url=reverse("meetings:nominate", args=[invitation.pk]),
            source_app=SOURCE_APP,
            source_id=f"unit-{invitation.pk}",
            category="会议",
            sender=invitation.meeting.organiser_unit.name,
            deadline=invitation.meeting.start,
            manual_close=False,
        )


def invite_units(actor, meeting: Meeting, units, seats: int = 1) -> list[UnitInvitation]:
    """Invite whole units. The organising unit's clerk gets a todo at once; the other units wait for the
    会议通知, which is sent through the 公文交换 right away when ``actor`` is the organising unit's clerk,
    otherwise by that clerk from their todo list (``UnitInvitation.channel`` / ``notice_note`` tell which
    way each went)."""
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以发出通知。")
    _open(meeting)
    if not isinstance(seats, int) or not 1 <= seats <= 50:
        raise ServiceError("每个单位的名额应为 1～50 人。", field="seats")
    from .notices import after_invite

    with transaction.atomic():
        added, external = [], []
        for unit in units:
            invitation, created = UnitInvitation.objects.get_or_create(
                meeting=meeting, unit=unit, defaults={"seats": seats}
            )
            if not created:
                continue
            if unit.pk == meeting.organiser_unit_id:
                invitation.channel = UnitInvitation.Channel.TODO
                invitation.save(update_fields=["channel"])
                _notify_unit(actor, invitation)
            else:
                if not clerks_of(unit).exists():
                    raise ServiceError(f"“{unit.name}”没有收发员，无法通知。", field="units")
                external.append(invitation)
            added.append(invitation)
        if added:
            record(
                actor,
                "meetings.invite_units",
                meeting,
                after={"units": [i.unit_id for i in added], "seats": seats},
                summary=f"通知单位：{'、'.join(i.unit.name for i in added)}",
            )
        meeting_changed_on_commit(meeting.pk)
    after_invite(actor, meeting, external)
    for invitation in added:
        invitation.refresh_from_db()
    return added


def nominate(actor, invitation: UnitInvitation, people, role: str = AttendRole.ATTEND) -> list[Attendee]:
    """The invited unit's 收发员 names who attends (people of that unit, within the seats)."""
    require(actor, "meetings.nominate", invitation, "只有受邀单位的收发员可以报名。")
    meeting = invitation.meeting
    _open(meeting)
    people = list(people)
    if not people:
        raise ServiceError("请选择参会人员。", field="people")
    if any(p.unit_id != invitation.unit_id for p in people):
        raise ServiceError("只能报名本单位人员。", field="people")
    with transaction.atomic():
        current = UnitInvitation.objects.select_for_update().get(pk=invitation.pk)
        if current.attendees.count() + len(people) > current.seats:
            raise ServiceError(f"超出名额：本单位最多报名 {current.seats} 人。", field="people")
        added = [a for a in (_add_attendee(actor, meeting, p, role, via_unit=current) for p in people) if a]
        current.state = UnitInvitation.State.NOMINATED
        current.nominated_by = actor
        current.nominated_at = timezone.now()
        current.save(update_fields=["state", "nominated_by", "nominated_at"])
        record(
            actor,
            "meetings.nominate",
            meeting,
            after={"unit": current.unit_id, "people": [a.person_id for a in added]},
            summary=f"{current.unit.name}报名：{'、'.join(a.person.get_full_name() for a in added)}",
        )
        todo.complete_for_source(SOURCE_APP, f"unit-{current.pk}", step=STEP_NOMINATE, actor=actor)
        meeting_changed_on_commit(meeting.pk)
    return added


def answer(actor, meeting: Meeting, response: str, *, reason: str = "", substitute: Person | None = None) -> Attendee:
    """回执: 参加 / 请假 (with a reason) / 委托他人 (naming the substitute, who is then invited in turn)."""
    require(actor, "meetings.answer", meeting, "您未受邀参加该会议。")
    _open(meeting)
    if response not in (Response.ATTEND, Response.LEAVE, Response.DELEGATE):
        raise ServiceError("回执只能是参加、请假或委托他人。", field="response")
    reason = text(reason, "请假事由", "reason", 200, required=response == Response.LEAVE)
    if response == Response.DELEGATE:
        if substitute is None or not substitute.is_active:
            raise ServiceError("请选择委托参会的人员。", field="substitute")
        if substitute.pk == actor.pk:
            raise ServiceError("不能委托本人。", field="substitute")
    with transaction.atomic():
        attendee = Attendee.objects.select_for_update().get(meeting=meeting, person=actor)
        if attendee.signed_in_at:
            raise ServiceError("您已签到，不能再修改回执。")
        if attendee.substitutes.exists():
            raise ServiceError("您已委托他人参会，不能再修改回执。")
        before = {"response": attendee.response, "reason": attendee.reason}
        if response == Response.DELEGATE:
            if Attendee.objects.filter(meeting=meeting, person=substitute).exists():
                raise ServiceError(f"{substitute.get_full_name()}已在参会名单中。", field="substitute")
            _add_attendee(
                actor, meeting, substitute, attendee.role, via_unit=attendee.via_unit, substitute_for=attendee
            )
        attendee.response = response
        attendee.reason = reason if response == Response.LEAVE else ""
        attendee.responded_at = timezone.now()
        attendee.save(update_fields=["response", "reason", "responded_at"])
        label = Response(response).label
        if response == Response.DELEGATE:
            label += f"（{substitute.get_full_name()}代为参会）"
        record(
            actor,
            "meetings.answer",
            meeting,
            before=before,
            after={"response": response, "reason": attendee.reason},
            summary=f"回执：{label}",
        )
        todo.complete_for_source(SOURCE_APP, meeting.pk, owner=actor, step=STEP_ANSWER, actor=actor)
        meeting_changed_on_commit(meeting.pk)
    return attendee


def counts(meeting: Meeting) -> dict[str, int]:
    """Live 回执, sign-in and unit (会议通知 签收, 报名, 退回/撤回) counts for the organiser (two queries)."""
    result = meeting.attendees.aggregate(
        invited=Count("id"),
        attend=Count("id", filter=Q(response=Response.ATTEND)),
        leave=Count("id", filter=Q(response=Response.LEAVE)),
        delegate=Count("id", filter=Q(response=Response.DELEGATE)),
        pending=Count("id", filter=Q(response=Response.PENDING)),
        signed_in=Count("id", filter=Q(signed_in_at__isnull=False)),
    )
    result.update(
        meeting.unit_invitations.aggregate(
            units_invited=Count("id"),
            units_signed=Count("id", filter=Q(notice_signed_at__isnull=False)),
            units_nominated=Count("id", filter=Q(state=UnitInvitation.State.NOMINATED)),
            units_pending=Count("id", filter=Q(state=UnitInvitation.State.PENDING)),
            units_bounced=Count("id", filter=~Q(notice_bounce="")),
        )
    )
    return {k: v or 0 for k, v in result.items()}


def attendance_board(meeting: Meeting) -> list[dict]:
    rows = []
    for a in meeting.attendees.select_related("person", "person__unit", "substitute_for__person").order_by(
        "role", "id"
    ):
        rows.append(
            {
                "id": a.pk,
                "name": a.person.get_full_name(),
                "unit": a.person.unit.short_name if a.person.unit_id else "",
                "role": a.role,
                "response": a.get_response_display(),
                "response_code": a.response,
                "reason": a.reason,
                "substitute_for": a.substitute_for.person.get_full_name() if a.substitute_for_id else "",
                "signed_in": bool(a.signed_in_at),
                "signed_in_at": timezone.localtime(a.signed_in_at).strftime("%H:%M") if a.signed_in_at else "",
            }
        )
    return rows
