"""Nobody outside a 收文 flow reads or acts on it, through pages, the API or the flow socket: another unit's
people get 404 (pages, API) and 4403 (socket); a colleague without a task may look but gets 403 when acting."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from documents.workflow import incoming
from documents.workflow.models import Flow
from oa.asgi import application
from tests.todo.helpers import login


def _received(personas, org_tree):
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="关于检查的通知", sender_name="省政府")
    incoming.approve(personas.yj_clerk, flow)
    return Flow.objects.get(pk=flow.pk)


@pytest.mark.django_db
def test_incoming_outsider_gets_404_on_pages_and_api(client, personas, org_tree):
    flow = _received(personas, org_tree)
    client.force_login(personas.jy_staff)
    for name in ("documents:flow", "documents:flow_sheet", "documents:flow_panel"):
        assert client.get(reverse(name, args=[flow.pk])).status_code == 404, name
    assert client.post(reverse("documents:flow_action", args=[flow.pk]), {"action": "approve"}).status_code == 404
    assert client.post(reverse("documents:flow_reply", args=[flow.pk])).status_code == 404
    api = f"/api/flows/{flow.pk}/"
    assert client.get(api).status_code == 404
    assert client.get(api + "sheet.pdf/").status_code == 404
    for action in ("approve", "return_to_sender", "urge", "comment", "withdraw"):
        response = client.post(api + "act/", {"action": action, "reason": "x", "text": "x"}, "application/json")
        assert response.status_code == 404, action
    assert Flow.objects.get(pk=flow.pk).state == "registering"


@pytest.mark.django_db
def test_incoming_colleague_without_task_is_refused_with_403(client, personas, org_tree):
    flow = _received(personas, org_tree)
    client.force_login(personas.yj_staff)
    api = f"/api/flows/{flow.pk}/"
    assert client.get(api).json()["my_turn"] is False
    for action in ("approve", "return_to_sender", "transfer", "add_signer"):
        response = client.post(
            api + "act/", {"action": action, "reason": "x", "to": personas.yj_admin.pk}, "application/json"
        )
        assert response.status_code == 403 and response.json()["detail"], action
    page = client.post(reverse("documents:flow_action", args=[flow.pk]), {"action": "approve"})
    assert page.status_code == 403
    assert Flow.objects.get(pk=flow.pk).state == "registering"


def _socket(flow_id, person) -> WebsocketCommunicator:
    client = login(Client(), person)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver"), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, f"/ws/flow/{flow_id}/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_incoming_flow_socket_refuses_another_unit(personas, org_tree):
    flow = _received(personas, org_tree)
    outsider, insider = _socket(flow.pk, personas.jy_staff), _socket(flow.pk, personas.yj_clerk)

    async def scenario():
        assert (await outsider.connect()) == (False, 4403)
        assert (await insider.connect())[0]
        assert (await insider.receive_json_from(timeout=2))["state"] == "registering"
        await insider.disconnect()

    async_to_sync(scenario)()
