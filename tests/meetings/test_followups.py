"""会议变更通知 / 取消通知 to units reached through the 公文交换 travel the same way, as 通知 documents (the
.ics SEQUENCE still rises with every change)."""

from datetime import timedelta

from documents.exchange.models import Delivery
from documents.models import Document
from meetings import services
from meetings.models import Meeting, UnitInvitation
from oa.todo.models import TodoItem
from tests.meetings.conftest import client_for


def _toread(person, step):
    return TodoItem.objects.filter(owner=person, source_app="meetings", kind="toread", step=step)


def test_an_organiser_who_is_the_clerk_sends_the_change_notice_at_once(
    mt, make_meeting, through_exchange, django_capture_on_commit_callbacks
):
    meeting = make_meeting(actor=mt.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_units(mt.clerk, meeting, [mt.org.jc_gov])
    through_exchange.sign(mt.jc_clerk, meeting, mt.org.jc_gov)
    new_start = meeting.start + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(mt.clerk, meeting, {"start": new_start, "end": new_start + timedelta(hours=2)})
    titles = list(Document.objects.order_by("pk").values_list("title", flat=True))
    assert titles == ["关于召开全市安全生产工作会议的通知", "关于调整全市安全生产工作会议有关事项的通知"]
    assert Delivery.objects.filter(recipient=mt.org.jc_gov).count() == 2
    assert Meeting.objects.get(pk=meeting.pk).sequence == 1
    assert "SEQUENCE:1" in client_for(mt.clerk).get(f"/meetings/{meeting.pk}/meeting.ics").content.decode()


def test_a_cancellation_overrides_a_change_not_yet_sent(mt, invited, through_exchange):
    new_start = invited.start + timedelta(hours=2)
    services.update_meeting(mt.organiser, invited, {"start": new_start, "end": new_start + timedelta(hours=1)})
    services.cancel_meeting(mt.organiser, invited)
    page = client_for(mt.clerk).get(f"/meetings/{invited.pk}/notice/").content.decode()
    assert "会议取消通知" in page and "关于取消召开全市安全生产工作会议的通知" in page
    result = through_exchange.send_followup(mt.clerk, invited)
    assert result.label == "会议取消通知"
    followups = Document.objects.exclude(pk__in=Document.objects.filter(title__startswith="关于召开"))
    assert list(followups.values_list("title", flat=True)) == ["关于取消召开全市安全生产工作会议的通知"]
    assert "取消" in "".join(b.get("text", "") for b in followups.get().body)
    assert Meeting.objects.get(pk=invited.pk).sequence == 2
    assert not TodoItem.objects.filter(source_app="meetings", kind="todo", state="open").exists()


def test_when_the_exchange_cannot_carry_it_the_units_clerks_are_told_directly(mt, invited, seals, through_exchange):
    services.update_meeting(mt.organiser, invited, {"room": mt.room2.pk})
    result = through_exchange.send_followup(mt.clerk, invited)  # 阳江 now keeps a seal its clerk does not hold
    assert not result.sent and "印章管理员" in result.message
    assert _toread(mt.jc_clerk, "会议变更").count() == 1
    invitation = UnitInvitation.objects.get(meeting=invited, unit=mt.org.jc_gov)
    assert invitation.followup_pending == "" and "印章管理员" in invitation.notice_note
