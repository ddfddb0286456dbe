"""纪要 and 议定事项.  The 纪要 is an ordinary 公文 draft (文种 纪要, 纪要格式) that then follows the 发文 flow;
each decision can become a 督办 item linked back to the meeting."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import require

from ..models import Decision, Meeting, Response
from ..models import Role as AttendRole
from .common import locked, text


def add_decision(actor, meeting: Meeting, content: str) -> Decision:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以记录议定事项。")
    content = text(content, "议定事项", "content", 2000)
    with transaction.atomic():
        decision = Decision.objects.create(meeting=meeting, position=meeting.decisions.count(), content=content)
        record(actor, "meetings.add_decision", meeting, after={"decision": content}, summary="记录议定事项")
    return decision


def attendance_lists(meeting: Meeting) -> dict[str, list[str]]:
    """出席 / 列席 / 请假 names, in invitation order. Substituted people count as 请假 with their substitute."""
    lists: dict[str, list[str]] = {"出席": [], "列席": [], "请假": []}
    for a in meeting.attendees.select_related("person", "person__unit").order_by("id"):
        name = a.person.get_full_name()
        if a.response == Response.LEAVE:
            lists["请假"].append(name)
        elif a.response == Response.DELEGATE:
            continue  # the substitute appears under 出席/列席
        else:
            lists["列席" if a.role == AttendRole.OBSERVE else "出席"].append(name)
    return lists


def minutes_body(meeting: Meeting) -> list[dict]:
    start = timezone.localtime(meeting.start)
    host = meeting.host.get_full_name() if meeting.host_id else meeting.organiser.get_full_name()
    blocks = [
        {
            "kind": "paragraph",
            "text": f"{start:%Y年%-m月%-d日}，{host}主持召开{meeting.title}，地点：{meeting.place}。",
        }
    ]
    agenda = list(meeting.agenda.all())
    if agenda:
        blocks.append({"kind": "heading1", "text": "会议议题"})
        for item in agenda:
            presenter = f"（{item.presenter_label}汇报）" if item.presenter_label else ""
            blocks.append({"kind": "paragraph", "text": f"{item.title}{presenter}"})
    decisions = list(meeting.decisions.all())
    blocks.append({"kind": "heading1", "text": "议定事项"})
    for n, decision in enumerate(decisions, start=1):
        blocks.append({"kind": "paragraph", "text": f"{n}. {decision.content}"})
    if not decisions:
        blocks.append({"kind": "paragraph", "text": "（待补充）"})
    for label, names in attendance_lists(meeting).items():
        blocks.append({"kind": "paragraph", "text": f"{label}：{'、'.join(names) if names else '无'}"})
    return blocks


def draft_minutes(actor, meeting: Meeting):
    """Create the 纪要 draft (once per meeting) and return the Document."""
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以起草会议纪要。")
    from documents.services import create_draft

    if meeting.minutes_document_id:
        raise ServiceError("本次会议已起草纪要。")
    with transaction.atomic():
        current = locked(meeting)
        if current.minutes_document_id:
            raise ServiceError("本次会议已起草纪要。")
        document = create_draft(
            actor,
            {"doc_type": "纪要", "title": f"{meeting.title}纪要"[:300], "body": minutes_body(current)},
        )
        current.minutes_document = document
        current.save(update_fields=["minutes_document"])
        record(actor, "meetings.draft_minutes", current, after={"document": document.pk}, summary="起草会议纪要")
    return document


def decision_to_supervision(actor, decision: Decision, *, lead_unit, cooperating_units=(), deadline):
    """Raise a 督办 item for a decision (会议决定), linked back to the meeting; once per decision."""
    meeting = decision.meeting
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以将议定事项转督办。")
    from oa.supervision.services import raise_item

    with transaction.atomic():
        current = Decision.objects.select_for_update().get(pk=decision.pk)
        if current.supervision_item_id:
            raise ServiceError("该议定事项已转督办。")
        item = raise_item(
            actor,
            title=current.content[:200],
            instruction=f"{meeting.title}议定：{current.content}",
            source_kind="meeting",
            source_ref=f"meetings.meeting:{meeting.pk}",
            source_url=reverse("meetings:detail", args=[meeting.pk]),
            lead_unit=lead_unit,
            cooperating_units=cooperating_units,
            deadline=deadline,
        )
        current.supervision_item = item
        current.save(update_fields=["supervision_item"])
        record(
            actor,
            "meetings.decision_to_supervision",
            meeting,
            after={"decision": current.pk, "item": item.pk},
            summary="议定事项转督办",
        )
    return item
