"""The common part of every WebSocket consumer of the platform (/ws/todo/, /ws/messages/, /ws/supervision/ …).

What a socket may hear is decided on the server, again and again:

- Connecting needs a signed-in, active person (else closed with 4401) whose session is within the idle and
  absolute limits of oa.accounts.middleware and still signed in with the current password (else 4001).
  Origin is checked before any consumer runs (AllowedHostsOriginValidator in oa.asgi).
- Groups come from the server (``groups_for``), never from the client. Every socket also joins the person's
  todo group and its session's group: signing out closes the sockets of that session and deactivating an
  account closes all of the person's sockets at once (``session.closed``, see oa.todo.push; a socket
  that opts out of the todo group with ``join_todo_group = False`` closes at its next event instead).
- Before anything is sent, the account and the session are checked again (``recheck`` / ``session_ok``),
  and the feature's permission with them (the ``compute`` passed to ``recheck``). Socket traffic is no
  activity: a session past its idle limit is closed at the next event.
- A client that may have missed something (a gap in a sequence number, a reconnect) sends
  ``{"type": "resync"}`` and gets ``hello()`` again; the page refetches over HTTP what it needs.

``session_recheck_seconds`` lets a busy socket trust its last check for a while (the idle and absolute
limits are still computed from the cached session data on every event, without the database); logout and
deactivation do not wait for it, they arrive as ``session.closed``.
"""

import asyncio
import time
import weakref

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from oa.accounts.middleware import session_end_reason
from oa.todo.push import session_group, user_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4001
CLOSE_FORBIDDEN = 4403


class Coalesced:
    """Answers many sockets' questions with one worker-thread call.

    A message to a 500-member conversation wakes 500 sockets in the same moment; when each needs the
    database (its periodic session check, its memberships after a removal) they ask here, and
    ``load_many(keys) -> {key: value}`` runs once for all the keys asked for within ``window`` seconds
    instead of 500 times one after another in Channels' single database thread. Keys must be hashable;
    a key missing from the answer gets ``default``.
    """

    def __init__(self, load_many, *, window: float = 0.005, default=None):
        self.load_many = load_many
        self.window = window
        self.default = default
        self._per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def get(self, key):
        loop = asyncio.get_running_loop()
        state = self._per_loop.get(loop)
        if state is None:
            state = self._per_loop[loop] = {"pending": {}, "scheduled": False, "tasks": set()}
        future = state["pending"].get(key)
        if future is None:
            future = state["pending"][key] = loop.create_future()
        if not state["scheduled"]:
            state["scheduled"] = True
            task = loop.create_task(self._flush(state))
            state["tasks"].add(task)  # held until done: the loop keeps only a weak reference
            task.add_done_callback(state["tasks"].discard)
        return await asyncio.shield(future)

    async def _flush(self, state) -> None:
        await asyncio.sleep(self.window)  # let the other sockets woken by the same event ask too
        pending, state["pending"], state["scheduled"] = state["pending"], {}, False
        try:
            answers = await database_sync_to_async(self.load_many)(list(pending))
        except Exception as exc:  # every waiter sees the failure, as it would have calling alone
            for future in pending.values():
                if not future.done():
                    future.set_exception(exc)
            return
        for key, future in pending.items():
            if not future.done():
                future.set_result(answers.get(key, self.default))


def _sessions_many(keys) -> dict:
    """For (user id, session key) pairs: the session data if it still signs that active person in with
    the current password, else None (see ``_session_accepts``). Two queries with the database
    session engine, whatever the number of sockets."""
    users = get_user_model().objects.filter(pk__in={uid for uid, _ in keys}, is_active=True)
    users = {user.pk: user for user in users}
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    datas: dict[str, dict] = {}
    session_keys = [key for _, key in keys if key]
    if hasattr(store_class, "get_model_class"):
        from django.utils import timezone

        rows = store_class.get_model_class().objects.filter(
            session_key__in=session_keys, expire_date__gt=timezone.now()
        ).values_list("session_key", "session_data")
        datas = {key: store_class().decode(data) for key, data in rows}
    else:
        datas = {key: store_class(key).load() for key in session_keys}
    answers = {}
    for user_id, session_key in keys:
        user = users.get(user_id)
        if user is None:
            continue
        data = datas.get(session_key, {}) if session_key else {}
        if not session_key or _session_accepts(user, data):
            answers[(user_id, session_key)] = data
    return answers


def _session_accepts(user, data: dict) -> bool:
    if str(data.get(SESSION_KEY)) != str(user.pk) or session_end_reason(data):
        return False
    session_hash = data.get(HASH_SESSION_KEY)
    if session_hash is None:
        return True
    valid = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(session_hash, known) for known in valid)


