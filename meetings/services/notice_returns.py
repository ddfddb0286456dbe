"""A 会议通知 that comes back unsigned: 退回 by the invited unit's clerk (with a reason) or 撤回 by the
organising unit's clerk. The invitation must not vanish silently, nor be pushed on the unit against its
refusal, so:

- the invitation keeps the state (``notice_bounce``) and the reason (``notice_note``); the organiser's page
  shows it live and counts it (``units_bounced``);
- the organiser gets a 待阅 item saying which unit, what happened and why;
- the organiser then chooses: the organising clerk sends it again in the exchange (重新发送, after which it
  waits for 签收 as before), or the organiser asks the unit's clerks by todo instead
  (``notify_unit_by_todo``), or withdraws the unit's invitation (``withdraw_unit``).

The exchange's own rows are the truth: a hint acts only if the Delivery is still in the state it announces,
so hints arriving late or twice change nothing."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import require
from oa.todo import services as todo

from ..models import Status, UnitInvitation
from ..push import meeting_changed_on_commit
from .invitations import SOURCE_APP, STEP_NOMINATE, _notify_unit, _open

Bounce = UnitInvitation.Bounce
Channel = UnitInvitation.Channel
STEP_BOUNCED = {Bounce.RETURNED: "会议通知被退回", Bounce.RECALLED: "会议通知已撤回"}
SYSTEM = "系统（会议）"


def _source(invitation: UnitInvitation) -> str:
    return f"bounce-{invitation.pk}"


def _locked_invitation(delivery_id):
    return (
        UnitInvitation.objects.select_for_update()
        .select_related("meeting", "meeting__organiser_unit", "meeting__organiser", "unit")
        .filter(exchange_ref=str(delivery_id), channel=Channel.EXCHANGE, notice_signed_at__isnull=True)
        .first()
    )


def _delivery(delivery_id):
    from documents.exchange.models import Delivery

    return Delivery.objects.filter(pk=delivery_id).first()


def notice_bounced(delivery_id) -> UnitInvitation | None:
    """The 会议通知 ``delivery_id`` was 退回 or 撤回: keep the state, tell the organiser. Idempotent."""
    with transaction.atomic():
        invitation = _locked_invitation(delivery_id)
        delivery = _delivery(delivery_id)
        if invitation is None or delivery is None or delivery.state not in Bounce.values:
            return None
        bounce = Bounce(delivery.state)
        if invitation.notice_bounce == bounce:
            return None
        unit, reason = invitation.unit.name, delivery.return_reason
        if bounce == Bounce.RETURNED:
            what = f"会议通知被{unit}退回" + (f"：{reason}" if reason else "")
        else:
            what = "会议通知已由主办单位收发员撤回" + (f"：{reason}" if reason else "")
        invitation.notice_bounce = bounce
        invitation.notice_note = f"{what}。可重新发送、改为待办通知收发员或撤销邀请。"[:300]
        invitation.save(update_fields=["notice_bounce", "notice_note"])
        meeting = invitation.meeting
        record(
            SYSTEM,
            f"meetings.notice_{bounce}",
            meeting,
            after={"unit": invitation.unit_id, "delivery": delivery.pk, "reason": reason},
            summary=f"{unit}：{what}"[:300],
        )
        if meeting.status == Status.SCHEDULED and meeting.end > timezone.now():
            todo.create_todo(
                SYSTEM,
                owner=meeting.organiser,
                kind="toread",
                title=f"{meeting.title}：{what}"[:300],
                step=STEP_BOUNCED[bounce],
                url=reverse("meetings:detail", args=[meeting.pk]),
                source_app=SOURCE_APP,
                source_id=_source(invitation),
                category="会议",
                sender=unit if bounce == Bounce.RETURNED else meeting.organiser_unit.name,
                urgency="加急",
            )
        meeting_changed_on_commit(meeting.pk)
    return invitation


def notice_resent(delivery_id) -> UnitInvitation | None:
    """The organising clerk sent the 会议通知 again after 退回/撤回: it waits for 签收 as before."""
    with transaction.atomic():
        invitation = _locked_invitation(delivery_id)
        delivery = _delivery(delivery_id)
        if invitation is None or delivery is None or not invitation.notice_bounce:
            return None
        if delivery.state not in ("pending", "delivered"):
            return None
        before = invitation.notice_bounce
        invitation.notice_bounce = ""
        invitation.notice_note = f"会议通知已重新发送（第{delivery.round}次），待{invitation.unit.name}签收"[:300]
        invitation.save(update_fields=["notice_bounce", "notice_note"])
        record(
            SYSTEM,
            "meetings.notice_resent",
            invitation.meeting,
            before={"bounce": before},
            after={"unit": invitation.unit_id, "delivery": delivery.pk, "round": delivery.round},
            summary=f"会议通知重新发送至{invitation.unit.name}",
        )
        todo.complete_for_source(SOURCE_APP, _source(invitation), kind="toread")
        meeting_changed_on_commit(invitation.meeting_id)
    return invitation


def _bounced_for(actor, invitation: UnitInvitation, message: str) -> UnitInvitation:
    require(actor, "meetings.manage_meeting", invitation.meeting, message)
    return UnitInvitation.objects.select_for_update().select_related("meeting", "unit").get(pk=invitation.pk)


def notify_unit_by_todo(actor, invitation: UnitInvitation) -> UnitInvitation:
    """The organiser's fall-back after 退回/撤回: the unit's clerks get the nomination todo directly."""
    require(actor, "meetings.manage_meeting", invitation.meeting, "只有会议组织人可以改变通知方式。")
    _open(invitation.meeting)
    with transaction.atomic():
        current = _bounced_for(actor, invitation, "只有会议组织人可以改变通知方式。")
        if current.channel != Channel.EXCHANGE or not current.notice_bounce:
            raise ServiceError("只有被退回或撤回的会议通知可以改为待办通知。")
        before = {"channel": current.channel, "bounce": current.notice_bounce}
        label = current.get_notice_bounce_display()
        current.channel, current.notice_bounce = Channel.TODO, ""
        current.notice_note = f"{label}，已由组织人改为待办通知收发员。"
        current.save(update_fields=["channel", "notice_bounce", "notice_note"])
        _notify_unit(actor, current)
        record(
            actor,
            "meetings.notice_by_todo",
            current.meeting,
            before=before,
            after={"unit": current.unit_id, "channel": Channel.TODO},
            summary=f"{current.unit.name}：{label}，改为待办通知收发员",
        )
        todo.complete_for_source(SOURCE_APP, _source(current), kind="toread", actor=actor)
        meeting_changed_on_commit(current.meeting_id)
    return current


def withdraw_unit(actor, invitation: UnitInvitation) -> None:
    """The organiser no longer invites the unit (e.g. it returned the notice as not concerned). Refused
    once the unit has nominated anyone, and while its 会议通知 is still out in the exchange."""
    require(actor, "meetings.manage_meeting", invitation.meeting, "只有会议组织人可以撤销邀请。")
    with transaction.atomic():
        current = _bounced_for(actor, invitation, "只有会议组织人可以撤销邀请。")
        if current.attendees.exists():
            raise ServiceError(f"{current.unit.name}已报名参会人员，不能撤销邀请。")
        if current.channel == Channel.EXCHANGE and not current.notice_bounce:
            raise ServiceError("会议通知尚在公文交换中，请先由收发员撤回后再撤销邀请。")
        snapshot = {"unit": current.unit_id, "channel": current.channel, "bounce": current.notice_bounce}
        meeting, pk, name = current.meeting, current.pk, current.unit.name
        current.delete()
        record(actor, "meetings.withdraw_unit", meeting, before=snapshot, summary=f"撤销对{name}的邀请")
        todo.complete_for_source(SOURCE_APP, f"unit-{pk}", step=STEP_NOMINATE, actor=actor)
        todo.complete_for_source(SOURCE_APP, f"bounce-{pk}", kind="toread", actor=actor)
        meeting_changed_on_commit(meeting.pk)
