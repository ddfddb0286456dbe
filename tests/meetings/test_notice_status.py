"""Each invited unit's notices (会议通知, 变更通知, 取消通知) as they stand in the 公文交换, on the organiser's page,
with 重新发送 for the ones that came back — through the exchange's own resend, live over the meeting socket."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from documents.exchange import services as exchange
from documents.exchange.models import Delivery
from meetings import services
from meetings.models import NoticeDelivery, UnitInvitation
from meetings.services import notice_status
from oa.audit.models import AuditEvent
from oa.core.errors import ServiceError
from oa.todo.models import TodoItem
from tests.meetings import test_notice_returns
from tests.meetings.conftest import client_for
from tests.meetings.test_materials import _socket

sent = test_notice_returns.sent  # the shared fixture: a 会议通知 out to 江城区 through the exchange


def _rows(meeting, unit):
    invitation = UnitInvitation.objects.get(meeting=meeting, unit=unit)
    return services.unit_notices(meeting)[invitation.pk]


def test_each_notice_shows_its_exchange_state_and_reason(mt, sent, through_exchange):
    assert [(r["label"], r["state_label"]) for r in _rows(sent, mt.org.jc_gov)] == [("会议通知", "已送达")]
    through_exchange.give_back(mt.jc_clerk, sent, mt.org.jc_gov, reason="请发至区府办")
    (row,) = _rows(sent, mt.org.jc_gov)
    assert (row["state_label"], row["reason"], row["resendable"]) == ("已退回", "请发至区府办", True)
    page = client_for(mt.organiser).get(f"/meetings/{sent.pk}/").content.decode()
    assert 'data-notice-state="returned"' in page and "退回原因：请发至区府办" in page and "data-notice-resend" in page
    # Those not organising the meeting see no such list (江城区's clerk may see the meeting as invited unit).
    assert "data-notice-resend" not in client_for(mt.jc_clerk).get(f"/meetings/{sent.pk}/").content.decode()


def test_a_returned_change_notice_is_shown_and_resent_by_the_clerk(mt, sent, through_exchange):
    through_exchange.sign(mt.jc_clerk, sent, mt.org.jc_gov)
    start = sent.start + timedelta(hours=2)
    services.update_meeting(mt.organiser, sent, {"start": start, "end": start + timedelta(hours=2)})
    through_exchange.send_followup(mt.clerk, sent)
    notice, change = _rows(sent, mt.org.jc_gov)
    assert (notice["state_label"], change["label"], change["state_label"]) == ("已签收", "会议变更通知", "已送达")
    delivery = NoticeDelivery.objects.get(pk=change["id"]).delivery
    with pytest.raises(ServiceError, match="无需重新发送"):
        services.resend_notice(mt.clerk, sent, change["id"])
    exchange.return_delivery(mt.jc_clerk, delivery.pk, reason="时间冲突，请联系")
    change = _rows(sent, mt.org.jc_gov)[1]
    assert (change["state_label"], change["reason"]) == ("已退回", "时间冲突，请联系")

    response = client_for(mt.clerk).post(
        f"/meetings/{sent.pk}/notices/{change['id']}/resend/", {"back": "notice"}, follow=True
    )
    assert "会议变更通知已重新发送至江城区人民政府" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.round == 2 and delivery.state in ("pending", "delivered")
    assert AuditEvent.objects.filter(action="meetings.resend_notice").exists()
    assert AuditEvent.objects.filter(action="exchange.resend").exists()  # the exchange's own resend ran


def test_the_organiser_asks_the_clerks_who_resend_from_the_notice_page(
    mt, sent, through_exchange, django_capture_on_commit_callbacks
):
    through_exchange.give_back(mt.jc_clerk, sent, mt.org.jc_gov)
    (row,) = _rows(sent, mt.org.jc_gov)
    url = f"/meetings/{sent.pk}/notices/{row['id']}/resend/"
    assert client_for(mt.outsider).post(url).status_code == 404
    assert client_for(mt.jc_clerk).post(url).status_code == 404
    response = client_for(mt.organiser).post(url, follow=True)
    assert "已请主办单位收发员重新发送会议通知至江城区人民政府" in response.content.decode()
    asked = TodoItem.objects.get(owner=mt.clerk, step="重新发送会议通知", state="open")
    assert asked.url == f"/meetings/{sent.pk}/notice/"
    page = client_for(mt.clerk).get(asked.url).content.decode()
    assert 'data-notice-state="returned"' in page and "data-notice-resend" in page
    with django_capture_on_commit_callbacks(execute=True):
        client_for(mt.clerk).post(url, {"back": "notice"})
    assert Delivery.objects.get(pk=NoticeDelivery.objects.get(pk=row["id"]).delivery_id).round == 2
    asked.refresh_from_db()
    assert asked.state != "open"
    invitation = UnitInvitation.objects.get(meeting=sent)
    assert invitation.notice_bounce == ""  # back to waiting for 签收
    with pytest.raises(ServiceError, match="无需重新发送"):
        services.resend_notice(mt.clerk, sent, row["id"])


@pytest.mark.django_db(transaction=True)
def test_the_organisers_socket_hears_each_change_of_a_change_notice(mt, make_meeting):
    meeting = make_meeting()
    services.invite_units(mt.organiser, meeting, [mt.org.jc_gov], seats=1)
    services.send_notice(mt.clerk, meeting)
    jc = UnitInvitation.objects.get(meeting=meeting)
    exchange.sign_for(mt.jc_clerk, int(jc.exchange_ref))
    start = meeting.start + timedelta(hours=1)
    services.update_meeting(mt.organiser, meeting, {"start": start, "end": start + timedelta(hours=2)})
    services.send_followup(mt.clerk, meeting)
    change = NoticeDelivery.objects.get(kind="change")
    organiser = client_for(mt.organiser)

    async def scenario():
        ws = _socket(organiser, meeting.pk)
        try:
            assert (await ws.connect())[0]
            assert (await ws.receive_json_from(timeout=3))["type"] == "counts"
            await sync_to_async(exchange.return_delivery)(mt.jc_clerk, change.delivery_id, reason="请核实")
            assert (await ws.receive_json_from(timeout=3))["type"] == "counts"
            board = await sync_to_async(organiser.get)(f"/meetings/{meeting.pk}/board/")
            assert 'data-notice-state="returned"' in board.content.decode()
            await sync_to_async(services.resend_notice)(mt.clerk, meeting, change.pk)
            assert (await ws.receive_json_from(timeout=3))["type"] == "counts"
        finally:
            await ws.disconnect()

    async_to_sync(scenario)()


def test_a_returned_change_notice_tells_the_organiser_until_it_goes_out_again(
    mt, sent, through_exchange, django_capture_on_commit_callbacks
):
    through_exchange.sign(mt.jc_clerk, sent, mt.org.jc_gov)
    start = sent.start + timedelta(hours=3)
    services.update_meeting(mt.organiser, sent, {"start": start, "end": start + timedelta(hours=2)})
    through_exchange.send_followup(mt.clerk, sent)
    change = NoticeDelivery.objects.get(kind="change")

    def told():
        return TodoItem.objects.filter(owner=mt.organiser, kind="toread", step="会议变更通知未送达", state="open")

    with django_capture_on_commit_callbacks(execute=True):
        exchange.return_delivery(mt.jc_clerk, change.delivery_id, reason="改期时间与区常务会冲突")
    item = told().get()
    assert "会议变更通知被江城区人民政府退回：改期时间与区常务会冲突" in item.title
    assert item.url == f"/meetings/{sent.pk}/"
    # the same bounce heard twice (a late or repeated hint) tells the organiser once
    notice_status.notice_delivery_changed(change.delivery_id)
    assert told().count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.resend_notice(mt.clerk, sent, change.pk)
    assert not told().exists()  # sent again: the notice is no longer unread news


def test_the_api_lists_notice_states_and_resends_for_the_organiser_and_clerk_only(mt, sent, through_exchange):
    through_exchange.give_back(mt.jc_clerk, sent, mt.org.jc_gov, reason="请发至区府办")
    url = f"/api/meetings/{sent.pk}/notices/"
    data = client_for(mt.organiser).get(url).json()
    (row,) = [r for r in data if r["unit"] == mt.org.jc_gov.pk]
    (notice,) = row["notices"]
    assert (notice["label"], notice["state"], notice["reason"], notice["resendable"]) == (
        "会议通知",
        "returned",
        "请发至区府办",
        True,
    )
    for person in (mt.outsider, mt.jc_clerk, mt.staff):
        assert client_for(person).get(url).status_code == 404
        assert client_for(person).post(f"{url}{notice['id']}/resend/").status_code == 404

    clerk = client_for(mt.clerk)
    response = clerk.post(f"{url}{notice['id']}/resend/")
    assert response.status_code == 200 and "已重新发送至江城区人民政府" in response.json()["detail"]
    again = clerk.post(f"{url}{notice['id']}/resend/")
    assert again.status_code == 400 and "无需重新发送" in again.json()["detail"]