_session_checks = Coalesced(_sessions_many)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses name their groups (``groups_for``), their first message (``hello``) and handle their
    events with ``recheck``/``session_ok`` before sending."""

    # 0: read the account and the session from the database before every event.
    session_recheck_seconds: float = 0
    # What to do when the permission ``compute`` of ``recheck`` returns None: None drops the event
    # silently; a close code (e.g. CLOSE_FORBIDDEN) closes the socket.
    refused_close_code: int | None = None
    # Whether ``{"type": "resync"}`` from the client is answered with ``hello()``.
    resync_allowed = True
    # Join the person's todo group (todo.user.<id>): deactivating the account closes the socket at once
    # through it. A socket that opts out hears no todo chatter and closes at its next event instead.
    join_todo_group = True

    user_id: int | None = None
    session_key: str | None = None
    joined: tuple[str, ...] = ()
    _session_data: dict | None = None
    _checked_at: float | None = None

    # --- hooks --------------------------------------------------------------------------------------------

    def groups_for(self, user) -> list[str] | None:
        """The feature's own groups for this person (runs in a worker thread at connect). None refuses
        the socket with ``CLOSE_FORBIDDEN``."""
        return []

    async def hello(self) -> dict | None:
        """The first message after connecting, and the answer to a resync. None sends nothing."""
        return None

    # --- connection ---------------------------------------------------------------------------------------

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
        opened, groups = await database_sync_to_async(self._open)()
        if not opened:
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        if groups is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        own = [user_group(user.pk)] if self.join_todo_group else []
        own += [session_group(self.session_key)] if self.session_key else []
        await self.join(own + list(groups))
        await self.accept()
        await self.send_hello()

    def _open(self) -> tuple[bool, list[str] | None]:
        user = self._fresh_user()
        if user is None:
            return False, None
        return True, self.groups_for(user)

    async def disconnect(self, code):
        await self.leave(self.joined)

    async def join(self, groups) -> None:
        new = [g for g in dict.fromkeys(groups) if g not in self.joined]
        for group in new:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = self.joined + tuple(new)

    async def leave(self, groups) -> None:
        gone = [g for g in dict.fromkeys(groups) if g in self.joined]
        for group in gone:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = tuple(g for g in self.joined if g not in gone)

    async def send_hello(self) -> None:
        payload = await self.hello()
        if payload is not None:
            await self.send_json(payload)

    async def receive_json(self, content, **kwargs):
        # Anything else from the client is ignored: it cannot choose groups or ask for other people's data.
        if self.resync_allowed and isinstance(content, dict) and content.get("type") == "resync":
            await self.send_hello()

    # --- events every socket shares -----------------------------------------------------------------------

    async def session_closed(self, event):
        await self.close(code=CLOSE_SESSION_ENDED)

    async def todo_changed(self, event):
        return  # the person's todo group carries the counts for /ws/todo/; other sockets ignore them

    # --- re-checking before sending -----------------------------------------------------------------------

    async def session_ok(self) -> bool:
        """Is the account still active and the session still signed in and within its limits? Answered
        from memory while the last database check is recent enough, else checked together with the other
        sockets woken by the same event (``Coalesced``); closes the socket (4001) when not."""
        if self._trusted():
            return True
        data = await _session_checks.get((self.user_id, self.session_key))
        if data is None:
            await self.close(code=CLOSE_SESSION_ENDED)
            return False
        self._session_data = data if self.session_key else None
        self._checked_at = time.monotonic()
        return True

    async def recheck(self, compute, *args):
        """Check the account and the session from the database, then run ``compute(user, *args)`` in the
        same worker thread: the feature's permission check and the data to send. Returns its result; None
        when the socket has been closed (4001) or ``compute`` refused by returning None (see
        ``refused_close_code``)."""
        result = await database_sync_to_async(self._checked_call)(compute, args)
        if result is _ENDED:
            await self.close(code=CLOSE_SESSION_ENDED)
            return None
        if result is None and self.refused_close_code is not None:
            await self.close(code=self.refused_close_code)
        return result

    def _checked_call(self, compute, args):
        user = self._fresh_user()
        if user is None:
            return _ENDED
        return compute(user, *args)

    def _trusted(self) -> bool:
        if self._checked_at is None or time.monotonic() - self._checked_at >= self.session_recheck_seconds:
            return False
        return self._session_data is None or not session_end_reason(self._session_data)

    def _fresh_user(self):
        """The active person, after checking the session afresh; None when either is gone. Runs in a
        worker thread."""
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).select_related("unit").first()
        if user is None or not self._session_still_valid(user):
            return None
        self._checked_at = time.monotonic()
        return user

    def _session_still_valid(self, user) -> bool:
        """The session read afresh still signs in ``user`` with the current password and is within its
        limits (worker thread). Also called by older subclasses that check the session themselves."""
        if not self.session_key:
            return True  # a scope without a session (consumer tests that build the scope by hand)
        # A fresh load: expired or flushed sessions come back empty; a changed password changes the hash.
        data = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(self.session_key).load()
        if not _session_accepts(user, data):
            return False
        self._session_data = data
        return True


_ENDED = object()


class ObjectLiveConsumer(LiveConsumer):
    """A live socket about one object named in the URL path (/ws/flow/<id>/, /ws/meetings/<id>/ …).

    The group comes from the object's id in the path (``group_for``), joined only when ``state(user)``
    says the person may see the object; otherwise the socket is refused with 4403. Every event re-checks the
    account, the session and ``state`` before sending, so someone who lost access is closed (4403) instead
    of hearing more. Subclasses name the path argument (``url_kwarg``), the group, ``state`` and point their
    event handler at ``object_changed``."""

    refused_close_code = CLOSE_FORBIDDEN
    url_kwarg: str = ""
    # The "type" of the first message and of each change message, merged with ``state``; None sends
    # ``state`` as it is (it carries its own type).
    hello_type: str | None = "hello"
    changed_type: str | None = "changed"

    @property
    def object_id(self) -> int:
        return int(self.scope["url_route"]["kwargs"][self.url_kwarg])

    def group_for(self, object_id: int) -> str:
        raise NotImplementedError

    def state(self, user) -> dict | None:
        """What this person may hear about the object now (worker thread); None when they may not see it."""
        raise NotImplementedError

    def groups_for(self, user) -> list[str] | None:
        return None if self.state(user) is None else [self.group_for(self.object_id)]

    async def hello(self) -> dict | None:
        return await self._message(self.hello_type)

    async def object_changed(self, event):
        message = await self._message(self.changed_type)
        if message is not None:
            await self.send_json(message)

    async def _message(self, kind: str | None) -> dict | None:
        state = await self.recheck(self.state)
        if state is None or kind is None:
            return state
        return {"type": kind, **state}
