"""会议通知 to other units through the 公文交换: the organising unit's clerk sends one sealed-when-possible 通知
主送 every invited unit; signing for it opens the unit's nomination; the organising unit itself and any
unit the exchange cannot reach get todo items, with the reason kept."""

import pytest
from django.utils import timezone

from documents.exchange.models import Delivery, State
from documents.models import AddresseeKind, Document, Status
from meetings import services
from meetings.models import UnitInvitation
from oa.org.models import Role
from oa.todo.models import TodoItem
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.meetings.conftest import client_for

Channel = UnitInvitation.Channel


def _open(person, step):
    return TodoItem.objects.filter(owner=person, source_app="meetings", step=step, state="open")


@pytest.fixture
def edu_clerk(mt):
    clerk = PersonFactory(username="edu_clerk", name="教育局收发", unit=mt.org.yj_edu)
    RoleAssignmentFactory(person=clerk, unit=mt.org.yj_edu, role=Role.CLERK)
    return clerk


def test_notice_travels_through_the_exchange_and_signing_for_it_opens_nomination(
    mt, make_meeting, edu_clerk, through_exchange
):
    meeting = make_meeting()
    added = services.invite_units(mt.organiser, meeting, [mt.org.jc_gov, mt.org.yj_edu], seats=3)
    assert {i.channel for i in added} == {Channel.AWAITING}
    assert _open(mt.clerk, "发送会议通知").count() == 1  # the organiser is no clerk: the unit's clerk sends
    assert _open(mt.jc_clerk, "报名").count() == 0

    result = through_exchange.send(mt.clerk, meeting)
    assert len(result.sent) == 2 and not result.fallback
    document = Document.objects.get(pk=result.document.pk)
    assert document.doc_type == "通知" and document.title == "关于召开全市安全生产工作会议的通知"
    assert document.owner_unit == mt.org.yj_gov and document.status == Status.DISTRIBUTED
    assert set(document.addressee_units(AddresseeKind.MAIN)) == {mt.org.jc_gov, mt.org.yj_edu}
    text = "\n".join(block.get("text", "") for block in document.body)
    start = timezone.localtime(meeting.start)
    for expected in (
        f"{start:%Y年%-m月%-d日 %H:%M}",
        "第一会议室（市府大楼3楼）",
        "通报第三季度安全生产情况",
        "3名",
        "报名",
        "吴市长",
    ):
        assert expected in text
    deliveries = {d.recipient_id: d for d in Delivery.objects.filter(document=document)}
    assert set(deliveries) == {mt.org.jc_gov.pk, mt.org.yj_edu.pk}
    assert all(d.state == State.DELIVERED for d in deliveries.values())
    jc = UnitInvitation.objects.get(meeting=meeting, unit=mt.org.jc_gov)
    assert (jc.channel, jc.exchange_ref) == (Channel.EXCHANGE, str(deliveries[mt.org.jc_gov.pk].pk))
    assert _open(mt.clerk, "发送会议通知").count() == 0
    assert _open(mt.jc_clerk, "报名").count() == 0  # not before signing for it

    jc = through_exchange.sign(mt.jc_clerk, meeting, mt.org.jc_gov)
    todo = _open(mt.jc_clerk, "报名").get()
    assert todo.url == f"/meetings/invitations/{jc.pk}/" and jc.notice_signed_at is not None
    assert _open(edu_clerk, "报名").count() == 0  # 教育局 has not signed yet
    assert services.open_nomination(int(jc.exchange_ref)) is None  # a second signal changes nothing
    assert _open(mt.jc_clerk, "报名").count() == 1
    services.nominate(mt.jc_clerk, jc, [mt.jc_staff])
    assert _open(mt.jc_staff, "回执").count() == 1


def test_the_organising_unit_itself_gets_a_todo_without_the_exchange(mt, make_meeting):
    meeting = make_meeting()
    [invitation] = services.invite_units(mt.organiser, meeting, [mt.org.yj_gov])
    assert invitation.channel == Channel.TODO and invitation.exchange_ref == ""
    assert _open(mt.clerk, "报名").count() == 1 and _open(mt.clerk, "发送会议通知").count() == 0
    assert not Delivery.objects.exists() and not Document.objects.exists()


def test_an_organiser_who_is_the_clerk_sends_at_once(mt, make_meeting, django_capture_on_commit_callbacks):
    meeting = make_meeting(actor=mt.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = services.invite_units(mt.clerk, meeting, [mt.org.jc_gov])
    assert invitation.channel == Channel.EXCHANGE
    assert Delivery.objects.get(pk=int(invitation.exchange_ref)).recipient == mt.org.jc_gov


def test_a_seal_the_clerk_cannot_apply_falls_back_to_the_todo_with_the_reason(
    mt, make_meeting, seals, through_exchange
):
    meeting = make_meeting()
    services.invite_units(mt.organiser, meeting, [mt.org.jc_gov])
    result = through_exchange.send(mt.clerk, meeting)
    assert not result.sent and "印章管理员" in result.message and "江城区" in result.message
    invitation = UnitInvitation.objects.get(meeting=meeting)
    assert invitation.channel == Channel.TODO and "印章管理员" in invitation.notice_note
    assert _open(mt.jc_clerk, "报名").count() == 1
    assert not Document.objects.exists() and not Delivery.objects.exists()  # nothing half-sent is left


def test_an_organising_unit_without_clerk_falls_back_and_tells_the_organiser(mt, make_meeting):
    organiser = mt.outsider  # 揭阳市人民政府 has no 收发员
    meeting = make_meeting(actor=organiser, room=None, online_url="https://meet.example.gov.cn/1")
    response = client_for(organiser).post(
        f"/meetings/{meeting.pk}/invite-units/", {"units": [mt.org.jc_gov.pk], "seats": "1"}, follow=True
    )
    assert "主办单位没有收发员" in response.content.decode()
    invitation = UnitInvitation.objects.get(meeting=meeting)
    assert invitation.channel == Channel.TODO and "主办单位没有收发员" in invitation.notice_note
    assert _open(mt.jc_clerk, "报名").count() == 1


def test_notice_page_is_the_organising_clerks(mt, make_meeting, django_capture_on_commit_callbacks):
    meeting = make_meeting()
    services.invite_units(mt.organiser, meeting, [mt.org.jc_gov])
    assert client_for(mt.staff).get(f"/meetings/{meeting.pk}/notice/").status_code == 404
    assert client_for(mt.jc_clerk).get(f"/meetings/{meeting.pk}/notice/").status_code == 404
    clerk = client_for(mt.clerk)
    page = clerk.get(f"/meetings/{meeting.pk}/notice/").content.decode()
    assert "关于召开全市安全生产工作会议的通知" in page and "江城区人民政府" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/meetings/{meeting.pk}/notice/", follow=True)
    assert "已通过公文交换发送至 1 个单位" in response.content.decode()
    assert UnitInvitation.objects.get(meeting=meeting).channel == Channel.EXCHANGE
