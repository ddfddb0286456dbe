"""/ws/todo/: live 待办/待阅 counts for the signed-in person.

Origin is checked before this runs (AllowedHostsOriginValidator in oa.asgi). Anonymous connections are
refused with 4401. Groups come from the session's user id and session key, never from the client. Every
event re-checks that the account is still active and the session still signed in before sending anything.

Socket traffic never counts as activity (it does not pass through oa.accounts.middleware): a session past
its idle or absolute limit (``session_end_reason``) is refused at connect and closed with 4001 at the next
event, so a page left open is not kept informed after the person would have been signed out.  The page
then asks /todo/counts, whose 401 says why the session ended.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from oa.accounts.middleware import session_end_reason
from oa.todo.push import session_group, user_group
from oa.todo.services import counts_for

CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4001


class TodoConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None
    session_key: str | None = None
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
        self.joined = (user_group(user.pk),) + ((session_group(self.session_key),) if self.session_key else ())
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_counts()

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = ()

    async def receive_json(self, content, **kwargs):
        # The only thing a client may ask for is a resync; anything else is ignored.
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_counts()

    async def todo_changed(self, event):
        await self.send_counts()

    async def session_closed(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    async def send_counts(self):
        counts = await self._counts_if_still_signed_in()
        if counts is None:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.send_json({"type": "counts", **counts})

    @database_sync_to_async
    def _counts_if_still_signed_in(self) -> dict | None:
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        if user is None or not self._session_still_valid(user):
            return None
        return counts_for(user)

    def _session_still_valid(self, user) -> bool:
        if not self.session_key:
            return True  # scope built without a session (tests of the consumer alone)
        # A fresh load: expired or flushed sessions come back empty; a changed password changes the hash.
        store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(self.session_key)
        data = store.load()
        if str(data.get(SESSION_KEY)) != str(user.pk) or session_end_reason(data):
            return False
        session_hash = data.get(HASH_SESSION_KEY)
        if session_hash is None:
            return True
        valid = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        return any(constant_time_compare(session_hash, known) for known in valid)
