"""Live hints to browsers over Channels. Group names are derived here, on the server, from ids the server
trusts (the user id, the session key) — never from anything a client sends.

A push only says "something changed"; the consumer recomputes the counts from the database and the page
resyncs over HTTP on (re)connect, so a lost push costs freshness, never correctness.
"""

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

TODO_CHANGED = "todo.changed"
SESSION_CLOSED = "session.closed"


def user_group(user_id: int) -> str:
    return f"todo.user.{int(user_id)}"


def session_group(session_key: str) -> str:
    # Hashed: the raw session key is a credential and group names can end up in Redis keys and logs.
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:40]
    return f"session.{digest}"


def send_now(group: str, event_type: str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": event_type})
    except Exception:  # the change is committed; a lost hint must not turn into an error page
        log.warning("live push to %s failed", group, exc_info=True)


def todo_changed_on_commit(owner_id: int) -> None:
    """Tell the owner's open pages to refresh their counts, once the current transaction has committed."""
    group = user_group(owner_id)
    transaction.on_commit(lambda: send_now(group, TODO_CHANGED))


def close_session_sockets(session_key: str) -> None:
    """Close the sockets opened with this session (called on logout)."""
    if session_key:
        group = session_group(session_key)
        transaction.on_commit(lambda: send_now(group, SESSION_CLOSED))


def close_user_sockets(user_id: int) -> None:
    """Close every socket of a person, whatever the session (e.g. when an account is deactivated)."""
    group = user_group(user_id)
    transaction.on_commit(lambda: send_now(group, SESSION_CLOSED))
