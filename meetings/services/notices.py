"""会议通知 to other units through the 公文交换, and telling people when a meeting changes.

A unit outside the organising unit is invited with a 会议通知: a 公文 (文种 通知) of the organising unit with
the time, place, agenda, 回执 deadline and contact, 主送 the invited units. The exchange only lets a unit's
收发员 send, so the organising unit's clerk sends it (``send_notice``; at once when the organiser is that
clerk, otherwise from a "发送会议通知" todo). It never passes through a 发文 flow: the documents service
``issue_without_flow`` numbers it, applies the unit's official seal when the unit has one and puts it at
待分发. When the invited clerk signs for it in the exchange, they get the nomination todo
(``open_nomination``); when it comes back unsigned (退回/撤回) see ``notice_returns``; 变更/取消通知 are in
``followups``.

Whenever the exchange cannot carry the notice (no clerk to send it, a seal the sender cannot apply, …), the
invited clerks get the nomination todo directly and ``UnitInvitation.notice_note`` keeps the reason."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import can, require
from oa.todo import services as todo
from oa.todo.models import TodoItem

from ..models import Meeting, NoticeDelivery, UnitInvitation
from ..push import meeting_changed_on_commit
from .invitations import SOURCE_APP, _notify_unit, _open, clerks_of

STEP_SEND = "发送会议通知"
Channel = UnitInvitation.Channel


@dataclass
class NoticeResult:
    sent: list = field(default_factory=list)  # invitations now travelling through the exchange
    fallback: list = field(default_factory=list)  # invitations that went to the clerks as todo items
    reason: str = ""  # why the exchange could not carry them
    document: object = None
    label: str = "会议通知"  # or 会议变更通知 / 会议取消通知 (``followups``)

    @property
    def message(self) -> str:
        parts = []
        if self.sent:
            tail = "，对方收发员签收后即可报名。" if self.label == "会议通知" else "。"
            parts.append(f"{self.label}已通过公文交换发送至 {len(self.sent)} 个单位{tail}")
        if self.fallback:
            how = "待办" if self.label == "会议通知" else "待阅"
            parts.append(
                f"{'、'.join(i.unit.name for i in self.fallback)}未能通过公文交换通知（{self.reason}），"
                f"已改为{how}通知其收发员。"
            )
        return "".join(parts)


# --- the notice ------------------------------------------------------------------------------------------


def notice_title(meeting: Meeting) -> str:
    return f"关于召开{meeting.title}的通知"[:300]


def reply_deadline(meeting: Meeting):
    """回执 by the day before the meeting, or one hour before it when it is sooner than that."""
    deadline = meeting.start - timedelta(days=1)
    if deadline <= timezone.now():
        deadline = meeting.start - timedelta(hours=1)
    return deadline


def notice_body(meeting: Meeting, seats: int = 1) -> list[dict]:
    start, end = timezone.localtime(meeting.start), timezone.localtime(meeting.end)
    deadline = timezone.localtime(reply_deadline(meeting))
    same_day = start.date() == end.date()
    until = f"{end:%H:%M}" if same_day else f"{end:%Y年%-m月%-d日 %H:%M}"
    blocks = [
        {"kind": "paragraph", "text": f"经研究，定于{start:%Y年%-m月%-d日}召开{meeting.title}。现将有关事项通知如下："},
        {"kind": "heading1", "text": "一、会议时间"},
        {"kind": "paragraph", "text": f"{start:%Y年%-m月%-d日 %H:%M}至{until}。"},
        {"kind": "heading1", "text": "二、会议地点"},
    ]
    if meeting.room_id:
        room = meeting.room
        blocks.append(
            {"kind": "paragraph", "text": room.name + (f"（{room.location}）" if room.location else "") + "。"}
        )
    if meeting.online_url:
        blocks.append({"kind": "paragraph", "text": f"线上会议链接：{meeting.online_url}"})
    agenda = list(meeting.agenda.select_related("presenter"))
    if agenda:
        blocks.append({"kind": "heading1", "text": "三、会议议程"})
        for n, item in enumerate(agenda, start=1):
            presenter = f"（{item.presenter_label}汇报）" if item.presenter_label else ""
            blocks.append({"kind": "paragraph", "text": f"议题{n}：{item.title}{presenter}"})
    contact = meeting.organiser
    phone = f"，电话：{contact.phone}" if contact.phone else ""
    blocks += [
        {"kind": "heading1", "text": "四、参会人员"},
        {
            "kind": "paragraph",
            "text": f"请各单位安排{seats}名同志参加，并于{deadline:%Y年%-m月%-d日 %H:%M}前"
            "由收发员在办公平台报名（回执）。",
        },
        {"kind": "heading1", "text": "五、联系人"},
        {"kind": "paragraph", "text": f"{meeting.organiser_unit.name}　{contact.get_full_name()}{phone}。"},
    ]
    if meeting.note:
        blocks.append({"kind": "paragraph", "text": meeting.note})
    return blocks


def _issue(actor, meeting: Meeting, title: str, body: list[dict], units, purpose: str):
    """A 通知 of the organising unit, drafted by ``actor`` and issued without a 发文 flow (numbered, sealed
    when the unit has a seal, at 待分发) through the documents service."""
    from documents.services import create_draft
    from documents.services.issue_direct import issue_without_flow

    if actor.unit_id != meeting.organiser_unit_id:
        raise ServiceError("会议通知须以主办单位名义发文，您不属于主办单位。")
    document = create_draft(
        actor,
        {
            "doc_type": "通知",
            "title": title[:300],
            "body": body,
            "main_units": list(units),
            "written_date": timezone.localdate(),
        },
    )
    return issue_without_flow(actor, document, approved_by=meeting.organiser, purpose=purpose).document


def _draft_notice(actor, meeting: Meeting, invitations):
    seats = max(i.seats for i in invitations)
    return _issue(
        actor, meeting, notice_title(meeting), notice_body(meeting, seats), [i.unit for i in invitations], "会议通知"
    )


# --- sending -----------------------------------------------------------------------------------------------


def awaiting_notice(meeting: Meeting):
    return meeting.unit_invitations.filter(channel=Channel.AWAITING).select_related("unit").order_by("unit__path")


def ask_clerks_to_send(actor, meeting: Meeting, *, step: str = STEP_SEND, source_id: str = "", title: str = "") -> bool:
    """Give the organising unit's clerks the "发送会议通知" todo, or another sending ``step`` (once each). False
    when the unit has no clerk."""
    clerks = list(clerks_of(meeting.organiser_unit))
    if not clerks:
        return False
    source_id = source_id or f"notice-{meeting.pk}"
    open_owners = set(
        TodoItem.objects.filter(source_app=SOURCE_APP, source_id=source_id, step=step, state="open").values_list(
            "owner_id", flat=True
        )
    )
    for clerk in clerks:
        if clerk.pk in open_owners:
            continue
        todo.create_todo(
            actor,
            owner=clerk,
            kind="todo",
            title=title or notice_title(meeting),
            step=step,
            url=reverse("meetings:notice", args=[meeting.pk]),
            source_app=SOURCE_APP,
            source_id=source_id,
            category="会议",
            sender=meeting.organiser.get_full_name(),
            deadline=meeting.start,
            manual_close=False,
        )
    return True


def fall_back(actor, meeting: Meeting, invitations, reason: str) -> None:
    """The exchange cannot carry the notice: the invited clerks get the nomination todo, with the reason."""
    note = f"未通过公文交换发送：{reason}；已改为待办通知收发员。"[:300]
    with transaction.atomic():
        for invitation in invitations:
            invitation.channel, invitation.notice_note = Channel.TODO, note
            invitation.save(update_fields=["channel", "notice_note"])
            _notify_unit(actor, invitation)
        record(
            actor,
            "meetings.notice_fallback",
            meeting,
            after={"units": [i.unit_id for i in invitations], "reason": reason},
            summary=f"会议通知改为待办：{reason}"[:200],
        )
        todo.complete_for_source(SOURCE_APP, f"notice-{meeting.pk}", step=STEP_SEND, actor=actor)
        meeting_changed_on_commit(meeting.pk)


def send_notice(actor, meeting: Meeting) -> NoticeResult:
    """发送会议通知: draft, number, seal (when the unit has a seal) and dispatch one 通知 to every invited unit
    still waiting for it. If the exchange refuses, those units' clerks get todo items instead (see
    ``NoticeResult.message`` for what to tell the sender)."""
    require(actor, "meetings.send_notice", meeting, "只有主办单位的收发员可以发送会议通知。")
    _open(meeting)
    waiting = list(awaiting_notice(meeting))
    if not waiting:
        raise ServiceError("没有待发送会议通知的单位。")
    from documents.exchange.services import dispatch

    try:
        with transaction.atomic():
            document = _draft_notice(actor, meeting, waiting)
            deliveries = {d.recipient_id: d for d in dispatch(actor, document, [i.unit for i in waiting])}
            for invitation in waiting:
                delivery = deliveries[invitation.unit_id]
                invitation.channel, invitation.exchange_ref = Channel.EXCHANGE, str(delivery.pk)
                invitation.notice_note = f"会议通知{document.doc_number or ''}已通过公文交换发送"
                invitation.save(update_fields=["channel", "exchange_ref", "notice_note"])
                NoticeDelivery.objects.create(invitation=invitation, delivery=delivery, kind=NoticeDelivery.Kind.NOTICE)
            record(
                actor,
                "meetings.send_notice",
                meeting,
                after={"document": document.pk, "deliveries": [d.pk for d in deliveries.values()]},
                summary=f"发送会议通知《{document.title}》至 {len(deliveries)} 个单位",
            )
            todo.complete_for_source(SOURCE_APP, f"notice-{meeting.pk}", step=STEP_SEND, actor=actor)
            meeting_changed_on_commit(meeting.pk)
    except ServiceError as error:
        reason = error.message.rstrip("。")
        fall_back(actor, meeting, waiting, reason)
        return NoticeResult(fallback=waiting, reason=reason)
    return NoticeResult(sent=waiting, document=document)


def after_invite(actor, meeting: Meeting, invitations) -> NoticeResult | None:
    """Route new invitations of other units: sent at once when the organiser is the unit's clerk, else the
    clerks are asked to send; with no clerk at all, straight to the invited clerks' todo lists."""
    if not invitations:
        return None
    if can(actor, "meetings.send_notice", meeting):
        return send_notice(actor, meeting)
    if ask_clerks_to_send(actor, meeting):
        return NoticeResult()
    reason = "主办单位没有收发员，无法通过公文交换发送会议通知"
    fall_back(actor, meeting, invitations, reason)
    return NoticeResult(fallback=list(invitations), reason=reason)


