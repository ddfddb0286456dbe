"""/ws/flow/<id>/: "this flow changed" hints for everyone with the flow page open.

The todo socket's rules apply: origin checked in oa.asgi, anonymous → 4401, ended session → 4001 (the
person's todo and session groups are joined, so logout and deactivation close it at once). The group comes
from the flow id in the path, joined only after the server checks that the person may see the flow
(``access.can_view_flow``; otherwise 4403). Every event re-checks the account, the session and the access
before sending anything, so someone who can no longer see the flow hears nothing more. The message carries
no content: the page refetches its panel over HTTP (the database is the truth)."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from oa.accounts.middleware import session_end_reason
from oa.todo.consumers import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED
from oa.todo.push import session_group, user_group

from .access import can_view_flow
from .models import Flow
from .push import flow_group

CLOSE_FORBIDDEN = 4403
ENDED = "ended"


class FlowConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None
    session_key: str | None = None
    flow_id: int | None = None
    joined: tuple[str, ...] = ()

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        session = self.scope.get("session")
        if session is not None and await database_sync_to_async(session_end_reason)(session):
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        self.session_key = getattr(session, "session_key", None)
        self.flow_id = int(self.scope["url_route"]["kwargs"]["flow_id"])
        state = await self._state()
        if state is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        groups = [flow_group(self.flow_id), user_group(user.pk)]
        if self.session_key:
            groups.append(session_group(self.session_key))
        self.joined = tuple(groups)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", **state})

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = ()

    async def session_closed(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.flow_changed({})

    async def todo_changed(self, event):
        return  # todo counts travel on /ws/todo/

    async def flow_changed(self, event):
        state = await self._state(check_session=True)
        if state is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if state is ENDED:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.send_json({"type": "changed", **state})

    @database_sync_to_async
    def _state(self, check_session: bool = False):
        """The flow's revision and step if the person may (still) see it; None otherwise."""
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        if user is None:
            return None
        if check_session and not self._session_still_valid(user):
            return ENDED
        flow = Flow.objects.filter(pk=self.flow_id).first()
        if flow is None or not can_view_flow(user, flow):
            return None
        return {"flow": flow.pk, "revision": flow.revision, "state": flow.state}

    def _session_still_valid(self, user) -> bool:
        if not self.session_key:
            return True  # scope built without a session (tests of the consumer alone)
        # A fresh load: expired or flushed sessions come back empty; a changed password changes the hash.
        data = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(self.session_key).load()
        if str(data.get(SESSION_KEY)) != str(user.pk) or session_end_reason(data):
            return False
        session_hash = data.get(HASH_SESSION_KEY)
        if session_hash is None:
            return True
        valid = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        return any(constant_time_compare(session_hash, known) for known in valid)
