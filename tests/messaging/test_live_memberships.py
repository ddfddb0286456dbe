"""The socket's memberships in memory: removed members stop receiving at once (even when the push telling
their socket arrives late), added members start receiving, the organisation sync moves people between
unit groups, unread counts follow reads elsewhere, and concurrent senders are seen in one order by all."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from oa.core.consumers import Coalesced
from oa.messaging import push, services
from oa.messaging.models import Conversation
from oa.org import services as org_services
from tests.messaging.sockets import run
from tests.messaging.test_consumer import _signed_in, connected, next_of  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db(transaction=True)


async def messages_until(ws, text: str, timeout=3) -> list[dict]:
    """Every message event up to (and with) the one whose text is ``text``."""
    seen = []
    while True:
        event = await next_of(ws, "message", timeout=timeout)
        seen.append(event)
        if event["message"]["text"] == text:
            return seen


def test_a_removed_member_stops_receiving_even_before_their_socket_hears_of_it(people, group, monkeypatch):
    """The hint that makes bob's socket re-read its memberships is lost; the roster version carried by the
    next message still keeps it from bob."""

    async def scenario():
        alice, bob = await connected(people.alice), await connected(people.bob)
        await database_sync_to_async(services.send_message)(people.alice, group, text="都在")
        assert (await next_of(bob, "message"))["message"]["text"] == "都在"

        real_on_commit = push.on_commit
        monkeypatch.setattr(push, "on_commit", lambda ids, event: None)  # bob's socket is never told
        await database_sync_to_async(services.leave_group)(people.bob, group)
        monkeypatch.setattr(push, "on_commit", real_on_commit)

        await database_sync_to_async(services.send_message)(people.alice, group, text="bob 走后")
        assert [e["message"]["text"] for e in await messages_until(alice, "bob 走后")] == ["都在", "bob 走后"]
        assert await bob.receive_nothing(timeout=0.3)
        # Bob's other conversations still reach him: the socket is alive, only the group is gone.
        direct = await database_sync_to_async(services.start_direct)(people.alice, people.bob)
        await next_of(bob, "conversations")
        await database_sync_to_async(services.send_message)(people.alice, direct, text="单聊还在")
        assert (await next_of(bob, "message"))["message"]["text"] == "单聊还在"
        for ws in (alice, bob):
            await ws.disconnect()

    run(scenario)


def test_an_added_member_starts_receiving_with_a_fresh_unread_count(people, group):
    async def scenario():
        carol = await connected(people.carol)
        await database_sync_to_async(services.send_message)(people.alice, group, text="加人之前")
        assert await carol.receive_nothing(timeout=0.3)

        await database_sync_to_async(services.add_members)(people.alice, group, [people.carol])
        assert (await next_of(carol, "conversations"))["unread_total"] == 0
        await database_sync_to_async(services.send_message)(people.alice, group, text="欢迎王五")
        event = await next_of(carol, "message")
        assert event["message"]["text"] == "欢迎王五"
        assert (event["unread"], event["unread_total"]) == (1, 1)
        await carol.disconnect()

    run(scenario)


def test_moving_to_another_unit_switches_unit_groups_live(people, personas):
    old_group = Conversation.objects.get(unit=people.alice.unit)
    new_unit = people.dave.unit
    new_group = Conversation.objects.get(unit=new_unit)

    async def scenario():
        carol = await connected(people.carol)
        await database_sync_to_async(org_services.update_person)(personas.sysadmin, people.carol, unit=new_unit)
        await next_of(carol, "conversations")
        await database_sync_to_async(services.send_message)(people.alice, old_group, text="老单位")
        await database_sync_to_async(services.send_message)(people.dave, new_group, text="新单位")
        received = await next_of(carol, "message")
        assert received["message"]["text"] == "新单位"
        assert await carol.receive_nothing(timeout=0.3)
        await carol.disconnect()

    run(scenario)


def test_reading_elsewhere_updates_the_unread_counts_of_open_sockets(people, direct):
    async def scenario():
        bob = await connected(people.bob)
        for n in range(1, 3):
            await database_sync_to_async(services.send_message)(people.alice, direct, text=f"未读{n}")
        assert (await next_of(bob, "message"))["unread_total"] == 1
        assert (await next_of(bob, "message"))["unread_total"] == 2

        await database_sync_to_async(services.mark_read)(people.bob, direct, 2)  # read in another tab
        assert (await next_of(bob, "read"))["unread_total"] == 0
        await database_sync_to_async(services.send_message)(people.alice, direct, text="未读3")
        event = await next_of(bob, "message")
        assert (event["unread"], event["unread_total"]) == (1, 1)
        await bob.disconnect()

    run(scenario)


def test_concurrent_senders_are_seen_in_one_order_by_every_member(people, group):
    rounds = 6

    async def scenario():
        alice, bob, dave = await connected(people.alice), await connected(people.bob), await connected(people.dave)
        sender_bob = await connected(people.bob)  # a second tab of bob's, sending while the first reads
        senders = {"alice": alice, "bob": sender_bob, "dave": dave}
        # Everybody sends at once, without waiting for acknowledgements.
        await asyncio.gather(*(
            ws.send_json_to({"type": "send", "conversation": group.pk, "text": f"{name}-{n}",
                             "client_id": f"{name}{n}"})
            for n in range(rounds) for name, ws in senders.items()
        ))
        total = rounds * len(senders)
        orders = []
        for ws in (alice, bob, dave):
            events = [await next_of(ws, "message", timeout=5) for _ in range(total)]
            assert [e["message"]["seq"] for e in events] == list(range(1, total + 1))
            orders.append([e["message"]["text"] for e in events])
        assert orders[0] == orders[1] == orders[2]
        for name in senders:  # each sender's own messages keep the order they were sent in
            assert [t for t in orders[0] if t.startswith(f"{name}-")] == [f"{name}-{n}" for n in range(rounds)]
        for ws in (alice, bob, dave, sender_bob):
            await ws.disconnect()

    run(scenario)


def test_sockets_woken_together_ask_the_database_once():
    calls = []

    def load_many(keys):
        calls.append(sorted(keys))
        return {key: key * 10 for key in keys if key != 3}

    coalesced = Coalesced(load_many, default="none")

    async def scenario():
        return await asyncio.gather(*(coalesced.get(key) for key in (1, 2, 3, 2)))

    assert async_to_sync(scenario)() == [10, 20, "none", 20]
    assert calls == [[1, 2, 3]]
