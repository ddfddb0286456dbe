"""会议变更通知 / 会议取消通知: telling everyone who knows of a meeting that its time or place changed or that
it is cancelled (the meeting's iCalendar SEQUENCE is raised by the caller, ``scheduling``).

- People (invitees still expected, clerks of units invited by todo) get a 待阅 item.
- Units reached through the 公文交换 get a 通知 through the exchange, as the original 会议通知 did: issued
  without a 发文 flow and dispatched by the organising unit's 收发员 — at once when the organiser is that
  clerk, otherwise from a "发送会议变更通知" todo. The document is built when it is sent, from the meeting as
  it stands then, and names the revision it announces (the SEQUENCE of the .ics); a cancellation overrides a
  change not yet sent. When the exchange cannot carry it, those units' clerks get the 待阅 item instead and
  ``UnitInvitation.notice_note`` keeps the reason.
- Units whose 会议通知 has not left yet, or came back (退回/撤回), get nothing: they never held the notice
  (the one still to be sent is built from the changed meeting)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import can, require
from oa.todo import services as todo

from ..models import Attendee, Meeting, NoticeDelivery, Response, Status, UnitInvitation
from ..push import meeting_changed_on_commit
from .invitations import SOURCE_APP, clerks_of
from .notices import NoticeResult, _issue, ask_clerks_to_send, reply_deadline

Channel = UnitInvitation.Channel
Followup = UnitInvitation.Followup
CHANGE, CANCEL = Followup.CHANGE, Followup.CANCEL
LABEL = {CHANGE: "会议变更通知", CANCEL: "会议取消通知"}
STEP_TOLD = {CHANGE: "会议变更", CANCEL: "会议取消"}  # the 待阅 items
STEP_SEND = {CHANGE: "发送会议变更通知", CANCEL: "发送会议取消通知"}  # the organising clerk's todo


def _source(meeting: Meeting) -> str:
    return f"followup-{meeting.pk}"


def told_title(meeting: Meeting, kind: str) -> str:
    start = timezone.localtime(meeting.start)
    if kind == CANCEL:
        return f"会议取消：原定{start:%m月%d日 %H:%M}召开的{meeting.title}已取消"[:300]
    return f"会议调整：{meeting.title}改为{start:%m月%d日 %H:%M}在{meeting.place}召开"[:300]


def followup_title(meeting: Meeting, kind: str) -> str:
    if kind == CANCEL:
        return f"关于取消召开{meeting.title}的通知"[:300]
    return f"关于调整{meeting.title}有关事项的通知"[:300]


def followup_body(meeting: Meeting, kind: str) -> list[dict]:
    start, end = timezone.localtime(meeting.start), timezone.localtime(meeting.end)
    until = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%Y年%-m月%-d日 %H:%M}"
    contact = meeting.organiser
    phone = f"，电话：{contact.phone}" if contact.phone else ""
    contact_text = f"联系人：{meeting.organiser_unit.name}　{contact.get_full_name()}{phone}。"
    contact_block = {"kind": "paragraph", "text": contact_text}
    if kind == CANCEL:
        return [
            {
                "kind": "paragraph",
                "text": f"原定于{start:%Y年%-m月%-d日 %H:%M}在{meeting.place}召开的{meeting.title}取消，"
                "恢复召开时间另行通知。已报名的参会人员不再参会，请各单位相互转告。",
            },
            contact_block,
        ]
    blocks = [
        {
            "kind": "paragraph",
            "text": f"{meeting.title}有关事项调整如下（会议安排第{meeting.sequence}次调整，以本通知为准）：",
        },
        {"kind": "heading1", "text": "一、会议时间"},
        {"kind": "paragraph", "text": f"{start:%Y年%-m月%-d日 %H:%M}至{until}。"},
        {"kind": "heading1", "text": "二、会议地点"},
        {"kind": "paragraph", "text": f"{meeting.place}。"},
    ]
    if meeting.online_url:
        blocks.append({"kind": "paragraph", "text": f"线上会议链接：{meeting.online_url}"})
    deadline = timezone.localtime(reply_deadline(meeting))
    blocks += [
        {"kind": "heading1", "text": "三、其他事项"},
        {
            "kind": "paragraph",
            "text": "其他事项按原通知执行，已报名人员无需重新报名；"
            f"如需调整参会人员，请于{deadline:%Y年%-m月%-d日 %H:%M}前由收发员在办公平台办理。",
        },
        contact_block,
    ]
    return blocks


def due_invitations(meeting: Meeting):
    return meeting.unit_invitations.exclude(followup_pending="").select_related("unit").order_by("unit__path")


def _tell(actor, meeting: Meeting, people, kind: str) -> list:
    told = [p for p in people if p.is_active and p.pk != getattr(actor, "pk", None)]
    for person in told:
        todo.create_todo(
            actor,
            owner=person,
            kind="toread",
            title=told_title(meeting, kind),
            step=STEP_TOLD[kind],
            url=reverse("meetings:detail", args=[meeting.pk]),
            source_app=SOURCE_APP,
            source_id=meeting.pk,
            category="会议",
            sender=meeting.organiser_unit.name,
            urgency="加急",
        )
    return told


def notify_change(actor, meeting: Meeting, kind: str = CHANGE) -> int:
    """Tell everyone who knows of the meeting (see the module doc). Runs inside the caller's transaction.
    Returns how many people got a 待阅 item now."""
    people = {}
    for attendee in Attendee.objects.filter(
        meeting=meeting, response__in=(Response.PENDING, Response.ATTEND)
    ).select_related("person"):
        people[attendee.person_id] = attendee.person
    by_exchange = []
    for invitation in meeting.unit_invitations.select_related("unit"):
        if invitation.channel == Channel.TODO:
            for clerk in clerks_of(invitation.unit):
                people.setdefault(clerk.pk, clerk)
        elif invitation.channel == Channel.EXCHANGE and not invitation.notice_bounce:
            by_exchange.append(invitation)
    told = _tell(actor, meeting, people.values(), kind)
    for invitation in by_exchange:
        invitation.followup_pending = CANCEL if CANCEL in (kind, invitation.followup_pending) else CHANGE
        invitation.save(update_fields=["followup_pending"])
    if by_exchange:
        _route(actor, meeting, by_exchange)
    meeting_changed_on_commit(meeting.pk)
    return len(told)


def _route(actor, meeting: Meeting, invitations) -> None:
    kind = _kind(invitations)
    if can(actor, "meetings.send_notice", meeting):
        send_followup(actor, meeting)
    elif not ask_clerks_to_send(
        actor, meeting, step=STEP_SEND[kind], source_id=_source(meeting), title=followup_title(meeting, kind)
    ):
        _fall_back(actor, meeting, invitations, kind, "主办单位没有收发员，无法通过公文交换发送")


def _kind(invitations) -> str:
    return CANCEL if any(i.followup_pending == CANCEL for i in invitations) else CHANGE


def _fall_back(actor, meeting: Meeting, invitations, kind: str, reason: str) -> None:
    label = LABEL[kind]
    with transaction.atomic():
        people = {}
        for invitation in invitations:
            invitation.followup_pending = ""
            invitation.notice_note = f"{label}未通过公文交换发送：{reason}；已改为待阅通知收发员。"[:300]
            invitation.save(update_fields=["followup_pending", "notice_note"])
            for clerk in clerks_of(invitation.unit):
                people.setdefault(clerk.pk, clerk)
        _tell(actor, meeting, people.values(), kind)
        record(
            actor,
            "meetings.followup_fallback",
            meeting,
            after={"units": [i.unit_id for i in invitations], "kind": kind, "reason": reason},
            summary=f"{label}改为待阅：{reason}"[:200],
        )
        todo.complete_for_source(SOURCE_APP, _source(meeting), actor=actor)
        meeting_changed_on_commit(meeting.pk)


def send_followup(actor, meeting: Meeting) -> NoticeResult:
    """发送会议变更通知 / 取消通知 to every unit still due one, as one 通知 through the exchange, built from the
    meeting as it stands. If the exchange refuses, those units' clerks get 待阅 items instead."""
    require(actor, "meetings.send_notice", meeting, "只有主办单位的收发员可以发送会议通知。")
    # As it stands now (the caller's copy may predate the change being announced).
    meeting = Meeting.objects.select_related("room", "organiser_unit", "organiser").get(pk=meeting.pk)
    due = list(due_invitations(meeting))
    if not due:
        raise ServiceError("没有待发送的会议变更或取消通知。")
    kind = CANCEL if meeting.status == Status.CANCELLED else _kind(due)
    label = LABEL[kind]
    from documents.exchange.services import dispatch

    try:
        with transaction.atomic():
            units = [i.unit for i in due]
            document = _issue(actor, meeting, followup_title(meeting, kind), followup_body(meeting, kind), units, label)
            deliveries = dispatch(actor, document, [i.unit for i in due])
            by_unit = {d.recipient_id: d for d in deliveries}
            for invitation in due:
                invitation.followup_pending = ""
                invitation.notice_note = f"{label}{document.doc_number or ''}已通过公文交换发送"
                invitation.save(update_fields=["followup_pending", "notice_note"])
                NoticeDelivery.objects.create(invitation=invitation, delivery=by_unit[invitation.unit_id], kind=kind)
            record(
                actor,
                "meetings.send_followup",
                meeting,
                after={
                    "document": document.pk,
                    "kind": kind,
                    "sequence": meeting.sequence,
                    "deliveries": [d.pk for d in deliveries],
                },
                summary=f"发送{label}《{document.title}》至 {len(deliveries)} 个单位",
            )
            todo.complete_for_source(SOURCE_APP, _source(meeting), actor=actor)
            meeting_changed_on_commit(meeting.pk)
    except ServiceError as error:
        reason = error.message.rstrip("。")
        _fall_back(actor, meeting, due, kind, reason)
        return NoticeResult(fallback=due, reason=reason, label=label)
    return NoticeResult(sent=due, document=document, label=label)
