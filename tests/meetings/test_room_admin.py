"""Meeting rooms kept by the unit's 办公室 (收发员) or a 单位管理员: create, edit, retire; bookings still clash."""

import pytest

from meetings import services
from meetings.models import Room
from oa.core.errors import PermissionDeniedError, ServiceError
from tests.meetings.conftest import client_for, local


def test_the_clerk_creates_edits_and_retires_rooms_through_the_pages(mt, make_meeting):
    clerk = client_for(mt.clerk)
    assert clerk.get("/meetings/rooms/").status_code == 200
    clerk.post("/meetings/rooms/", {"name": "第三会议室", "location": "5楼", "capacity": "20", "equipment": "投影仪"})
    room = Room.objects.get(name="第三会议室")
    assert (room.unit, room.capacity, room.equipment) == (mt.org.yj_gov, 20, "投影仪")
    duplicate = clerk.post("/meetings/rooms/", {"name": "第三会议室"}, follow=True).content.decode()
    assert "已有名为" in duplicate
    saved = clerk.post(
        f"/meetings/rooms/{room.pk}/", {"name": "第三会议室", "capacity": "24", "equipment": "视频会议终端"}
    )
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    room.refresh_from_db()
    assert (room.capacity, room.equipment) == (24, "视频会议终端")
    week = clerk.get(f"/meetings/calendar/room/{room.pk}/?date=2030-03-04")
    assert week.status_code == 200

    make_meeting(start=local(2030, 3, 4, 9), room=room)
    refused = clerk.post(f"/meetings/rooms/{room.pk}/active/", {"active": "0"}, follow=True).content.decode()
    assert "未结束的会议" in refused and Room.objects.get(pk=room.pk).is_active
    clerk.post(f"/meetings/rooms/{mt.room2.pk}/active/", {"active": "0"})
    assert not Room.objects.get(pk=mt.room2.pk).is_active
    with pytest.raises(ServiceError, match="已停用"):
        make_meeting(start=local(2030, 3, 5, 9), room=mt.room2)


def test_bookings_of_a_new_room_still_clash(mt, make_meeting):
    room = services.create_room(mt.clerk, mt.org.yj_gov, {"name": "小会议室", "capacity": 8})
    make_meeting(start=local(2030, 3, 4, 9), room=room)
    with pytest.raises(ServiceError, match="已被"):
        make_meeting(start=local(2030, 3, 4, 10), room=room)


def test_only_the_office_or_a_unit_admin_manages_rooms(mt):
    for person in (mt.staff, mt.organiser, mt.jc_clerk):
        with pytest.raises(PermissionDeniedError):
            services.create_room(person, mt.org.yj_gov, {"name": "X"})
    assert client_for(mt.staff).get("/meetings/rooms/").status_code == 404
    assert client_for(mt.jc_clerk).post(f"/meetings/rooms/{mt.room.pk}/", {"name": "改名"}).status_code == 404
    # 江城区's 单位管理员 administers 江城区, not 阳江市人民政府
    jc_admin = mt.p.jc_admin
    services.create_room(jc_admin, mt.org.jc_gov, {"name": "区政府会议室"})
    with pytest.raises(PermissionDeniedError):
        services.update_room(jc_admin, mt.room, {"name": "改名"})
