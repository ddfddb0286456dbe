"""会议通知 to other units through the 公文交换, and telling people when a meeting changes.

A unit outside the organising unit is invited with a 会议通知: a 公文 (文种 通知) of the organising unit with
the time, place, agenda, 回执 deadline and contact, 主送 the invited units. The exchange only lets a unit's
收发员 send, so the organising unit's clerk sends it (``send_notice``; at once when the organiser is that
clerk, otherwise from a "发送会议通知" todo). The notice carries the unit's official seal when the unit has
one; it never passes through a 发文 flow, so it enters 待分发 directly, as the exchange allows. When the
invited clerk signs for it in the exchange, they get the nomination todo (``open_nomination``).

Whenever the exchange cannot carry the notice (no clerk to send it, a seal the sender cannot apply, …), the
invited clerks get the nomination todo directly and ``UnitInvitation.notice_note`` keeps the reason."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import can, require
from oa.todo import services as todo
from oa.todo.models import TodoItem

from ..models import Attendee, Meeting, Response, UnitInvitation
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

    @property
    def message(self) -> str:
        parts = []
        if self.sent:
            parts.append(f"会议通知已通过公文交换发送至 {len(self.sent)} 个单位，对方收发员签收后即可报名。")
        if self.fallback:
            parts.append(
                f"{'、'.join(i.unit.name for i in self.fallback)}未能通过公文交换通知（{self.reason}），"
                "已改为待办通知其收发员。"
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


def _draft_notice(actor, meeting: Meeting, invitations) -> object:
    """The notice as a 公文 in 待分发: drafted, numbered and (when the unit has a seal) sealed by ``actor``."""
    from documents.models import Document, Status
    from documents.services import assign_number, create_draft

    if actor.unit_id != meeting.organiser_unit_id:
        raise ServiceError("会议通知须以主办单位名义发文，您不属于主办单位。")
    seats = max(i.seats for i in invitations)
    document = create_draft(
        actor,
        {
            "doc_type": "通知",
            "title": notice_title(meeting),
            "body": notice_body(meeting, seats),
            "main_units": [i.unit for i in invitations],
            "written_date": timezone.localdate(),
        },
    )
    try:
        assign_number(actor, document)
    except ServiceError:
        pass  # a unit without a 机关代字 still sends its notice, without a 发文字号
    _seal(actor, meeting, document)
    Document.objects.filter(pk=document.pk).update(status=Status.DISTRIBUTING)
    document.refresh_from_db()
    return document


def _seal(actor, meeting: Meeting, document) -> None:
    """Apply the organising unit's official seal, when it has one, through the signing service."""
    from documents import render
    from documents.workflow import outgoing
    from documents.workflow.sealed_models import IssuerSeal, SealedDocument
    from documents.workflow.sealing import official_seal_of, purpose_ref
    from signing.services import SealPlacement, apply_seals

    seal = official_seal_of(meeting.organiser_unit)
    if seal is None:
        return
    if not seal.custodians.filter(pk=actor.pk).exists():
        raise ServiceError(f"会议通知须加盖“{seal.name}”，您不是该印章的印章管理员")
    result = render.render_pdf(document)
    slots = [s for s in result.seal_slots if s.kind == "seal"]
    if not slots:
        raise ServiceError("会议通知排版后没有印章位置")
    slot = slots[0]
    sealed = apply_seals(
        actor,
        result.pdf,
        [SealPlacement(seal, slot.page, slot.x_mm, slot.y_mm, slot.diameter_mm)],
        reason=f"印发《{document.title}》{document.doc_number}"[:200],
        purpose_ref=purpose_ref(document),
        approved_by=meeting.organiser,
        lock_after_last=True,
    )
    stored = SealedDocument(
        document=document,
        content_sha256=outgoing.current_sha256(document),
        slots=[{"page": slot.page, "x_mm": slot.x_mm, "y_mm": slot.y_mm, "diameter_mm": slot.diameter_mm}],
        issuer_count=1,
        sha256=sealed.sha256,
        locked=sealed.locked,
        completed_at=timezone.now(),
    )
    stored.file.save(f"{document.pk}-{sealed.sha256[:16]}.pdf", ContentFile(sealed.pdf), save=False)
    stored.save()
    IssuerSeal.objects.create(
        sealed=stored,
        position=0,
        unit=meeting.organiser_unit,
        seal=seal,
        actor=actor,
        field_name=sealed.field_names[-1],
        sha256=sealed.sha256,
    )


# --- sending -----------------------------------------------------------------------------------------------


def awaiting_notice(meeting: Meeting):
    return meeting.unit_invitations.filter(channel=Channel.AWAITING).select_related("unit").order_by("unit__path")


def ask_clerks_to_send(actor, meeting: Meeting) -> bool:
    """Give the organising unit's clerks the "发送会议通知" todo (once). False when it has no clerk."""
    clerks = list(clerks_of(meeting.organiser_unit))
    if not clerks:
        return False
    open_owners = set(
        TodoItem.objects.filter(
            source_app=SOURCE_APP, source_id=f"notice-{meeting.pk}", step=STEP_SEND, state="open"
        ).values_list("owner_id", flat=True)
    )
    for clerk in clerks:
        if clerk.pk in open_owners:
            continue
        todo.create_todo(
            actor,
            owner=clerk,
            kind="todo",
            title=notice_title(meeting),
            step=STEP_SEND,
            url=reverse("meetings:notice", args=[meeting.pk]),
            source_app=SOURCE_APP,
            source_id=f"notice-{meeting.pk}",
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
    """post_save of ``exchange.Delivery``: once signed for, open the nomination after the commit."""
    if instance.state == "signed":
        delivery_id = instance.pk
        transaction.on_commit(lambda: open_nomination(delivery_id))


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


# --- telling people about a change ----------------------------------------------------------------------


def notify_change(actor, meeting: Meeting, step: str, title: str) -> int:
    """A 待阅 item for everyone still expected (参加 or not yet answered) and for the clerks of the invited
    units; the pages listening on the meeting's socket refresh. Returns how many people were told."""
    people = {}
    for attendee in Attendee.objects.filter(
        meeting=meeting, response__in=(Response.PENDING, Response.ATTEND)
    ).select_related("person"):
        people[attendee.person_id] = attendee.person
    for invitation in meeting.unit_invitations.select_related("unit"):
        for clerk in clerks_of(invitation.unit):
            people.setdefault(clerk.pk, clerk)
    told = [p for p in people.values() if p.is_active and p.pk != getattr(actor, "pk", None)]
    for person in told:
        todo.create_todo(
            actor,
            owner=person,
            kind="toread",
            title=title[:300],
            step=step,
            url=reverse("meetings:detail", args=[meeting.pk]),
            source_app=SOURCE_APP,
            source_id=meeting.pk,
            category="会议",
            sender=meeting.organiser_unit.name,
            urgency="加急",
        )
    meeting_changed_on_commit(meeting.pk)
    return len(told)
