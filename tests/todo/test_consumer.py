"""/ws/todo/ through the real ASGI application (origin check, session auth, groups, logout)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from oa.todo import services
from tests.messaging import sockets
from tests.messaging.sockets import run
from tests.todo.helpers import give_todo, login, make_person

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = b"http://testserver"


def signed_in_client(person) -> Client:
    return login(Client(), person)


def communicator(client: Client | None = None, origin: bytes | None = ORIGIN) -> WebsocketCommunicator:
    """A /ws/todo/ socket, disconnected by ``run`` when the scenario ends (call it inside ``run``)."""
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    return sockets.communicator("/ws/todo/", headers)


def test_anonymous_connection_is_refused_with_4401():
    async def scenario():
        ws = communicator()
        connected, code = await ws.connect()
        assert (connected, code) == (False, 4401)

    run(scenario)


@pytest.mark.parametrize("origin", [b"http://evil.example", b"http://testserver.evil.example", None])
def test_foreign_or_missing_origin_is_refused_even_when_signed_in(origin):
    client = signed_in_client(make_person())

    async def scenario():
        ws = communicator(client, origin=origin)
        connected, _code = await ws.connect()
        assert connected is False

    run(scenario)


def test_counts_are_sent_on_connect():
    me = make_person()
    give_todo(me)
    give_todo(me, kind="toread", step="阅知", source_id="2")
    client = signed_in_client(me)

    async def scenario():
        ws = communicator(client)
        connected, _ = await ws.connect()
        assert connected
        assert await ws.receive_json_from() == {"type": "counts", "todo": 1, "toread": 1, "done": 0}

    run(scenario)


def test_user_gets_only_their_own_events():
    me, other = make_person("甲"), make_person("乙")
    mine, theirs = signed_in_client(me), signed_in_client(other)

    async def scenario():
        ws_me, ws_other = communicator(mine), communicator(theirs)
        assert (await ws_me.connect())[0] and (await ws_other.connect())[0]
        await ws_me.receive_json_from()
        await ws_other.receive_json_from()

        await sync_to_async(give_todo)(me)  # autocommit: the on-commit push runs at once

        assert await ws_me.receive_json_from(timeout=2) == {"type": "counts", "todo": 1, "toread": 0, "done": 0}
        assert await ws_other.receive_nothing(timeout=0.3)

    run(scenario)


def test_the_client_cannot_choose_a_group():
    me, other = make_person("甲"), make_person("乙")
    client = signed_in_client(me)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        await ws.send_json_to({"type": "subscribe", "group": f"todo.user.{other.pk}"})
        await sync_to_async(give_todo)(other)
        assert await ws.receive_nothing(timeout=0.3)

    run(scenario)


def test_socket_is_closed_on_logout():
    me = make_person()
    client = signed_in_client(me)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()

        response = await sync_to_async(client.post)("/accounts/logout/")
        assert response.status_code == 302

        assert await ws.receive_output(timeout=2) == {"type": "websocket.close", "code": 4001}

    run(scenario)


def test_logout_elsewhere_does_not_close_this_session():
    me = make_person()
    desk, tablet = signed_in_client(me), signed_in_client(me)

    async def scenario():
        ws = communicator(desk)
        assert (await ws.connect())[0]
        await ws.receive_json_from()
        await sync_to_async(tablet.post)("/accounts/logout/")
        assert await ws.receive_nothing(timeout=0.3)

    run(scenario)


def test_deactivated_account_gets_no_more_counts():
    me = make_person()
    give_todo(me)
    client = signed_in_client(me)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()

        def deactivate_then_close_an_item():
            type(me).objects.filter(pk=me.pk).update(is_active=False)
            services.complete_for_source("documents", "1")

        await sync_to_async(deactivate_then_close_an_item)()
        assert await ws.receive_output(timeout=2) == {"type": "websocket.close", "code": 4001}

    run(scenario)


def test_expired_session_gets_no_more_counts():
    me = make_person()
    client = signed_in_client(me)

    async def scenario():
        ws = communicator(client)
        assert (await ws.connect())[0]
        await ws.receive_json_from()

        def expire_session_then_assign():
            from django.contrib.sessions.models import Session

            Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()
            give_todo(me)

        await sync_to_async(expire_session_then_assign)()
        assert await ws.receive_output(timeout=2) == {"type": "websocket.close", "code": 4001}

    run(scenario)
