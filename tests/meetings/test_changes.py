"""Editing a meeting before it starts (audited, room conflicts still detected), agenda order, and telling
people about a change or a cancellation (todo items, .ics SEQUENCE / STATUS:CANCELLED)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents.exchange.models import Delivery
from documents.models import Document
from meetings import services
from meetings.models import Meeting, UnitInvitation
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.todo.models import TodoItem
from tests.meetings.conftest import client_for, local


def _toread(person, step):
    return TodoItem.objects.filter(owner=person, source_app="meetings", kind="toread", step=step)


def _open_todo(person, step):
    return TodoItem.objects.filter(owner=person, source_app="meetings", kind="todo", step=step, state="open")


def _ics(person, meeting) -> str:
    return client_for(person).get(f"/meetings/{meeting.pk}/meeting.ics").content.decode()


def test_moving_a_meeting_tells_the_expected_people_and_the_units_and_bumps_the_ics(mt, invited, through_exchange):
    services.answer(mt.vice, invited, "leave", reason="出差")
    assert "SEQUENCE:0" in _ics(mt.staff, invited)
    new_start = invited.start + timedelta(hours=3)
    services.update_meeting(mt.organiser, invited, {"start": new_start, "end": new_start + timedelta(hours=1)})
    assert _toread(mt.staff, "会议变更").count() == 1  # not answered yet
    assert _toread(mt.vice, "会议变更").count() == 0  # on leave
    # 江城区 got its 会议通知 through the exchange: the 变更通知 goes the same way, sent by 阳江's clerk.
    assert _toread(mt.jc_clerk, "会议变更").count() == 0
    assert _open_todo(mt.clerk, "发送会议变更通知").count() == 1
    assert "SEQUENCE:1" in _ics(mt.staff, invited)
    result = through_exchange.send_followup(mt.clerk, invited)
    assert [i.unit for i in result.sent] == [mt.org.jc_gov] and "会议变更通知已通过公文交换发送" in result.message
    document = Document.objects.get(pk=result.document.pk)
    assert document.title == "关于调整全市安全生产工作会议有关事项的通知" and document.status == "distributed"
    text = "\n".join(block.get("text", "") for block in document.body)
    assert "第1次调整" in text and f"{timezone.localtime(new_start):%Y年%-m月%-d日 %H:%M}" in text
    delivery = Delivery.objects.get(document=document)
    assert (delivery.recipient, delivery.state) == (mt.org.jc_gov, "delivered")
    assert _open_todo(mt.clerk, "发送会议变更通知").count() == 0
    invitation = UnitInvitation.objects.get(meeting=invited, unit=mt.org.jc_gov)
    assert invitation.followup_pending == "" and "会议变更通知" in invitation.notice_note
    # Signing for the 变更通知 is not signing for the 会议通知: nothing is opened twice.
    through_exchange.sign_delivery(mt.jc_clerk, delivery.pk)
    assert TodoItem.objects.filter(owner=mt.jc_clerk, step="报名").count() == 1
    event = AuditEvent.objects.filter(action="meetings.update").latest("pk")
    assert "开始时间" in event.summary and event.before["start"] != event.after["start"]
    page = client_for(mt.staff).get(f"/meetings/{invited.pk}/facts/").content.decode()
    assert f"{timezone.localtime(new_start):%Y-%m-%d %H:%M}" in page


def test_a_title_change_is_audited_but_sends_no_change_notice(mt, invited):
    services.update_meeting(mt.organiser, invited, {"title": "全市安全生产工作推进会"})
    assert _toread(mt.staff, "会议变更").count() == 0
    assert AuditEvent.objects.filter(action="meetings.update", summary__contains="会议名称").exists()
    assert Meeting.objects.get(pk=invited.pk).sequence == 1


def test_cancelling_tells_people_closes_open_items_and_marks_the_ics_cancelled(mt, invited):
    services.cancel_meeting(mt.organiser, invited)
    assert _toread(mt.vice, "会议取消").count() == 1 and _toread(mt.jc_clerk, "会议取消").count() == 0
    # The only open todo left is 阳江 clerk's: send the 取消通知 to 江城区 through the exchange.
    left = TodoItem.objects.filter(source_app="meetings", kind="todo", state="open")
    assert [(t.owner, t.step) for t in left] == [(mt.clerk, "发送会议取消通知")]
    ics = _ics(mt.staff, invited)
    assert "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    with pytest.raises(ServiceError, match="已取消"):
        services.cancel_meeting(mt.organiser, invited)


def test_editing_checks_room_conflicts_and_who_may_edit(mt, make_meeting):
    first = make_meeting(start=local(2030, 5, 6, 9))
    second = make_meeting(start=local(2030, 5, 6, 14), room=mt.room2)
    with pytest.raises(ServiceError, match="已被"):
        services.update_meeting(mt.organiser, second, {"room": mt.room.pk, "start": local(2030, 5, 6, 10)})
    with pytest.raises(PermissionDeniedError):
        services.update_meeting(mt.staff, first, {"title": "x"})
    page = client_for(mt.organiser).post(
        f"/meetings/{second.pk}/edit/",
        {
            "title": second.title,
            "kind": second.kind,
            "start": "2030-05-06T09:30",
            "end": "2030-05-06T10:30",
            "room": str(mt.room.pk),
            "online_url": "",
            "host": str(mt.vice.pk),
            "note": "",
        },
        follow=True,
    )
    assert "已被" in page.content.decode()
    client_for(mt.organiser).post(
        f"/meetings/{second.pk}/edit/",
        {
            "title": "改期后的会议",
            "kind": "专题会议",
            "start": "2030-05-06T15:00",
            "end": "2030-05-06T16:00",
            "room": str(mt.room.pk),
            "online_url": "",
            "host": str(mt.vice.pk),
            "note": "请带材料",
        },
    )
    second.refresh_from_db()
    assert (second.title, second.kind, second.room, second.host, second.note) == (
        "改期后的会议",
        "专题会议",
        mt.room,
        mt.vice,
        "请带材料",
    )
    assert client_for(mt.staff).get(f"/meetings/{second.pk}/edit/").status_code == 404


def test_after_the_start_only_minutes_and_decisions(mt, make_meeting):
    meeting = make_meeting(start=timezone.now() - timedelta(minutes=5))
    with pytest.raises(ServiceError, match="会议已开始"):
        services.update_meeting(mt.organiser, meeting, {"title": "新名称"})
    with pytest.raises(ServiceError, match="会议已开始"):
        services.add_agenda_item(mt.organiser, meeting, "临时议题")
    services.add_decision(mt.organiser, meeting, "同意实施方案")
    assert "会议已开始" in client_for(mt.organiser).get(f"/meetings/{meeting.pk}/edit/").content.decode()


def test_agenda_items_are_removed_and_reordered(mt, make_meeting):
    meeting = make_meeting()
    services.add_agenda_item(mt.organiser, meeting, "研究明年工作计划")
    first, second, third = meeting.agenda.all()
    services.move_agenda_item(mt.organiser, meeting, third.pk, -1)
    assert [a.title for a in meeting.agenda.all()] == [first.title, third.title, second.title]
    with pytest.raises(ServiceError, match="最前"):
        services.move_agenda_item(mt.organiser, meeting, first.pk, -1)
    client_for(mt.organiser).post(f"/meetings/{meeting.pk}/agenda/{first.pk}/remove/")
    assert [(a.position, a.title) for a in meeting.agenda.all()] == [(0, third.title), (1, second.title)]
    actions = set(AuditEvent.objects.filter(action__startswith="meetings.").values_list("action", flat=True))
    assert {"meetings.add_agenda", "meetings.move_agenda", "meetings.remove_agenda"} <= actions
