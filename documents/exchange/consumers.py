"""/ws/exchange/: live exchange events for the units whose inbox and tracking the person may watch.

The rules every socket shares are oa.core.consumers.LiveConsumer's: origin checked in oa.asgi, anonymous
sockets refused with 4401, ended sessions with 4001, logout and deactivation close the socket at once.
Groups come from the person's roles on the server (``access.watched_unit_ids``), never from the client.

On connect (and on a client's "resync") the consumer sends each unit's current sequence number, and follows
the person's roles as they are then (joining units newly watched, leaving the others). An event carries the
unit's next number, so a client that sees a gap resyncs and refetches its page's JSON. The account, the
session and the role are checked again before every event is passed on."""

from oa.core.consumers import LiveConsumer

from . import access, push


def _streams(user) -> dict[int, int]:
    return push.current(sorted(access.watched_unit_ids(user)))


def _may_watch(user, unit_id) -> bool:
    return unit_id in access.watched_unit_ids(user)


class ExchangeConsumer(LiveConsumer):
    unit_groups: frozenset[str] = frozenset()

    def groups_for(self, user) -> list[str]:
        groups = self._unit_groups(access.watched_unit_ids(user))
        self.unit_groups = frozenset(groups)
        return groups

    async def hello(self) -> dict | None:
        streams = await self.recheck(_streams)
        if streams is None:
            return None  # the session or the account is gone: closed with 4001
        await self._follow(streams)
        return {"type": "hello", "streams": {str(k): v for k, v in streams.items()}}

    async def exchange_event(self, event):
        data = event.get("data") or {}
        if await self.recheck(_may_watch, data.get("unit")):  # the role may have been revoked since connecting
            await self.send_json({"type": "event", **data})

    async def _follow(self, unit_ids) -> None:
        wanted = self._unit_groups(unit_ids)
        await self.leave(sorted(self.unit_groups - set(wanted)))
        await self.join(wanted)
        self.unit_groups = frozenset(wanted)

    @staticmethod
    def _unit_groups(unit_ids) -> list[str]:
        return [push.unit_group(u) for u in sorted(unit_ids)]
