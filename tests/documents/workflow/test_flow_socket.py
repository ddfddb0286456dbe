"""Over /ws/todo/ (the real ASGI application) a flow action reaches only the people it concerns: the next
actor's page gets a counts update, a person outside the flow — same unit or another — learns nothing."""

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client

from documents.workflow import outgoing
from documents.workflow.models import Flow
from tests.messaging.sockets import communicator, run
from tests.todo.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def _headers(person) -> list:
    client = login(Client(), person)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"host", b"testserver"), (b"origin", b"http://testserver"), (b"cookie", cookie.encode())]


def test_flow_actions_push_counts_only_to_the_next_actor(make_draft, personas):
    document = make_draft()
    clerk, mayor = personas.yj_clerk, personas.yj_mayor
    # outside the flow: a colleague of the same unit without any task, and someone of another unit
    outsiders = [personas.yj_admin, personas.jy_staff]

    headers = {person.pk: _headers(person) for person in [clerk, mayor, *outsiders]}

    async def scenario():
        sockets = {pk: communicator("/ws/todo/", person_headers) for pk, person_headers in headers.items()}
        for ws in sockets.values():
            assert (await ws.connect())[0]
            assert (await ws.receive_json_from(timeout=2))["type"] == "counts"

        flow = await sync_to_async(outgoing.submit)(personas.yj_staff, document, opinion="请核稿")
        assert await sockets[clerk.pk].receive_json_from(timeout=2) == {
            "type": "counts",
            "todo": 1,
            "toread": 0,
            "done": 0,
        }
        assert await sockets[mayor.pk].receive_nothing(timeout=0.3)
        for person in outsiders:
            assert await sockets[person.pk].receive_nothing(timeout=0.3)

        await sync_to_async(outgoing.approve)(clerk, flow, opinion="核稿无误")
        assert (await sockets[mayor.pk].receive_json_from(timeout=2))["todo"] == 1
        clerk_counts = await sockets[clerk.pk].receive_json_from(timeout=2)
        assert clerk_counts["todo"] == 0 and clerk_counts["done"] >= 1
        for person in outsiders:
            assert await sockets[person.pk].receive_nothing(timeout=0.3)

        await sync_to_async(outgoing.approve)(mayor, await sync_to_async(Flow.objects.get)(pk=flow.pk), opinion="同意")
        assert (await sockets[mayor.pk].receive_json_from(timeout=2))["todo"] == 0
        for person in outsiders:
            assert await sockets[person.pk].receive_nothing(timeout=0.3)

    run(scenario)
