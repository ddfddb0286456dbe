"""Sockets end with the session's limits (idle logout, absolute lifetime) and with the account."""

from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import Client
from django.utils import timezone

from oa.org import services as org_services
from oa.todo.consumers import CLOSE_SESSION_ENDED
from tests.messaging.sockets import run
from tests.todo.helpers import give_todo, login, make_person
from tests.todo.test_consumer import communicator

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": CLOSE_SESSION_ENDED}


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def browsing_client(person) -> Client:
    """Signed in, with one page seen: the idle middleware has stamped the session's activity and login time."""
    client = login(Client(), person)
    assert client.get("/").status_code == 200
    return client


def test_socket_is_refused_when_the_session_is_idle_past_the_limit(clock):
    client = browsing_client(make_person())
    clock.shift(timedelta(minutes=31))

    async def scenario():
        connected, code = await communicator(client).connect()
        assert (connected, code) == (False, CLOSE_SESSION_ENDED)

    run(scenario)


def test_socket_is_refused_when_the_session_is_past_its_absolute_lifetime(clock, settings):
    settings.SESSION_COOKIE_AGE = 3600
    client = browsing_client(make_person())
    for _ in range(2):
        clock.shift(timedelta(minutes=25))
        assert client.get("/").status_code == 200  # the person is busy: never idle for long
    clock.shift(timedelta(minutes=25))  # 75 minutes after signing in, 25 after the last request

    async def scenario():
        connected, code = await communicator(client).connect()
        assert (connected, code) == (False, CLOSE_SESSION_ENDED)

    run(scenario)


def test_open_socket_is_closed_at_the_first_event_after_the_idle_limit(clock):
    me = make_person()
    client = browsing_client(me)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()

        clock.shift(timedelta(minutes=20))
        await sync_to_async(give_todo)(me)  # still within the limit: the counts arrive
        assert (await ws.receive_json_from(timeout=2))["todo"] == 1

        clock.shift(timedelta(minutes=11))  # 31 minutes without a real request; socket traffic is no activity
        await sync_to_async(give_todo)(me, source_id="2")
        assert await ws.receive_output(timeout=2) == CLOSED

    run(scenario)


def test_a_resync_request_after_the_idle_limit_closes_the_socket(clock):
    client = browsing_client(make_person())

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        clock.shift(timedelta(minutes=31))
        await ws.send_json_to({"type": "resync"})
        assert await ws.receive_output(timeout=2) == CLOSED

    run(scenario)


def test_activity_in_another_tab_keeps_the_socket_open(clock):
    me = make_person()
    client = browsing_client(me)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        for n in range(3):
            clock.shift(timedelta(minutes=20))
            assert (await sync_to_async(client.get)("/todo/")).status_code == 200  # the person works on
            await sync_to_async(give_todo)(me, source_id=str(n))
            assert (await ws.receive_json_from(timeout=2))["todo"] == n + 1

    run(scenario)


# --- deactivation ---------------------------------------------------------------------------------------


def test_deactivating_an_account_closes_its_sockets_at_once(personas):
    staff = personas.yj_staff
    desk, tablet = login(Client(), staff), login(Client(), staff)
    colleague = login(Client(), personas.yj_clerk)

    async def scenario():
        devices = [communicator(desk), communicator(tablet)]
        other = communicator(colleague)
        for ws in (*devices, other):
            assert (await ws.connect())[0]
            await ws.receive_json_from()

        # No todo event follows: the close comes from the deactivation itself, on every device.
        await sync_to_async(org_services.deactivate_person)(personas.sysadmin, staff)

        for ws in devices:
            assert await ws.receive_output(timeout=2) == CLOSED
        assert await other.receive_nothing(timeout=0.3)

    run(scenario)


def test_system_console_deactivation_closes_the_sockets(personas):
    staff = personas.yj_staff
    mine = login(Client(), staff)
    admin = login(Client(), personas.sysadmin)

    async def scenario():
        ws = communicator(mine)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        url = f"/accounts/admin/system/people/{staff.pk}/active/"
        response = await sync_to_async(admin.post)(url, {"active": "0"})
        assert response.status_code == 302
        assert await ws.receive_output(timeout=2) == CLOSED

    run(scenario)


def test_sockets_stay_open_when_the_deactivation_is_rolled_back(personas):
    staff = personas.yj_staff
    mine = login(Client(), staff)

    class Abort(Exception):
        pass

    def deactivate_then_fail():
        with pytest.raises(Abort), transaction.atomic():
            org_services.deactivate_person(personas.sysadmin, staff)
            raise Abort

    async def scenario():
        ws = communicator(mine)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        await sync_to_async(deactivate_then_fail)()
        assert await ws.receive_nothing(timeout=0.3)
        await ws.send_json_to({"type": "resync"})  # and the account is still active: counts, not a close
        assert (await ws.receive_json_from(timeout=2))["type"] == "counts"

    run(scenario)


def test_other_saves_of_a_person_close_nothing(personas):
    staff = personas.yj_staff
    mine = login(Client(), staff)

    async def scenario():
        ws = communicator(mine)
        assert (await ws.connect())[0]
        await ws.receive_json_from()

        def edit():
            staff.title = "副科长"
            staff.save(update_fields=["title"])
            make_person("新同事")

        await sync_to_async(edit)()
        assert await ws.receive_nothing(timeout=0.3)

    run(scenario)
