"""/ws/messages/: live messages for the signed-in person, one socket per browser tab.

The rules every socket shares are oa.core.consumers.LiveConsumer's: origin checked in oa.asgi, anonymous
sockets refused with 4401, sessions past their idle or absolute limit with 4001, logout and deactivation
close the socket at once through the person's and the session's groups.

Fan-out without the database. A message is one event to its conversation's group (oa.messaging.push). The
socket keeps its person's memberships in memory (``rooms``: read position, last seq and roster version of
each conversation, read in one query at connect) and re-checks every event against them before passing it
on, so no database query is needed per recipient:

- membership changes reach the person's sockets as ``chat.conversations``: they re-read their memberships
  and join or leave conversation groups (someone added starts receiving; someone removed stops);
- every event carries the conversation's roster version, raised when anybody leaves. A socket that knows an
  older version re-reads its memberships before passing the event on, so a message sent after a removal
  never reaches the removed person, even if it overtakes the ``chat.conversations`` hint;
- unread counts follow from the events themselves (``seq`` of new messages, ``chat.read`` of the person's
  own read position); the memberships are re-read at least every ``ROOMS_REFRESH_SECONDS`` and on every
  hint, so a lost push costs a little freshness at most;
- the account and session are re-read at most every ``session_recheck_seconds``; sockets woken by the same
  message re-read theirs together (``Coalesced``), as they do their memberships and card visibility.

Client → server (JSON): ``send`` {conversation, text, client_id, mentions}, ``read`` {conversation, seq},
``recall`` {message}, ``catch_up`` {since: {conversation_id: last seen seq}}, ``resync``. Server → client:
``hello``, ``message``, ``recalled``, ``read``, ``ack``, ``caught_up``, ``conversations``, ``unread``,
``error``.
"""

import dataclasses
import time

from django.contrib.auth import get_user_model

from oa.core.consumers import CLOSE_SESSION_ENDED, Coalesced, LiveConsumer
from oa.core.errors import ServiceError
from oa.messaging import cards, services
from oa.messaging.push import conversation_group, user_group

ROOMS_REFRESH_SECONDS = 30
HIDDEN_CARD = cards.HIDDEN


def _cards_many(keys) -> dict:
    """Card payloads for (viewer id, app, object id, stored title, stored url), one worker-thread call for
    every socket that received the same card message."""
    viewers = get_user_model().objects.filter(pk__in={key[0] for key in keys}, is_active=True).select_related("unit")
    views = {viewer.pk: cards.CardView(viewer) for viewer in viewers}
    answers = {}
    for key in keys:
        view = views.get(key[0])
        mine = view.payload(*key[1:]) if view is not None else None
        answers[key] = mine if mine is not None else HIDDEN_CARD
    return answers


_rooms = Coalesced(services.live_rooms_many, default={})
_cards = Coalesced(_cards_many, default=HIDDEN_CARD)


class MessagesConsumer(LiveConsumer):
    session_recheck_seconds = 30
    rooms: dict[int, services.Room]
    rooms_loaded_at: float = 0.0

    def groups_for(self, user) -> list[str]:
        self._set_rooms(services.live_rooms(user.pk))
        return [user_group(user.pk), *(conversation_group(c) for c in self.rooms)]

    async def hello(self) -> dict:
        return {"type": "hello", "user": self.user_id, "unread_total": self._unread_total()}

    # --- from the browser -------------------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        if not self.joined or not isinstance(content, dict):
            return
        if content.get("type") == "resync":
            await self.send_hello()
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
            reply = await self.recheck(handler, content)
        except ServiceError as exc:
            reply = {"type": "error", "detail": exc.message, "request": content.get("type"),
                     "client_id": str(content.get("client_id", ""))[:64]}
        if reply is not None:  # None: the session or the account is gone and the socket closed
            await self.send_json(reply)

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
        room = await self._room_for(event)
        if room is None:
            return
        message = event["message"]
        room.last_seq = max(room.last_seq, int(event["seq"]))
        if (message.get("sender") or {}).get("id") == self.user_id:
            room.read_seq = max(room.read_seq, int(event["seq"]))  # sending means having read up to here
        card = event.get("card")
        if card:
            key = (self.user_id, card.get("app", ""), str(card.get("id", "")), card.get("title", ""),
                   card.get("url", ""))
            message = {**message, "card": await _cards.get(key)}
        await self.send_json({"type": "message", "message": message, "unread": room.unread,
                              "unread_total": self._unread_total()})

    async def chat_recalled(self, event):
        if await self._room_for(event) is not None:
            await self.send_json({"type": "recalled", "conversation": event["conversation"], "seq": event["seq"],
                                  "message": event["message"], "unread_total": self._unread_total()})

    async def chat_read(self, event):
        room = await self._room_for(event)
        if room is None:
            return
        if event["person"] == self.user_id:  # this person read on (here, in another tab or over HTTP)
            room.read_seq = max(room.read_seq, int(event["seq"]))
        await self.send_json({"type": "read", "conversation": event["conversation"], "person": event["person"],
                              "name": event["name"], "seq": event["seq"], "unread": room.unread,
                              "unread_total": self._unread_total()})

    async def chat_conversations(self, event):
        """The person joined or left a conversation (or one was created for them): re-read memberships."""
        if not await self.session_ok():
            return
        await self._reload_rooms()
        await self.send_json({"type": "conversations", "unread_total": self._unread_total()})

    async def chat_closed(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    # --- memberships in memory ---------------------------------------------------------------------------

    async def _room_for(self, event) -> services.Room | None:
        """The conversation's room if the person may hear about it now; None: pass nothing on (and the
        socket is closed if the session or the account is gone)."""
        if not await self.session_ok():
            return None
        conversation_id = event.get("conversation")
        room = self.rooms.get(conversation_id)
        stale = time.monotonic() - self.rooms_loaded_at > ROOMS_REFRESH_SECONDS
        if room is None or int(event.get("roster") or 0) > room.roster_version or stale:
            await self._reload_rooms()
            room = self.rooms.get(conversation_id)
        return room

    async def _reload_rooms(self) -> None:
        before = set(self.rooms)
        self._set_rooms(await _rooms.get(self.user_id))
        await self.leave([conversation_group(c) for c in before - set(self.rooms)])
        await self.join([conversation_group(c) for c in set(self.rooms) - before])

    def _set_rooms(self, rooms: dict) -> None:
        # Copies: two tabs of one person may be answered with the same objects.
        self.rooms = {cid: dataclasses.replace(room) for cid, room in rooms.items()}
        self.rooms_loaded_at = time.monotonic()

    def _unread_total(self) -> int:
        return sum(room.unread for room in self.rooms.values())
