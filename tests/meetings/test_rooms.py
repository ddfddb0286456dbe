"""Room booking: overlapping bookings of one room are refused, also when two people book at once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from oa.core.errors import PermissionDeniedError, ServiceError
from tests.meetings.conftest import local


def test_overlapping_booking_of_the_same_room_is_refused(mt, make_meeting):
    first = make_meeting(start=local(2030, 3, 4, 9), hours=2)
    with pytest.raises(ServiceError, match="第一会议室.*已被“全市安全生产工作会议”预订"):
        make_meeting(start=local(2030, 3, 4, 10), hours=2, title="另一个会")
    # Back to back is fine, as is another room or a purely online meeting at the same time.
    make_meeting(start=local(2030, 3, 4, 11), hours=1, title="紧接着的会")
    make_meeting(start=local(2030, 3, 4, 10), room=mt.room2, title="第二会议室的会")
    make_meeting(start=local(2030, 3, 4, 10), room=None, online_url="https://meet.example.gov.cn/r/1", title="线上会")
    assert Meeting.objects.filter(room=mt.room).count() == 2
    assert first.place == "第一会议室（市府大楼3楼）"


def test_cancelling_frees_the_room_and_rescheduling_checks_again(mt, make_meeting):
    first = make_meeting(start=local(2030, 3, 4, 9))
    second = make_meeting(start=local(2030, 3, 4, 14), title="下午的会")
    with pytest.raises(ServiceError, match="已被"):
        services.reschedule(mt.organiser, second, {"start": local(2030, 3, 4, 10), "end": local(2030, 3, 4, 12)})
    services.cancel_meeting(mt.organiser, first)
    moved = services.reschedule(mt.organiser, second, {"start": local(2030, 3, 4, 10), "end": local(2030, 3, 4, 12)})
    assert moved.start == local(2030, 3, 4, 10)


def test_bad_input_is_refused_with_a_message(mt, make_meeting):
    with pytest.raises(ServiceError, match="结束时间必须晚于开始时间"):
        make_meeting(start=local(2030, 3, 4, 9), hours=-1)
    with pytest.raises(ServiceError, match="请选择会议室或填写线上会议链接"):
        make_meeting(start=local(2030, 3, 4, 9), room=None)
    with pytest.raises(ServiceError, match="https://"):
        make_meeting(start=local(2030, 3, 4, 9), room=None, online_url="javascript:alert(1)")
    meeting = make_meeting(start=local(2030, 3, 4, 9))
    with pytest.raises(PermissionDeniedError):
        services.cancel_meeting(mt.staff, meeting)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_of_one_room_leave_exactly_one(personas, org_tree):
    from meetings.models import Room

    room = Room.objects.create(unit=org_tree.yj_gov, name="常委会议室")
    start = timezone.now() + timedelta(days=3)
    barrier = threading.Barrier(2)
    results = []

    def book(person, title):
        try:
            barrier.wait(timeout=5)
            services.create_meeting(
                person, {"title": title, "start": start, "end": start + timedelta(hours=1), "room": room}
            )
            results.append("ok")
        except ServiceError as error:
            results.append(error.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(personas.yj_mayor, "市长办公会")),
        threading.Thread(target=book, args=(personas.yj_vice, "专题协调会")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(r == "ok" for r in results) == [False, True]
    assert Meeting.objects.filter(room=room).count() == 1


def test_api_creates_meetings_with_the_same_conflict_check(mt):
    from tests.meetings.conftest import client_for

    client = client_for(mt.organiser)
    body = {
        "title": "API安排的会",
        "kind": "专题会议",
        "start": "2030-03-04T09:00:00+08:00",
        "end": "2030-03-04T10:00:00+08:00",
        "room": mt.room.pk,
    }
    created = client.post("/api/meetings/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["place"].startswith("第一会议室")
    clash = client.post("/api/meetings/", {**body, "title": "撞车"}, content_type="application/json")
    assert clash.status_code == 400 and "已被“API安排的会”预订" in clash.json()["detail"]
    assert [m["title"] for m in client.get("/api/meetings/").json()["results"]] == ["API安排的会"]
    assert client_for(mt.outsider).get("/api/meetings/").json()["results"] == []
