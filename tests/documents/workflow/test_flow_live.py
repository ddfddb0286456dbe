"""Flow pages stay live: /ws/flow/<id>/ admits only people who may see the flow (anonymous 4401, others 4403),
re-checks that on every event, and every action on the flow sends a "changed" hint after commit; the page then
refetches its panel fragment (a background fetch that does not count as opening the task)."""

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse

from documents.workflow import incoming, outgoing, push
from documents.workflow.models import Flow, TaskState
from tests.messaging.sockets import communicator, run
from tests.todo.helpers import login

ANONYMOUS = [(b"host", b"testserver"), (b"origin", b"http://testserver")]


def _signed_in(person) -> tuple[Client, list]:
    """A signed-in test client and the headers of a socket in its session."""
    client = login(Client(), person)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return client, [*ANONYMOUS, (b"cookie", cookie.encode())]


def _socket(flow_id, headers=ANONYMOUS):
    return communicator(f"/ws/flow/{flow_id}/", headers)


@pytest.mark.django_db(transaction=True)
def test_socket_admits_only_who_sees_the_flow_and_hints_every_change(make_draft, personas, org_tree):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    watcher, outsider = personas.yj_admin, personas.jy_staff  # a colleague without a task
    (_, watcher_headers), (_, outsider_headers) = _signed_in(watcher), _signed_in(outsider)

    async def scenario():
        anonymous, stranger = _socket(flow.pk), _socket(flow.pk, outsider_headers)
        missing, ws = _socket(flow.pk + 1000, watcher_headers), _socket(flow.pk, watcher_headers)
        assert (await anonymous.connect()) == (False, 4401)
        assert (await stranger.connect()) == (False, 4403)
        assert (await missing.connect()) == (False, 4403)

        assert (await ws.connect())[0]
        hello = await ws.receive_json_from(timeout=2)
        assert hello["type"] == "hello" and hello["state"] == "office_review"

        await sync_to_async(outgoing.approve)(personas.yj_clerk, flow, opinion="核稿无误")
        changed = await ws.receive_json_from(timeout=2)
        assert changed["type"] == "changed" and changed["state"] == "signoff"
        assert changed["revision"] > hello["revision"]
        await sync_to_async(outgoing.comment)(personas.yj_staff, flow, "请吴市长尽快签发")
        assert (await ws.receive_json_from(timeout=2))["type"] == "changed"

        # moved to another unit: no longer sees the flow, so the next event closes the socket unheard
        watcher.unit = org_tree.jy_gov
        await sync_to_async(watcher.save)(update_fields=["unit"])
        await sync_to_async(outgoing.comment)(personas.yj_staff, flow, "再催一次")
        assert (await ws.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4403}

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_resync_answers_the_current_revision_and_logout_closes_the_socket(make_draft, personas):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    client, headers = _signed_in(personas.yj_clerk)

    async def scenario():
        ws = _socket(flow.pk, headers)
        assert (await ws.connect())[0]
        hello = await ws.receive_json_from(timeout=2)
        await sync_to_async(outgoing.approve)(personas.yj_clerk, flow, opinion="核稿无误")
        assert (await ws.receive_json_from(timeout=2))["type"] == "changed"
        # a page back from sleep asks where the flow stands now
        await ws.send_json_to({"type": "resync"})
        again = await ws.receive_json_from(timeout=2)
        assert again["type"] == "hello" and again["state"] == "signoff" and again["revision"] > hello["revision"]

        await sync_to_async(client.post)("/accounts/logout/")
        assert (await ws.receive_output(timeout=2)) == {"type": "websocket.close", "code": 4001}

    run(scenario)


@pytest.mark.django_db
def test_each_action_hints_its_flow_after_commit(monkeypatch, personas, org_tree, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(push, "send_now", lambda group, event: sent.append((group, event)))
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文", sender_name="省政府")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incoming.approve(personas.yj_clerk, flow)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert (push.flow_group(flow.pk), push.FLOW_CHANGED) in sent


@pytest.mark.django_db
def test_panel_fragment_for_viewers_only_and_does_not_mark_opened(client, make_draft, personas):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    client.force_login(personas.yj_clerk)
    panel = client.get(reverse("documents:flow_panel", args=[flow.pk]), HTTP_X_OA_BACKGROUND="1")
    assert panel.status_code == 200 and 'data-flow-revision="' in panel.content.decode()
    assert "<html" not in panel.content.decode() and 'value="approve"' in panel.content.decode()
    task = Flow.objects.get(pk=flow.pk).tasks.get(state=TaskState.OPEN)
    assert task.opened_at is None  # the drafter may still 撤回
    page = client.get(reverse("documents:flow", args=[flow.pk])).content.decode()
    assert 'data-flow-socket="/ws/flow/' in page and "flow_live.js" in page
    client.force_login(personas.jy_staff)
    assert client.get(reverse("documents:flow_panel", args=[flow.pk])).status_code == 404
