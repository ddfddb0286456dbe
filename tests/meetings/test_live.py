"""The organiser's page updates live: signing for the 会议通知 in another unit, that unit's nomination, an
invitee's 回执 and a returned notice each push new counts over /ws/meetings/<id>/."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from documents.exchange import services as exchange
from meetings import services
from meetings.models import UnitInvitation
from oa.org.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.meetings.conftest import client_for
from tests.meetings.test_materials import _socket


@pytest.mark.django_db(transaction=True)
def test_each_event_pushes_new_counts_to_the_organiser(mt, make_meeting):
    meeting = make_meeting()
    services.invite_people(mt.organiser, meeting, [mt.staff])
    edu_clerk = PersonFactory(username="edu_clerk", name="教育局收发", unit=mt.org.yj_edu)
    RoleAssignmentFactory(person=edu_clerk, unit=mt.org.yj_edu, role=Role.CLERK)
    services.invite_units(mt.organiser, meeting, [mt.org.jc_gov, mt.org.yj_edu], seats=2)
    services.send_notice(mt.clerk, meeting)
    jc = UnitInvitation.objects.get(meeting=meeting, unit=mt.org.jc_gov)
    edu = UnitInvitation.objects.get(meeting=meeting, unit=mt.org.yj_edu)
    organiser = client_for(mt.organiser)

    async def next_counts(ws):
        message = await ws.receive_json_from(timeout=3)
        assert message["type"] == "counts"
        return message["counts"]

    async def scenario():
        ws = _socket(organiser, meeting.pk)
        try:
            assert (await ws.connect())[0]
            first = await next_counts(ws)
            assert (first["units_invited"], first["units_signed"], first["pending"]) == (2, 0, 1)
            await sync_to_async(exchange.sign_for)(mt.jc_clerk, int(jc.exchange_ref))
            assert (await next_counts(ws))["units_signed"] == 1
            await sync_to_async(services.nominate)(mt.jc_clerk, jc, [mt.jc_staff])
            counts = await next_counts(ws)
            assert (counts["units_nominated"], counts["invited"], counts["pending"]) == (1, 2, 2)
            await sync_to_async(services.answer)(mt.jc_staff, meeting, "attend")
            assert (await next_counts(ws))["attend"] == 1
            await sync_to_async(exchange.return_delivery)(edu_clerk, int(edu.exchange_ref), reason="请发至局办公室")
            assert (await next_counts(ws))["units_bounced"] == 1
        finally:
            await ws.disconnect()

    async_to_sync(scenario)()
