"""/ws/exchange/: live exchange events for the units whose inbox and tracking the person may watch. Groups
come from the person's roles on the server, never from the client. On connect (and on a client's "resync")
the consumer sends each unit's current sequence number; an event carries the unit's next number, so a
client that sees a gap refetches its page's JSON. Role checks repeat on every event."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model

from oa.todo.consumers import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED
from oa.todo.push import session_group, user_group

from . import access, push


class ExchangeConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None
    joined: tuple[str, ...] = ()

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        unit_ids = await self._unit_ids()
        session_key = getattr(self.scope.get("session"), "session_key", None)
        # The todo groups too: logout and deactivation close every socket through them.
        own = (user_group(user.pk),) + ((session_group(session_key),) if session_key else ())
        self.joined = own + tuple(push.unit_group(u) for u in sorted(unit_ids or ()))
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_hello()

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = ()

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_hello()

    async def send_hello(self):
        unit_ids = await self._unit_ids()
        if unit_ids is None:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        streams = await database_sync_to_async(push.current)(sorted(unit_ids))
        await self.send_json({"type": "hello", "streams": {str(k): v for k, v in streams.items()}})

    async def exchange_event(self, event):
        data = event.get("data") or {}
        unit_ids = await self._unit_ids()
        if unit_ids is None:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        if data.get("unit") in unit_ids:  # the role may have been revoked since connecting
            await self.send_json({"type": "event", **data})

    async def session_closed(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    async def todo_changed(self, event):
        pass  # shares the person's todo group; counts are the todo socket's business

    @database_sync_to_async
    def _unit_ids(self) -> set[int] | None:
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        return None if user is None else access.watched_unit_ids(user)