# --- the recipient signs for it -------------------------------------------------------------------------


def delivery_saved(sender, instance, **kwargs) -> None:
    """post_save of ``exchange.Delivery``, acted on after the commit: signed for → open the nomination;
    退回/撤回 → tell the organiser (``notice_returns``); sent again → back to waiting for 签收. Any other change
    of a meeting's notice (送达, or a 变更/取消通知) refreshes the meeting's page (``notice_status``)."""
    from . import notice_returns, notice_status

    delivery_id, state, resent = instance.pk, instance.state, instance.round > 1

    def after_commit():
        handled = None
        if state == "signed":
            handled = open_nomination(delivery_id)
        elif state in ("returned", "recalled"):
            handled = notice_returns.notice_bounced(delivery_id)
        elif state == "pending" and resent:
            handled = notice_returns.notice_resent(delivery_id)
        notice_status.notice_delivery_changed(delivery_id, push=handled is None)

    transaction.on_commit(after_commit)


def open_nomination(delivery_id) -> UnitInvitation | None:
    """The invited clerk signed for the 会议通知: give them the nomination todo. Idempotent."""
    with transaction.atomic():
        invitation = (
            UnitInvitation.objects.select_for_update()
            .select_related("meeting", "meeting__organiser_unit", "unit")
            .filter(exchange_ref=str(delivery_id), channel=Channel.EXCHANGE, notice_signed_at__isnull=True)
            .first()
        )
        if invitation is None:
            return None
        receipt = _receipt_of(delivery_id)
        clerk = receipt.clerk if receipt is not None else None
        invitation.notice_signed_at = timezone.now()
        invitation.notice_note = (
            f"会议通知已由{receipt.clerk_name if receipt else '收发员'}签收，待报名"
            if invitation.state == UnitInvitation.State.PENDING
            else invitation.notice_note
        )
        invitation.save(update_fields=["notice_signed_at", "notice_note"])
        meeting = invitation.meeting
        if meeting.status == "scheduled" and meeting.end > timezone.now():
            _notify_unit(clerk, invitation)
        record(
            clerk or "系统（会议）",
            "meetings.notice_signed",
            meeting,
            after={"unit": invitation.unit_id, "delivery": delivery_id},
            summary=f"{invitation.unit.name}签收会议通知",
        )
        meeting_changed_on_commit(meeting.pk)
    return invitation


def _receipt_of(delivery_id):
    from documents.exchange.models import Receipt

    return Receipt.objects.select_related("clerk").filter(delivery_id=delivery_id).first()
