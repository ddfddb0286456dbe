"""/ws/supervision/ through the real ASGI stack: session auth, and hints only to those involved."""

from datetime import date

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from oa.asgi import application
from tests.supervision.conftest import at, client_for

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(client=None) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/supervision/", headers=headers)


def test_anonymous_is_refused():
    async def scenario():
        connected, code = await communicator().connect()
        assert (connected, code) == (False, 4401)

    async_to_sync(scenario)()


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

    async_to_sync(scenario)()


def test_signed_out_session_is_closed_on_the_next_event(sv, raise_for):
    client = client_for(sv.edu_staff)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        await sync_to_async(client.logout)()
        output = await ws.receive_output(timeout=2)
        assert output == {"type": "websocket.close", "code": 4001}

    async_to_sync(scenario)()
