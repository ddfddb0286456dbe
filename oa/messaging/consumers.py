"""/ws/messages/: live messages for the signed-in person, one socket per browser tab.

Like /ws/todo/: Origin is checked before this runs (oa.asgi); anonymous sockets are refused with 4401 and
sessions past their idle or absolute limit with 4001. Groups come from the session's user id and session
key (the todo centre's session group, so signing out closes these sockets too), never from the client.

Every event is re-checked before it is passed on: the person must still be active and still a member of the
conversation (one query, which also yields the unread total for the header badge); card messages are
resolved for this viewer. The session itself is reloaded at most every ``SESSION_RECHECK_SECONDS`` (logout
and deactivation close the socket at once through their groups; the idle limit is computed from the cached
session data on every event).

Client → server (JSON): ``send`` {conversation, text, client_id, mentions}, ``read`` {conversation, seq},
``recall`` {message}, ``catch_up`` {since: {conversation_id: last seen seq}}. Server → client: ``hello``,
``message``, ``recalled``, ``read``, ``ack``, ``caught_up``, ``conversations``, ``unread``, ``error``.
"""

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from oa.accounts.middleware import session_end_reason
from oa.core.errors import ServiceError
from oa.messaging import cards, services
from oa.messaging.push import user_group
from oa.todo.push import session_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4001
SESSION_RECHECK_SECONDS = 30


class MessagesConsumer(AsyncJsonWebsocketConsumer):
    user_id: int | None = None
    session_key: str | None = None
    joined: tuple[str, ...] = ()
    session_data: dict | None = None
    session_checked_at: float = 0.0

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
        if not await database_sync_to_async(self._session_still_valid)(force=True):
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        self.joined = (user_group(user.pk),) + ((session_group(self.session_key),) if self.session_key else ())
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        state = await database_sync_to_async(services.live_state)(self.user_id)
        total = (state or {}).get("unread_total", 0)
        await self.send_json({"type": "hello", "user": self.user_id, "unread_total": total})

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = ()

    # --- from the browser -------------------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        if not self.joined or not isinstance(content, dict):
            return
        handler = {
            "send": self._send_message,
            "read": self._read,
            "recall": self._recall,
            "catch_up": self._catch_up,
        }.get(content.get("type"))
        if handler is None:
            return
        try:
            reply = await database_sync_to_async(self._as_user)(handler, content)
        except ServiceError as exc:
            reply = {"type": "error", "detail": exc.message, "request": content.get("type"),
                     "client_id": str(content.get("client_id", ""))[:64]}
        if reply is None:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.send_json(reply)

    def _as_user(self, handler, content):
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).select_related("unit").first()
        if user is None or not self._session_still_valid(force=True):
            return None
        return handler(user, content)

    def _send_message(self, user, content):
        conversation = services.get_conversation_for(user, content.get("conversation"))
        message = services.send_message(
            user,
            conversation,
            text=content.get("text") if isinstance(content.get("text"), str) else "",
            card=content.get("card") or None,
            mentions=content.get("mentions") if isinstance(content.get("mentions"), list) else (),
            client_id=content.get("client_id") or "",
        )
        return {"type": "ack", "client_id": message.client_id,
                "message": services.message_payload(message, cards.CardView(user))}

    def _read(self, user, content):
        conversation = services.get_conversation_for(user, content.get("conversation"))
        seq = services.mark_read(user, conversation, content.get("seq"))
        return {"type": "unread", "conversation": conversation.pk, "read_seq": seq,
                "unread_total": services.unread_total(user)}

    def _recall(self, user, content):
        message = services.get_message_for(user, content.get("message"))
        message = services.recall(user, message)
        return {"type": "recalled", "conversation": message.conversation_id, "seq": message.seq,
                "message": services.message_payload(message)}

    def _catch_up(self, user, content):
        view = cards.CardView(user)
        parts = services.catch_up(user, content.get("since") or {})
        return {
            "type": "caught_up",
            "unread_total": services.unread_total(user),
            "conversations": [
                {
                    "id": part["conversation"].pk,
                    "messages": [services.message_payload(m, view) for m in part["messages"]],
                    "more": part["more"],
                    "recalled": part["recalled"],
                    "unread": part["unread"],
                }
                for part in parts
            ],
        }

    # --- from the server (group events) ------------------------------------------------------------------

    async def chat_message(self, event):
        state = await self._state_for(event["conversation"])
        if state is None:
            return
        message = event["message"]
        if event.get("card"):
            message = await database_sync_to_async(self._card_for_me)(message, event["card"])
        await self.send_json({"type": "message", "message": message, "unread": state["unread"],
                              "unread_total": state["unread_total"]})

    async def chat_recalled(self, event):
        state = await self._state_for(event["conversation"])
        if state is not None:
            await self.send_json({"type": "recalled", "conversation": event["conversation"], "seq": event["seq"],
                                  "message": event["message"], "unread_total": state["unread_total"]})

    async def chat_read(self, event):
        state = await self._state_for(event["conversation"])
        if state is not None:
            await self.send_json({"type": "read", "conversation": event["conversation"], "person": event["person"],
                                  "name": event["name"], "seq": event["seq"], "unread": state["unread"],
                                  "unread_total": state["unread_total"]})

    async def chat_conversations(self, event):
        state = await self._state_for(None, need_member=False)
        if state is not None:
            await self.send_json({"type": "conversations", "unread_total": state["unread_total"]})

    async def chat_closed(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    async def session_closed(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    async def _state_for(self, conversation_id, need_member=True) -> dict | None:
        """None means: do not send. Closes the socket when the person or the session is gone."""
        state, session_ok = await database_sync_to_async(self._check)(conversation_id)
        if state is None or not session_ok:
            await self.close(code=CLOSE_SESSION_ENDED)
            return None
        if need_member and not state["member"]:
            return None
        return state

    def _check(self, conversation_id):
        return services.live_state(self.user_id, conversation_id), self._session_still_valid()

    def _card_for_me(self, message: dict, card: dict) -> dict:
        user = get_user_model().objects.filter(pk=self.user_id).first()
        view = cards.CardView(user)
        mine = view.payload(card.get("app", ""), str(card.get("id", "")), card.get("title", ""), card.get("url", ""))
        return {**message, "card": mine if mine is not None else {"hidden": True, "title": "公文卡片（您无权查看）"}}

    def _session_still_valid(self, force: bool = False) -> bool:
        if not self.session_key:
            return True  # a scope without a session (consumer tests that build the scope by hand)
        now = time.monotonic()
        if force or self.session_data is None or now - self.session_checked_at > SESSION_RECHECK_SECONDS:
            store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(self.session_key)
            data = store.load()
            if str(data.get(SESSION_KEY)) != str(self.user_id):
                return False
            user = get_user_model().objects.filter(pk=self.user_id).first()
            session_hash = data.get(HASH_SESSION_KEY)
            if user is None or (
                session_hash is not None
                and not any(
                    constant_time_compare(session_hash, known)
                    for known in [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
                )
            ):
                return False
            self.session_data, self.session_checked_at = data, now
        if session_end_reason(self.session_data):
            if force:
                return False
            return self._session_still_valid(force=True)  # another tab may have been active since
        return True
