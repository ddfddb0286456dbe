"""Live hints to the exchange pages. Each unit has a stream with a sequence number bumped in the same
transaction as the change; the push carries it after commit. A push is only a hint: the page resyncs over
HTTP when it connects or sees a gap in the numbers. Group names come from unit ids the server trusts."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
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


def bump_many(unit_ids) -> dict[int, int]:
    """Next sequence number of each unit, in one round of queries; rows are locked in unit order (the order
    ``bump`` callers use), so concurrent batches queue instead of deadlocking."""
    ids = sorted({int(u) for u in unit_ids})
    if not ids:
        return {}
    existing = set(UnitStream.objects.filter(unit_id__in=ids).values_list("unit_id", flat=True))
    missing = [u for u in ids if u not in existing]
    if missing:
        UnitStream.objects.bulk_create([UnitStream(unit_id=u) for u in missing], ignore_conflicts=True)
    list(UnitStream.objects.select_for_update().filter(unit_id__in=ids).order_by("unit_id").values_list("pk"))
    UnitStream.objects.filter(unit_id__in=ids).update(seq=F("seq") + 1)
    return dict(UnitStream.objects.filter(unit_id__in=ids).values_list("unit_id", "seq"))


def current(unit_ids) -> dict[int, int]:
    known = dict(UnitStream.objects.filter(unit_id__in=list(unit_ids)).values_list("unit_id", "seq"))
    return {int(u): known.get(int(u), 0) for u in unit_ids}


def notify(unit_id: int, **data) -> None:
    """Bump the unit's stream now, push after commit."""
    message = {"unit": int(unit_id), "seq": bump(unit_id), **data}
    group = unit_group(unit_id)
    transaction.on_commit(lambda: send(group, message))


def notify_many(events: dict[int, dict], extra=()) -> None:
    """One push per unit (``{unit_id: data}``), numbers bumped now, all sent after commit in one go together
    with ``extra`` ``(group, channel-layer message)`` pairs (e.g. the clerks' todo-count hints)."""
    seqs = bump_many(events)
    messages = [
        (
            unit_group(unit_id),
            {"type": EXCHANGE_EVENT, "data": {"unit": int(unit_id), "seq": seqs[int(unit_id)], **data}},
        )
        for unit_id, data in sorted(events.items())
    ]
    messages.extend(extra)
    if messages:
        transaction.on_commit(lambda: send_many(messages))


def send_many(messages) -> None:
    """Send many hints through one event-loop hop; a failed one is logged and the rest still go."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    # The in-memory layer (embedded profile) scans every channel and group on each send; a group nobody is in
    # gets nothing anyway, so skip it there (a no-op either way, just not an O(channels) one).
    groups = getattr(layer, "groups", None) if isinstance(layer, InMemoryChannelLayer) else None

    async def _send_all():
        for group, message in messages:
            if groups is not None and not groups.get(group):
                continue
            try:
                await layer.group_send(group, message)
            except Exception:  # committed already; a lost hint costs freshness only
                log.warning("exchange push to %s failed", group, exc_info=True)

    try:
        async_to_sync(_send_all)()
    except Exception:
        log.warning("exchange pushes failed", exc_info=True)


def send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": EXCHANGE_EVENT, "data": message})
    except Exception:  # committed already; a lost hint costs freshness only
        log.warning("exchange push to %s failed", group, exc_info=True)
