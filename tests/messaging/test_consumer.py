"""/ws/messages/ through the real ASGI application: auth, membership on every path, ordering, offline
catch-up, recall window."""

from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from oa.messaging import services
from oa.messaging.models import Message
from tests.messaging.sockets import communicator, run
from tests.todo.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = b"http://testserver"


_COOKIES: dict[int, bytes] = {}


def cookie_for(person) -> bytes:
    client = login(Client(), person)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


@pytest.fixture(autouse=True)
def _signed_in(request):
    """Sessions for the personas, made before the async scenario (logging in touches the database)."""
    _COOKIES.clear()
    if "people" in request.fixturenames:
        people = request.getfixturevalue("people")
        for person in (people.alice, people.bob, people.carol, people.dave):
            _COOKIES[person.pk] = cookie_for(person)


def socket(person=None, origin: bytes | None = ORIGIN, path: str = "/ws/messages/") -> WebsocketCommunicator:
    """A communicator that ``run`` disconnects when the scenario ends, whatever happens."""
    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if person is not None:
        headers.append((b"cookie", _COOKIES[person.pk]))
    return communicator(path, headers)


async def connected(person) -> WebsocketCommunicator:
    ws = socket(person)
    ok, _ = await ws.connect()
    assert ok
    hello = await ws.receive_json_from(timeout=3)
    assert hello["type"] == "hello" and hello["user"] == person.pk
    return ws


async def next_of(ws, kind: str, timeout=3):
    while True:
        data = await ws.receive_json_from(timeout=timeout)
        if data["type"] == kind:
            return data


def test_anonymous_and_foreign_origin_are_refused(people):
    async def scenario():
        ws = socket()
        assert await ws.connect() == (False, 4401)
        ws = socket(people.alice, origin=b"http://evil.example")
        assert (await ws.connect())[0] is False

    run(scenario)


def test_message_over_socket_reaches_members_in_order_and_nobody_else(people, group):
    async def scenario():
        alice, bob, carol = await connected(people.alice), await connected(people.bob), await connected(people.carol)
        for n in range(1, 4):
            await alice.send_json_to(
                {"type": "send", "conversation": group.pk, "text": f"第{n}条", "client_id": f"c{n}"}
            )
        acks = [await next_of(alice, "ack") for _ in range(3)]
        assert [a["message"]["seq"] for a in acks] == [1, 2, 3]
        received = [await next_of(bob, "message") for _ in range(3)]
        assert [r["message"]["text"] for r in received] == ["第1条", "第2条", "第3条"]
        assert received[-1]["unread"] == 3 and received[-1]["unread_total"] == 3
        assert await carol.receive_nothing(timeout=0.3)
        for ws in (alice, bob, carol):
            await ws.disconnect()

    run(scenario)


def test_socket_refuses_conversations_the_person_is_not_in(people, direct):
    services.send_message(people.alice, direct, text="只给李四")

    async def scenario():
        carol = await connected(people.carol)
        await carol.send_json_to({"type": "send", "conversation": direct.pk, "text": "插话", "client_id": "x"})
        error = await next_of(carol, "error")
        assert error["detail"] == "会话不存在，或您不是该会话的成员。"
        await carol.send_json_to({"type": "catch_up", "since": {str(direct.pk): 0}})
        caught = await next_of(carol, "caught_up")
        assert caught["conversations"] == []
        await carol.send_json_to({"type": "read", "conversation": direct.pk, "seq": 1})
        assert (await next_of(carol, "error"))["request"] == "read"
        await carol.disconnect()

    run(scenario)
    assert Message.objects.filter(conversation=direct).count() == 1


def test_offline_person_catches_up_on_return(people, group):
    async def scenario():
        alice = await connected(people.alice)
        for n in range(1, 4):
            await alice.send_json_to(
                {"type": "send", "conversation": group.pk, "text": f"离线{n}", "client_id": f"o{n}"}
            )
            await next_of(alice, "ack")
        await alice.disconnect()
        bob = await connected(people.bob)  # was offline the whole time
        await bob.send_json_to({"type": "catch_up", "since": {str(group.pk): 1}})
        caught = await next_of(bob, "caught_up")
        [part] = caught["conversations"]
        assert [m["text"] for m in part["messages"]] == ["离线2", "离线3"]
        assert part["unread"] == 3 and caught["unread_total"] == 3
        await bob.send_json_to({"type": "read", "conversation": group.pk, "seq": 3})
        assert (await next_of(bob, "unread"))["unread_total"] == 0
        await bob.disconnect()

    run(scenario)


def test_read_receipt_reaches_the_sender(people, direct):
    async def scenario():
        alice, bob = await connected(people.alice), await connected(people.bob)
        await alice.send_json_to({"type": "send", "conversation": direct.pk, "text": "在吗", "client_id": "r1"})
        await next_of(bob, "message")
        await bob.send_json_to({"type": "read", "conversation": direct.pk, "seq": 1})
        receipt = await next_of(alice, "read")
        assert (receipt["person"], receipt["seq"], receipt["name"]) == (people.bob.pk, 1, "李四")
        await alice.disconnect()
        await bob.disconnect()

    run(scenario)


