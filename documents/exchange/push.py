"""Live hints to the exchange pages. Each unit has a stream with a sequence number bumped in the same
transaction as the change; the push carries it after commit. A push is only a hint: the page resyncs over
HTTP when it connects or sees a gap in the numbers. Group names come from unit ids the server trusts."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

from .models import UnitStream

log = logging.getLogger(__name__)

EXCHANGE_EVENT = "exchange.event"


def unit_group(unit_id: int) -> str:
    return f"exchange.unit.{int(unit_id)}"


def bump(unit_id: int) -> int:
    """The unit's next sequence number (row-locked until the transaction ends)."""
    if not UnitStream.objects.filter(unit_id=unit_id).update(seq=F("seq") + 1):
        with transaction.atomic():  # savepoint: a concurrent first event may create the row first
            UnitStream.objects.get_or_create(unit_id=unit_id)
        UnitStream.objects.filter(unit_id=unit_id).update(seq=F("seq") + 1)
    return UnitStream.objects.values_list("seq", flat=True).get(unit_id=unit_id)


def current(unit_ids) -> dict[int, int]:
    known = dict(UnitStream.objects.filter(unit_id__in=list(unit_ids)).values_list("unit_id", "seq"))
    return {int(u): known.get(int(u), 0) for u in unit_ids}


def notify(unit_id: int, **data) -> None:
    """Bump the unit's stream now, push after commit."""
    message = {"unit": int(unit_id), "seq": bump(unit_id), **data}
    group = unit_group(unit_id)
    transaction.on_commit(lambda: send(group, message))


def send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": EXCHANGE_EVENT, "data": message})
    except Exception:  # committed already; a lost hint costs freshness only
        log.warning("exchange push to %s failed", group, exc_info=True)
