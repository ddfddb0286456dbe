"""Where each invited unit's notices stand in the 公文交换 (会议通知, 会议变更通知, 会议取消通知), shown on the
organiser's page and the organising clerk's notice page, with 重新发送 for the ones that came back.

The exchange's Delivery rows are the truth: this module only reads them (``unit_notices``) and, to send one
again, calls the exchange's own ``resend`` (the same correct-and-resend the exchange board offers: the
document as it stands now goes out in a new round). The exchange lets only the sending unit's 收发员 do that,
so an organiser who is not the clerk asks the clerks instead (a "重新发送会议通知" todo leading to the notice
page), as ``after_invite`` does for the first sending. Every change of such a Delivery (送达, 签收, 退回, 撤回,
重新发送) pushes the meeting's "changed" hint, so the organiser's page follows without a reload; a 变更/取消通知 that
comes back also gives the organiser a 待阅 (a 会议通知's own bounce is handled by ``notice_returns``)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.permissions import can
from oa.todo import services as todo

from ..models import Meeting, NoticeDelivery, Status
from ..push import meeting_changed_on_commit
from .invitations import SOURCE_APP
from .notices import ask_clerks_to_send

STEP_RESEND = "重新发送会议通知"
RESENDABLE = ("returned", "recalled", "rejected")  # what the exchange's ``resend`` accepts


def _resend_source(notice: NoticeDelivery) -> str:
    return f"resend-{notice.pk}"


def unit_notices(meeting: Meeting) -> dict[int, list[dict]]:
    """For each unit invitation id: its notices through the exchange, oldest first, as
    ``{"id", "kind", "label", "state", "state_label", "reason", "round", "resendable"}``. One query."""
    rows: dict[int, list[dict]] = {}
    notices = (
        NoticeDelivery.objects.filter(invitation__meeting=meeting)
        .select_related("delivery")
        .order_by("invitation_id", "id")
    )
    for notice in notices:
        delivery = notice.delivery
        rows.setdefault(notice.invitation_id, []).append(
            {
                "id": notice.pk,
                "kind": notice.kind,
                "label": notice.get_kind_display(),
                "state": delivery.state,
                "state_label": delivery.get_state_display(),
                "reason": delivery.return_reason if delivery.state in RESENDABLE else "",
                "round": delivery.round,
                "resendable": delivery.state in RESENDABLE,
            }
        )
    return rows


def invitations_with_notices(meeting: Meeting) -> list:
    """The meeting's unit invitations (by unit order), each with ``.notice_rows`` from ``unit_notices``."""
    by_invitation = unit_notices(meeting)
    invitations = list(meeting.unit_invitations.select_related("unit").order_by("unit__path"))
    for invitation in invitations:
        invitation.notice_rows = by_invitation.get(invitation.pk, [])
    return invitations


def _notice_for(actor, meeting: Meeting, notice_id) -> NoticeDelivery:
    notice = None
    if str(notice_id).isdigit():
        notice = (
            NoticeDelivery.objects.select_related("delivery", "invitation__unit", "invitation__meeting")
            .filter(pk=notice_id, invitation__meeting=meeting)
            .first()
        )
    if notice is None:
        raise NotFoundError("该会议通知不存在。")
    return notice


