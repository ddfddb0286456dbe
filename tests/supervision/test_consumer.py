"""/ws/supervision/ through the real ASGI stack: session auth, and hints only to those involved."""

from datetime import date

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from tests.messaging.sockets import communicator as tracked
from tests.messaging.sockets import run
from tests.supervision.conftest import at, client_for

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(client=None, path: str = "/ws/supervision/") -> WebsocketCommunicator:
    """Disconnected by ``run`` when the scenario ends, passed or failed."""
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    return tracked(path, headers)


def test_anonymous_is_refused():
    async def scenario():
        connected, code = await communicator().connect()
        assert (connected, code) == (False, 4401)

    run(scenario)


def test_involved_units_and_supervisor_hear_about_changes_others_do_not(sv, raise_for):
    watchers = {name: client_for(getattr(sv, name)) for name in ("edu_staff", "sup", "jc_clerk", "outsider")}

    async def scenario():
        sockets = {name: communicator(client) for name, client in watchers.items()}
        for ws in sockets.values():
            assert (await ws.connect())[0]
            assert await ws.receive_json_from() == {"type": "ready"}
        with at(2026, 9, 1):
            await sync_to_async(raise_for)(deadline=date(2026, 9, 30))
        for name in ("edu_staff", "sup", "jc_clerk"):
            assert await sockets[name].receive_json_from(timeout=2) == {"type": "changed"}
        assert await sockets["outsider"].receive_nothing(timeout=0.3)
        for ws in sockets.values():
            await ws.disconnect()

    run(scenario)


def test_signed_out_session_is_closed_on_the_next_event(sv, raise_for):
    client = client_for(sv.edu_staff)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        await sync_to_async(client.logout)()
        output = await ws.receive_output(timeout=2)
        assert output == {"type": "websocket.close", "code": 4001}

    run(scenario)


def test_reminders_and_escalation_reach_the_todo_centre_live(sv, raise_for):
    """Beat's run on the first overdue day (frozen time): the units' handlers get a 催办 and the 督查员 and the
    leader an 超期报告, each pushed to their open pages (/ws/todo/) at once; the board hears of it too."""
    from oa.supervision import services
    from oa.supervision.reminders import run_reminders

    with at(2026, 9, 1):
        item = raise_for(deadline=date(2026, 9, 3), cooperating_units=[])
        services.sign_item(sv.edu_clerk, item)
    people = {name: client_for(getattr(sv, name)) for name in ("sup", "mayor", "edu_clerk", "outsider")}

    async def scenario():
        todo = {}
        for name, client in people.items():
            ws = communicator(client, "/ws/todo/")
            assert (await ws.connect())[0]
            todo[name] = ws
            todo[name].before = (await ws.receive_json_from(timeout=3))["toread"]
        board = communicator(people["sup"])
        assert (await board.connect())[0]
        assert await board.receive_json_from(timeout=3) == {"type": "ready"}

        def remind_on_the_first_overdue_day():
            with at(2026, 9, 4, hour=8):
                return run_reminders()

        assert (await sync_to_async(remind_on_the_first_overdue_day)())["sent"] == 2  # 超期催办 + 超期报告
        for name in ("sup", "mayor", "edu_clerk"):
            counts = await todo[name].receive_json_from(timeout=3)
            assert (counts["type"], counts["toread"]) == ("counts", todo[name].before + 1), name
        assert await todo["outsider"].receive_nothing(timeout=0.3)
        assert await board.receive_json_from(timeout=3) == {"type": "changed"}

    run(scenario)
