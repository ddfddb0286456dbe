"""Live delivery over Channels. Each signed-in browser tab has one socket in its person's group
(``messaging.user.<id>``, derived on the server from the session's user). A message is sent to the group of
each member; every consumer re-checks membership before passing it on, so a push never leaks to someone who
left the conversation in between.

Pushes happen after commit. A lost push costs freshness only: the page catches up (socket ``catch_up``) and
loads history over HTTP.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"messaging.user.{int(user_id)}"


async def send_to_users_async(layer, user_ids, event: dict) -> None:
    for user_id in user_ids:
        await layer.group_send(user_group(user_id), event)


def send_to_users(user_ids, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None or not user_ids:
        return
    try:
        async_to_sync(send_to_users_async)(layer, list(user_ids), event)
    except Exception:  # committed already: a lost hint must not become an error page
        log.warning("messaging push failed", exc_info=True)


def on_commit(user_ids, event: dict) -> None:
    ids = sorted(set(user_ids))
    transaction.on_commit(lambda: send_to_users(ids, event))