def resend_notice(actor, meeting: Meeting, notice_id) -> str:
    """重新发送 a notice that came back (退回/撤回/拒收) to its unit. The organising unit's 收发员 sends it at once
    through the exchange's ``resend``; the organiser (not a clerk) asks the clerks to. Returns what to tell
    the person."""
    clerk = can(actor, "meetings.send_notice", meeting)
    if not clerk and not can(actor, "meetings.manage_meeting", meeting):
        raise PermissionDeniedError("只有会议组织人或主办单位的收发员可以重新发送会议通知。")
    notice = _notice_for(actor, meeting, notice_id)
    if meeting.end <= timezone.now():
        raise ServiceError("会议已结束，无需重新发送通知。")
    if meeting.status != Status.SCHEDULED and notice.kind != NoticeDelivery.Kind.CANCEL:
        raise ServiceError("会议已取消，只能重新发送会议取消通知。")
    unit, label = notice.invitation.unit.name, notice.get_kind_display()
    if notice.delivery.state not in RESENDABLE:
        raise ServiceError(f"该{label}当前为“{notice.delivery.get_state_display()}”，无需重新发送。")
    from documents.exchange import services as exchange

    with transaction.atomic():
        if clerk:
            delivery = exchange.resend(actor, notice.delivery_id)
            record(
                actor,
                "meetings.resend_notice",
                meeting,
                after={"unit": notice.invitation.unit_id, "delivery": delivery.pk, "round": delivery.round},
                summary=f"{label}重新发送至{unit}",
            )
            todo.complete_for_source(SOURCE_APP, _resend_source(notice), actor=actor)
            meeting_changed_on_commit(meeting.pk)
            return f"{label}已重新发送至{unit}，待对方签收。"
        asked = ask_clerks_to_send(
            actor,
            meeting,
            step=STEP_RESEND,
            source_id=_resend_source(notice),
            title=f"重新发送{label}至{unit}：{meeting.title}"[:300],
        )
        if not asked:
            raise ServiceError("主办单位没有收发员，无法重新发送会议通知；可改为待办通知收发员。")
        record(
            actor,
            "meetings.resend_requested",
            meeting,
            after={"unit": notice.invitation.unit_id, "delivery": notice.delivery_id},
            summary=f"请收发员重新发送{label}至{unit}",
        )
    return f"已请主办单位收发员重新发送{label}至{unit}。"


def notice_delivery_changed(delivery_id, *, push: bool = True) -> None:
    """A Delivery carrying one of a meeting's notices changed (after commit): tell the meeting's page
    (unless ``push`` is False: the 会议通知's own handlers already did), and close the clerks' "重新发送" todo
    once it has gone out again, however it was sent (here or on the exchange board)."""
    notice = NoticeDelivery.objects.select_related("delivery", "invitation").filter(delivery_id=delivery_id).first()
    if notice is None:
        return
    with transaction.atomic():
        if notice.delivery.state not in RESENDABLE:
            todo.complete_for_source(SOURCE_APP, _resend_source(notice))
            todo.complete_for_source(SOURCE_APP, _bounce_source(notice), kind="toread")
        elif notice.kind != NoticeDelivery.Kind.NOTICE:
            _tell_organiser(notice)  # a 会议通知's own bounce is told by notice_returns
        if push:
            meeting_changed_on_commit(notice.invitation.meeting_id)


def _bounce_source(notice: NoticeDelivery) -> str:
    return f"notice-bounce-{notice.pk}"


def _tell_organiser(notice: NoticeDelivery) -> None:
    """A 变更/取消通知 came back (退回/撤回/拒收): the organiser gets one 待阅 per round saying which unit and
    why, so the unit is not left believing the old time or place. Closed once the notice goes out again."""
    from oa.todo.models import TodoItem

    meeting, delivery = notice.invitation.meeting, notice.delivery
    source = _bounce_source(notice)
    if meeting.end <= timezone.now() or TodoItem.objects.filter(
        source_app=SOURCE_APP, source_id=source, state="open"
    ).exists():
        return
    unit, label = notice.invitation.unit.name, notice.get_kind_display()
    verb = {"returned": f"被{unit}退回", "recalled": "已由主办单位收发员撤回", "rejected": f"被{unit}拒收"}
    what = f"{label}{verb[delivery.state]}" + (f"：{delivery.return_reason}" if delivery.return_reason else "")
    todo.create_todo(
        "系统（会议）",
        owner=meeting.organiser,
        kind="toread",
        title=f"{meeting.title}：{what}。请重新发送或另行通知。"[:300],
        step=f"{label}未送达"[:20],
        url=reverse("meetings:detail", args=[meeting.pk]),
        source_app=SOURCE_APP,
        source_id=source,
        category="会议",
        sender=unit[:100],
        urgency="加急",
    )