def test_recall_within_two_minutes_is_seen_by_everyone_and_refused_after(people, direct):
    async def scenario():
        alice, bob = await connected(people.alice), await connected(people.bob)
        await alice.send_json_to({"type": "send", "conversation": direct.pk, "text": "发错了", "client_id": "a"})
        first = (await next_of(alice, "ack"))["message"]
        await alice.send_json_to({"type": "send", "conversation": direct.pk, "text": "这条留着", "client_id": "b"})
        second = (await next_of(alice, "ack"))["message"]
        await alice.send_json_to({"type": "recall", "message": first["id"]})
        recalled = await next_of(bob, "recalled")
        assert recalled["seq"] == first["seq"] and recalled["message"]["text"] == "消息已撤回"
        with time_machine.travel(timezone.now() + timedelta(minutes=2, seconds=5)):
            await alice.send_json_to({"type": "recall", "message": second["id"]})
            error = await next_of(alice, "error")
        assert error["detail"] == "消息发送已超过 2 分钟，不能撤回。"
        await bob.send_json_to({"type": "recall", "message": second["id"]})
        assert (await next_of(bob, "error"))["detail"] == "只能撤回自己发送的消息。"
        await alice.disconnect()
        await bob.disconnect()

    run(scenario)
    assert list(Message.objects.filter(recalled_at__isnull=False).values_list("body", flat=True)) == [""]


def test_a_member_who_left_gets_no_more_messages(people, group):
    async def scenario():
        bob = await connected(people.bob)
        await database_sync_to_async(services.leave_group)(people.bob, group)
        await next_of(bob, "conversations")
        await database_sync_to_async(services.send_message)(people.alice, group, text="bob 走后")
        assert await bob.receive_nothing(timeout=0.3)
        await bob.disconnect()

    run(scenario)


def test_http_send_is_pushed_to_the_socket(people, direct):
    async def scenario():
        bob = await connected(people.bob)
        client = await database_sync_to_async(login)(Client(), people.alice)
        await database_sync_to_async(client.post)(
            f"/api/messaging/conversations/{direct.pk}/messages/",
            {"text": "从网页发出"},
            content_type="application/json",
        )
        message = await next_of(bob, "message")
        assert message["message"]["text"] == "从网页发出" and message["message"]["sender"]["name"] == "张三"
        await bob.disconnect()

    run(scenario)


def test_logout_and_deactivation_close_the_socket(people, personas):
    async def scenario():
        client = await database_sync_to_async(login)(Client(), people.alice)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()
        ws = communicator("/ws/messages/", [(b"host", b"testserver"), (b"origin", ORIGIN), (b"cookie", cookie)])
        assert (await ws.connect())[0]
        await ws.receive_json_from(timeout=3)
        await database_sync_to_async(client.post)("/accounts/logout/")
        assert (await ws.receive_output(timeout=3)) == {"type": "websocket.close", "code": 4001}

        bob = await connected(people.bob)
        from oa.org import services as org_services

        await database_sync_to_async(org_services.deactivate_person)(personas.sysadmin, people.bob)
        while True:
            output = await bob.receive_output(timeout=3)
            if output["type"] == "websocket.close":
                break
        assert output["code"] == 4001

    run(scenario)


def test_a_document_card_travels_to_each_socket_as_that_person_may_see_it(people, group):
    from documents.models import Document

    notice = Document.objects.create(owner_unit=people.alice.unit, drafter=people.alice, title="防汛应急预案")

    async def scenario():
        bob, dave = await connected(people.bob), await connected(people.dave)
        await database_sync_to_async(services.send_message)(people.alice, group, card=("documents", str(notice.pk)))
        seen_by_bob = (await next_of(bob, "message"))["message"]["card"]
        assert seen_by_bob["title"] == "防汛应急预案" and seen_by_bob["url"] == f"/documents/{notice.pk}/preview/"
        seen_by_dave = (await next_of(dave, "message"))["message"]["card"]
        assert seen_by_dave == {"hidden": True, "title": "无权查看的公文"}

    run(scenario)


def test_an_at_mention_reaches_the_todo_centre_live(people, group):
    """@李四 raises a 待阅 for bob, and bob's open pages (the /ws/todo/ socket) hear of it at once."""

    async def scenario():
        todo = socket(people.bob, path="/ws/todo/")
        assert (await todo.connect())[0]
        assert (await todo.receive_json_from(timeout=3))["toread"] == 0
        alice = await connected(people.alice)
        await alice.send_json_to({"type": "send", "conversation": group.pk, "text": "@李四 请把材料发我",
                                  "client_id": "m1"})
        await next_of(alice, "ack")
        counts = await todo.receive_json_from(timeout=3)
        assert (counts["type"], counts["toread"]) == ("counts", 1)
        # Reading the conversation closes the 待阅, and the count follows live too.
        bob = await connected(people.bob)
        await bob.send_json_to({"type": "read", "conversation": group.pk, "seq": 1})
        await next_of(bob, "unread")
        assert (await todo.receive_json_from(timeout=3))["toread"] == 0

    run(scenario)


def test_recall_is_allowed_up_to_exactly_two_minutes(people, direct):
    sent_at = timezone.now()
    with time_machine.travel(sent_at, tick=False):
        on_the_dot = services.send_message(people.alice, direct, text="正好两分钟")
        too_late = services.send_message(people.alice, direct, text="晚了一秒")

    async def scenario():
        alice = await connected(people.alice)
        with time_machine.travel(sent_at + timedelta(minutes=2), tick=False):
            await alice.send_json_to({"type": "recall", "message": on_the_dot.pk})
            assert (await next_of(alice, "recalled"))["seq"] == on_the_dot.seq
        with time_machine.travel(sent_at + timedelta(minutes=2, seconds=1), tick=False):
            await alice.send_json_to({"type": "recall", "message": too_late.pk})
            assert (await next_of(alice, "error"))["detail"] == "消息发送已超过 2 分钟，不能撤回。"

    run(scenario)
    assert [m.is_recalled for m in Message.objects.order_by("seq")] == [True, False]
