"""签到 by QR token: valid only briefly, only near the meeting, once per person; forged tokens fail."""

from datetime import timedelta

import pytest
import time_machine

from meetings import services
from meetings.models import Attendee
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from tests.meetings.conftest import client_for, local

START = local(2030, 5, 6, 9)


@pytest.fixture
def meeting(mt, make_meeting):
    with time_machine.travel(START - timedelta(days=2), tick=False):
        m = make_meeting(start=START)
        services.invite_people(mt.organiser, m, [mt.staff, mt.vice])
        services.answer(mt.vice, m, "leave", reason="出差")
    return m


def _token(mt, meeting, when):
    with time_machine.travel(when, tick=False):
        return services.current_token(mt.organiser, meeting)["token"]


def test_scan_signs_in_once(mt, meeting):
    token = _token(mt, meeting, START - timedelta(minutes=5))
    with time_machine.travel(START - timedelta(minutes=5) + timedelta(seconds=10), tick=False):
        attendee = services.sign_in(mt.staff, meeting, token)
        assert attendee.sign_in_method == "qr" and attendee.response == "attend"
        with pytest.raises(ServiceError, match="不能重复签到"):
            services.sign_in(mt.staff, meeting, token)
    assert services.counts(meeting)["signed_in"] == 1


def test_expired_token_is_refused(mt, meeting):
    token = _token(mt, meeting, START)
    with time_machine.travel(START + timedelta(seconds=61), tick=False):
        with pytest.raises(ServiceError, match="签到码已过期"):
            services.sign_in(mt.staff, meeting, token)
    assert AuditEvent.objects.filter(action="meetings.sign_in", result="denied").exists()


def test_forged_and_foreign_tokens_are_refused(mt, meeting, make_meeting):
    token = _token(mt, meeting, START)
    meeting_id, slot, mac = token.split(".")
    with time_machine.travel(START, tick=False):
        for forged in (f"{meeting_id}.{slot}.{'0' * 32}", f"{meeting_id}.{int(slot) + 1}.{mac}", "garbage", ""):
            with pytest.raises(ServiceError, match="签到码无效"):
                services.sign_in(mt.staff, meeting, forged)
        other = make_meeting(start=START, room=mt.room2, title="同时段的另一个会")
        with pytest.raises(ServiceError, match="签到码无效"):
            services.sign_in(mt.staff, other, token)


def test_outside_the_meeting_window_is_refused(mt, meeting):
    early = START - timedelta(hours=1)
    token = _token(mt, meeting, early)
    with time_machine.travel(early, tick=False), pytest.raises(ServiceError, match="不在签到时间内"):
        services.sign_in(mt.staff, meeting, token)
    late = START + timedelta(hours=2, minutes=1)
    token = _token(mt, meeting, late)
    with time_machine.travel(late, tick=False), pytest.raises(ServiceError, match="不在签到时间内"):
        services.sign_in(mt.staff, meeting, token)


def test_not_invited_and_on_leave_are_refused(mt, meeting):
    token = _token(mt, meeting, START)
    with time_machine.travel(START, tick=False):
        with pytest.raises(ServiceError, match="不在本次会议的参会名单"):
            services.sign_in(mt.outsider, meeting, token)
        with pytest.raises(ServiceError, match="已请假"):
            services.sign_in(mt.vice, meeting, token)
        with pytest.raises(PermissionDeniedError):
            services.current_token(mt.staff, meeting)


def test_organiser_marks_and_unmarks(mt, meeting):
    staff = Attendee.objects.get(meeting=meeting, person=mt.staff)
    services.mark_present(mt.organiser, meeting, staff.pk)
    assert Attendee.objects.get(pk=staff.pk).sign_in_method == "marked"
    services.mark_present(mt.organiser, meeting, staff.pk, present=False)
    assert Attendee.objects.get(pk=staff.pk).signed_in_at is None
    with pytest.raises(PermissionDeniedError):
        services.mark_present(mt.staff, meeting, staff.pk)


def test_screen_and_scan_pages(mt, meeting, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0  # the meeting is years ahead; the test passwords would have expired
    with time_machine.travel(START - timedelta(minutes=10), tick=False):
        organiser = client_for(mt.organiser)  # signed in "now": sessions have an absolute age limit
        screen = organiser.get(f"/meetings/{meeting.pk}/screen/")
        assert screen.status_code == 200 and "<svg" in screen.content.decode()
        data = organiser.get(f"/meetings/{meeting.pk}/screen/token/").json()
        assert data["open"] is True and data["svg"].startswith("<svg")
        assert client_for(mt.staff).get(f"/meetings/{meeting.pk}/screen/").status_code == 404
        token = services.current_token(mt.organiser, meeting)["token"]
        staff = client_for(mt.staff)
        page = staff.get(f"/meetings/{meeting.pk}/signin/?t={token}")
        assert "确认签到" in page.content.decode()
        done = staff.post(f"/meetings/{meeting.pk}/signin/", {"t": token})
        assert 'data-signin-result="ok"' in done.content.decode()
        again = staff.post(f"/meetings/{meeting.pk}/signin/", {"t": token})
        assert again.status_code == 400 and "不能重复签到" in again.content.decode()
        api = client_for(mt.vice).post(
            f"/api/meetings/{meeting.pk}/sign-in/", {"token": "1.2.3"}, content_type="application/json"
        )
        assert api.status_code == 400 and api.json()["detail"] == "签到码无效。"
