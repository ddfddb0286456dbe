"""Calendars (day / week for a person, a unit, a room) and the .ics export."""

from datetime import timedelta

from django.utils import timezone

from meetings import calendar as cal
from meetings import services
from tests.meetings.conftest import client_for, local


def test_week_and_day_views_for_person_unit_and_room(mt, make_meeting):
    meeting = make_meeting(start=local(2030, 3, 6, 9))  # a Wednesday
    services.invite_people(mt.organiser, meeting, [mt.staff])
    staff = client_for(mt.staff)
    week = staff.get("/meetings/?date=2030-03-04").content.decode()
    assert "全市安全生产工作会议" in week and 'data-day="2030-03-10"' in week and 'data-day="2030-03-04"' in week
    day = staff.get("/meetings/calendar/person/?view=day&date=2030-03-06").content.decode()
    assert "全市安全生产工作会议" in day and 'data-day="2030-03-07"' not in day
    assert (
        "全市安全生产工作会议" not in staff.get("/meetings/calendar/person/?view=day&date=2030-03-07").content.decode()
    )
    unit = staff.get(f"/meetings/calendar/unit/{mt.org.yj_gov.pk}/?date=2030-03-06").content.decode()
    assert "全市安全生产工作会议" in unit
    # A room calendar shows every booking, but the title only to those who may see the meeting.
    outsider_view = (
        client_for(mt.outsider).get(f"/meetings/calendar/room/{mt.room.pk}/?date=2030-03-06").content.decode()
    )
    assert "已预订" in outsider_view and "全市安全生产工作会议" not in outsider_view
    assert client_for(mt.outsider).get("/meetings/calendar/planet/").status_code == 404
    assert staff.get("/meetings/?date=not-a-date").status_code == 200


def test_delegated_meetings_leave_the_persons_calendar(mt, make_meeting):
    meeting = make_meeting()
    services.invite_people(mt.organiser, meeting, [mt.vice])
    services.answer(mt.vice, meeting, "delegate", substitute=mt.clerk)
    assert meeting not in cal.meetings_for("person", mt.vice, mt.vice)
    assert meeting in cal.meetings_for("person", mt.clerk, mt.clerk)


def test_ics_escapes_folds_and_uses_shanghai_time(mt, make_meeting):
    meeting = make_meeting(
        start=local(2030, 3, 6, 9, 30),
        title="关于安全生产、防汛防风；以及冬春火灾防控工作的全市专题部署会议（第一次）暨业务培训",
        online_url="https://meet.example.gov.cn/r/42",
        note="请带上材料\n准时参加",
    )
    services.invite_people(mt.organiser, meeting, [mt.staff])
    response = client_for(mt.staff).get("/meetings/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    lines = body.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = body.replace("\r\n ", "")
    assert "DTSTART;TZID=Asia/Shanghai:20300306T093000" in unfolded
    assert "DTEND;TZID=Asia/Shanghai:20300306T113000" in unfolded
    assert "TZID:Asia/Shanghai" in unfolded
    assert "SUMMARY:关于安全生产\\、" not in unfolded
    assert "防汛防风\\；" not in unfolded  # full-width punctuation is not special
    assert "DESCRIPTION:请带上材料\\n准时参加\\n线上会议：https://meet.example.gov.cn/r/42" in unfolded
    assert f"UID:meeting-{meeting.pk}@testserver" in unfolded
    single = client_for(mt.staff).get(f"/meetings/{meeting.pk}/meeting.ics").content.decode()
    assert single.count("BEGIN:VEVENT") == 1
    assert client_for(mt.outsider).get(f"/meetings/{meeting.pk}/meeting.ics").status_code == 404


def test_ics_escaping_of_ascii_specials():
    assert cal.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = cal.fold("SUMMARY:" + "会" * 40)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "SUMMARY:" + "会" * 40


def test_create_page_books_a_room(mt):
    client = client_for(mt.organiser)
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    form = {
        "title": "专题协调会",
        "kind": "专题会议",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "room": mt.room.pk,
        "agenda": "项目进度|市发改局\n资金安排",
    }
    response = client.post("/meetings/new/", form)
    assert response.status_code == 302
    clash = client.post("/meetings/new/", {**form, "title": "撞车的会"})
    assert clash.status_code == 200 and "已被“专题协调会”预订" in clash.content.decode()
    assert client_for(mt.organiser).get("/meetings/new/").status_code == 200


def test_invited_unit_shows_on_the_clerks_calendar_only(mt, invited):
    assert invited in cal.visible_meetings(mt.jc_clerk)
    assert invited not in cal.visible_meetings(mt.jc_staff)
