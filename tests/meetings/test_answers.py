"""Notice and 回执: invitations arrive as todo items; 参加 / 请假 (reason) / 委托他人 (substitute); unit clerks
nominate; counts follow."""

import pytest

from meetings import services
from meetings.models import Attendee, Response, UnitInvitation
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.todo.models import TodoItem
from tests.meetings.conftest import client_for


def _open_todos(person, step):
    return TodoItem.objects.filter(owner=person, source_app="meetings", step=step, state="open")


def test_invitees_get_a_todo_and_answers_close_it(mt, invited):
    assert _open_todos(mt.staff, "回执").count() == 1
    assert _open_todos(mt.jc_clerk, "报名").count() == 1  # the invited unit's clerk
    services.answer(mt.staff, invited, "attend")
    assert _open_todos(mt.staff, "回执").count() == 0
    assert services.counts(invited) == {
        "invited": 2,
        "attend": 1,
        "leave": 0,
        "delegate": 0,
        "pending": 1,
        "signed_in": 0,
        "units_invited": 1,
        "units_signed": 1,  # 江城区's clerk signed for the 会议通知
        "units_nominated": 0,
        "units_pending": 1,
        "units_bounced": 0,
    }


def test_leave_needs_a_reason(mt, invited):
    with pytest.raises(ServiceError, match="请填写请假事由"):
        services.answer(mt.vice, invited, "leave")
    services.answer(mt.vice, invited, "leave", reason="赴省参加培训")
    a = Attendee.objects.get(meeting=invited, person=mt.vice)
    assert (a.response, a.reason) == (Response.LEAVE, "赴省参加培训")
    # Changing one's mind is allowed until signing in.
    services.answer(mt.vice, invited, "attend")
    assert Attendee.objects.get(pk=a.pk).reason == ""


def test_substitute_is_invited_in_turn_and_counted(mt, invited):
    with pytest.raises(ServiceError, match="请选择委托参会的人员"):
        services.answer(mt.vice, invited, "delegate")
    with pytest.raises(ServiceError, match="不能委托本人"):
        services.answer(mt.vice, invited, "delegate", substitute=mt.vice)
    with pytest.raises(ServiceError, match="已在参会名单中"):
        services.answer(mt.vice, invited, "delegate", substitute=mt.staff)
    services.answer(mt.vice, invited, "delegate", substitute=mt.clerk)
    sub = Attendee.objects.get(meeting=invited, person=mt.clerk)
    assert sub.substitute_for.person == mt.vice and sub.response == Response.PENDING
    assert _open_todos(mt.clerk, "回执").count() == 1
    services.answer(mt.clerk, invited, "attend")
    counts = services.counts(invited)
    assert (counts["invited"], counts["delegate"], counts["attend"]) == (3, 1, 1)
    # Once a substitute is named, the original cannot take it back (the substitute would be left dangling).
    with pytest.raises(ServiceError, match="已委托他人"):
        services.answer(mt.vice, invited, "attend")


def test_uninvited_people_cannot_answer(mt, invited):
    with pytest.raises(PermissionDeniedError):
        services.answer(mt.outsider, invited, "attend")


def test_unit_clerk_nominates_within_seats_from_own_unit(mt, invited):
    invitation = UnitInvitation.objects.get(meeting=invited, unit=mt.org.jc_gov)
    with pytest.raises(PermissionDeniedError):
        services.nominate(mt.jc_staff, invitation, [mt.jc_staff])
    with pytest.raises(ServiceError, match="只能报名本单位人员"):
        services.nominate(mt.jc_clerk, invitation, [mt.outsider])
    with pytest.raises(ServiceError, match="超出名额"):
        services.nominate(mt.jc_clerk, invitation, [mt.jc_staff, mt.jc_staff2, mt.jc_clerk])
    services.nominate(mt.jc_clerk, invitation, [mt.jc_staff])
    invitation.refresh_from_db()
    assert invitation.state == UnitInvitation.State.NOMINATED
    assert _open_todos(mt.jc_clerk, "报名").count() == 0
    assert _open_todos(mt.jc_staff, "回执").count() == 1
    services.answer(mt.jc_staff, invited, "attend")
    assert services.counts(invited)["units_pending"] == 0


def test_unit_without_clerk_cannot_be_invited(mt, make_meeting):
    meeting = make_meeting()
    with pytest.raises(ServiceError, match="没有收发员"):
        services.invite_units(mt.organiser, meeting, [mt.org.jy_gov])


def test_answer_and_nominate_pages(mt, invited):
    staff = client_for(mt.staff)
    page = staff.get(f"/meetings/{invited.pk}/")
    assert page.status_code == 200 and "提交回执" in page.content.decode()
    response = staff.post(f"/meetings/{invited.pk}/answer/", {"response": "leave", "reason": ""}, follow=True)
    assert "请填写请假事由" in response.content.decode()
    staff.post(f"/meetings/{invited.pk}/answer/", {"response": "leave", "reason": "下乡调研"})
    assert Attendee.objects.get(meeting=invited, person=mt.staff).reason == "下乡调研"
    assert client_for(mt.outsider).get(f"/meetings/{invited.pk}/").status_code == 404

    invitation = UnitInvitation.objects.get(meeting=invited)
    clerk = client_for(mt.jc_clerk)
    assert clerk.get(f"/meetings/invitations/{invitation.pk}/").status_code == 200
    clerk.post(f"/meetings/invitations/{invitation.pk}/", {"people": [mt.jc_staff.pk, mt.jc_staff2.pk]})
    assert invitation.attendees.count() == 2
    assert client_for(mt.jc_staff).get(f"/meetings/invitations/{invitation.pk}/").status_code == 404


def test_api_answer_and_counts(mt, invited):
    staff = client_for(mt.staff)
    response = staff.post(
        f"/api/meetings/{invited.pk}/answer/",
        {"response": "delegate", "substitute": mt.clerk.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    response = staff.post(
        f"/api/meetings/{invited.pk}/answer/", {"response": "attend"}, content_type="application/json"
    )
    assert response.status_code == 400 and "已委托他人" in response.json()["detail"]
    assert staff.get(f"/api/meetings/{invited.pk}/counts/").status_code == 404
    body = client_for(mt.organiser).get(f"/api/meetings/{invited.pk}/counts/").json()
    assert body["counts"]["delegate"] == 1
    assert client_for(mt.outsider).get(f"/api/meetings/{invited.pk}/").status_code == 404
