"""The exchange ledger detects tampering; the WebSocket pushes numbered events only to the unit's people."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from documents.exchange import ledger, push, services
from documents.exchange.models import Delivery, LedgerEntry
from oa.org.models import Role
from tests.factories import RoleAssignmentFactory
from tests.messaging.sockets import communicator, run
from tests.todo.helpers import login


def _two_events(ex, org_tree, run_commits):
    run_commits(services.dispatch, ex.sender_clerk, ex.document, [org_tree.jc_gov, org_tree.yj_edu])
    assert LedgerEntry.objects.count() == 4


def test_verify_exchange_passes_on_an_intact_ledger(ex, org_tree, run_commits, capsys):
    _two_events(ex, org_tree, run_commits)
    call_command("verify_exchange")
    assert "交换台账完整，共 4 条" in capsys.readouterr().out


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_tail", "relink"])
def test_verify_exchange_detects_tampering(ex, org_tree, run_commits, tamper):
    _two_events(ex, org_tree, run_commits)
    entries = list(LedgerEntry.objects.order_by("seq"))
    if tamper == "edit":
        LedgerEntry.objects.filter(pk=entries[1].pk).update(actor_name="某人")
    elif tamper == "delete_middle":
        LedgerEntry.objects.filter(pk=entries[1].pk).delete()
    elif tamper == "delete_tail":
        LedgerEntry.objects.filter(pk=entries[-1].pk).delete()
    else:  # rewrite an entry and recompute its own hash: the next link breaks
        entry = entries[1]
        entry.event = "signed"
        entry.hash = ledger.chain_hash(entry.prev_hash, ledger.values_of(entry))
        LedgerEntry.objects.filter(pk=entry.pk).update(event="signed", hash=entry.hash)
    report = ledger.verify()
    assert not report.ok
    with pytest.raises(CommandError, match="交换台账异常"):
        call_command("verify_exchange")


ORIGIN = b"http://testserver"
ANONYMOUS = [(b"host", b"testserver"), (b"origin", ORIGIN)]


def _signed_in(person) -> tuple[Client, list]:
    """A signed-in test client and the headers of a socket in its session."""
    client = login(Client(), person)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return client, [*ANONYMOUS, (b"cookie", cookie.encode())]


@pytest.mark.django_db(transaction=True)
def test_socket_pushes_numbered_events_only_to_the_units_people(ex, org_tree):
    (_, jc_headers), (_, jy_headers) = _signed_in(ex.jc_clerk), _signed_in(ex.jy_clerk)

    async def scenario():
        anon = communicator("/ws/exchange/", ANONYMOUS)
        jc_ws, jy_ws = communicator("/ws/exchange/", jc_headers), communicator("/ws/exchange/", jy_headers)
        assert (await anon.connect()) == (False, 4401)
        assert (await jc_ws.connect())[0] and (await jy_ws.connect())[0]
        hello = await jc_ws.receive_json_from()
        assert hello == {"type": "hello", "streams": {str(org_tree.jc_gov.pk): 0}}
        assert (await jy_ws.receive_json_from())["streams"] == {str(org_tree.jy_gov.pk): 0}

        # autocommit: the wake-up runs and the pushes go out at once
        await database_sync_to_async(services.dispatch)(ex.sender_clerk, ex.document, [org_tree.jc_gov])
        event = await jc_ws.receive_json_from(timeout=5)
        assert event["type"] == "event" and event["unit"] == org_tree.jc_gov.pk
        assert event["seq"] == 1 and event["state"] == "delivered"
        assert await jy_ws.receive_nothing(timeout=0.3)
        # a client that noticed a gap asks for a resync and gets the current numbers
        await jc_ws.send_json_to({"type": "resync"})
        assert (await jc_ws.receive_json_from())["streams"] == {str(org_tree.jc_gov.pk): 1}

    run(scenario)
    assert Delivery.objects.get().state == "delivered"
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_socket_follows_roles_and_rechecks_them_before_every_event(ex, org_tree):
    """A role granted after connecting is followed on the next resync; a role revoked silences that unit at
    once (its events are checked before they are passed on); signing out closes the socket (4001)."""
    client, headers = _signed_in(ex.jy_clerk)
    jc, jy = org_tree.jc_gov.pk, org_tree.jy_gov.pk
    layer = get_channel_layer()

    async def push_to_jc(seq):
        await layer.group_send(push.unit_group(jc), {"type": push.EXCHANGE_EVENT, "data": {"unit": jc, "seq": seq}})

    async def scenario():
        ws = communicator("/ws/exchange/", headers)
        assert (await ws.connect())[0]
        assert (await ws.receive_json_from())["streams"] == {str(jy): 0}
        await push_to_jc(1)
        assert await ws.receive_nothing(timeout=0.3)

        role = await database_sync_to_async(RoleAssignmentFactory)(
            person=ex.jy_clerk, unit=org_tree.jc_gov, role=Role.CLERK
        )
        await ws.send_json_to({"type": "resync"})
        assert (await ws.receive_json_from())["streams"] == {str(jc): 0, str(jy): 0}
        await push_to_jc(2)
        assert await ws.receive_json_from(timeout=2) == {"type": "event", "unit": jc, "seq": 2}

        await database_sync_to_async(role.delete)()
        await push_to_jc(3)
        assert await ws.receive_nothing(timeout=0.3)
        await ws.send_json_to({"type": "resync"})
        assert (await ws.receive_json_from())["streams"] == {str(jy): 0}

        await database_sync_to_async(client.post)("/accounts/logout/")
        assert await ws.receive_output(timeout=2) == {"type": "websocket.close", "code": 4001}

    run(scenario)
    connection.close()
