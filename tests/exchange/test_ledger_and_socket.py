"""The exchange ledger detects tampering; the WebSocket pushes numbered events only to the unit's people."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from documents.exchange import ledger, services
from documents.exchange.models import Delivery, LedgerEntry
from oa.asgi import application
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


def _socket(person):
    client = login(Client(), person)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"host", b"testserver"), (b"origin", ORIGIN), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, "/ws/exchange/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_socket_pushes_numbered_events_only_to_the_units_people(ex, org_tree):
    jc_ws, jy_ws, anon = (
        _socket(ex.jc_clerk),
        _socket(ex.jy_clerk),
        WebsocketCommunicator(application, "/ws/exchange/", headers=[(b"host", b"testserver"), (b"origin", ORIGIN)]),
    )

    async def connect():
        assert (await anon.connect()) == (False, 4401)
        assert (await jc_ws.connect())[0] and (await jy_ws.connect())[0]
        hello = await jc_ws.receive_json_from()
        assert hello == {"type": "hello", "streams": {str(org_tree.jc_gov.pk): 0}}
        assert (await jy_ws.receive_json_from())["streams"] == {str(org_tree.jy_gov.pk): 0}

    async def scenario():
        await connect()
        # autocommit: the wake-up runs and the pushes go out at once
        await database_sync_to_async(services.dispatch)(ex.sender_clerk, ex.document, [org_tree.jc_gov])
        event = await jc_ws.receive_json_from(timeout=5)
        assert event["type"] == "event" and event["unit"] == org_tree.jc_gov.pk
        assert event["seq"] == 1 and event["state"] == "delivered"
        assert await jy_ws.receive_nothing(timeout=0.3)
        # a client that noticed a gap asks for a resync and gets the current numbers
        await jc_ws.send_json_to({"type": "resync"})
        assert (await jc_ws.receive_json_from())["streams"] == {str(org_tree.jc_gov.pk): 1}
        await jc_ws.disconnect()
        await jy_ws.disconnect()

    async_to_sync(scenario)()
    assert Delivery.objects.get().state == "delivered"
    connection.close()
