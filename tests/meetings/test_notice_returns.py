"""A 会议通知 that comes back unsigned (退回 by the invited clerk, 撤回 by the organising clerk) does not vanish:
the organiser sees it on the page and in a 待阅 item, and chooses — send again, ask the unit's clerks by
todo, or withdraw the invitation."""

import pytest

from meetings import services
from meetings.models import UnitInvitation
from oa.audit.models import AuditEvent
from oa.core.errors import ServiceError
from oa.todo.models import TodoItem
from tests.meetings.conftest import client_for


def _open(person, step, kind="todo"):
    return TodoItem.objects.filter(owner=person, source_app="meetings", kind=kind, step=step, state="open")


@pytest.fixture
def sent(mt, make_meeting, through_exchange):
    meeting = make_meeting()
    services.invite_units(mt.organiser, meeting, [mt.org.jc_gov], seats=2)
    through_exchange.send(mt.clerk, meeting)
    return meeting


def test_a_returned_notice_tells_the_organiser_and_can_be_sent_again(mt, sent, through_exchange):
    invitation = through_exchange.give_back(mt.jc_clerk, sent, mt.org.jc_gov, reason="非本单位业务")
    assert invitation.notice_bounce == "returned" and "非本单位业务" in invitation.notice_note
    told = _open(mt.organiser, "会议通知被退回", kind="toread").get()
    assert "江城区人民政府" in told.title and "非本单位业务" in told.title
    assert services.counts(sent)["units_bounced"] == 1
    assert AuditEvent.objects.filter(action="meetings.notice_returned").exists()
    board = client_for(mt.organiser).get(f"/meetings/{sent.pk}/board/").content.decode()
    assert 'data-bounce="returned"' in board and "改为待办通知收发员" in board and "非本单位业务" in board
    assert services.notice_bounced(int(invitation.exchange_ref)) is None  # a second hint changes nothing

    invitation = through_exchange.resend(mt.clerk, sent, mt.org.jc_gov)
    assert invitation.notice_bounce == "" and "重新发送" in invitation.notice_note
    assert _open(mt.organiser, "会议通知被退回", kind="toread").count() == 0
    assert services.counts(sent)["units_bounced"] == 0
    invitation = through_exchange.sign(mt.jc_clerk, sent, mt.org.jc_gov)
    assert invitation.notice_signed_at and _open(mt.jc_clerk, "报名").count() == 1


def test_after_a_recall_the_organiser_may_ask_the_units_clerks_by_todo(mt, sent, through_exchange):
    invitation = through_exchange.recall(mt.clerk, sent, mt.org.jc_gov, reason="通知内容有误")
    assert invitation.notice_bounce == "recalled" and "撤回" in invitation.notice_note
    assert _open(mt.organiser, "会议通知已撤回", kind="toread").count() == 1
    assert _open(mt.jc_clerk, "报名").count() == 0
    # Nobody but the organiser decides: 江城区's clerk is refused, an outsider does not even see the meeting.
    url = f"/meetings/{sent.pk}/units/{invitation.pk}/by-todo/"
    assert client_for(mt.outsider).post(url).status_code == 404
    refused = client_for(mt.jc_clerk).post(url, follow=True).content.decode()
    assert "只有会议组织人可以改变通知方式" in refused and _open(mt.jc_clerk, "报名").count() == 0
    response = client_for(mt.organiser).post(url, follow=True)
    assert "已改为待办通知江城区人民政府的收发员报名" in response.content.decode()
    invitation.refresh_from_db()
    assert (invitation.channel, invitation.notice_bounce) == ("todo", "")
    assert _open(mt.jc_clerk, "报名").count() == 1
    assert _open(mt.organiser, "会议通知已撤回", kind="toread").count() == 0
    with pytest.raises(ServiceError, match="只有被退回或撤回"):
        services.notify_unit_by_todo(mt.organiser, invitation)


def test_a_returned_invitation_can_be_withdrawn_but_not_one_still_in_the_exchange(mt, sent, through_exchange):
    invitation = UnitInvitation.objects.get(meeting=sent)
    with pytest.raises(ServiceError, match="尚在公文交换中"):
        services.withdraw_unit(mt.organiser, invitation)
    invitation = through_exchange.give_back(mt.jc_clerk, sent, mt.org.jc_gov)
    client_for(mt.organiser).post(f"/meetings/{sent.pk}/units/{invitation.pk}/withdraw/")
    assert not UnitInvitation.objects.filter(meeting=sent).exists()
    assert services.counts(sent)["units_invited"] == 0
    assert _open(mt.organiser, "会议通知被退回", kind="toread").count() == 0
    assert AuditEvent.objects.filter(action="meetings.withdraw_unit").exists()
