"""Live delivery over Channels. Group names are derived here, on the server, from ids the server trusts.

- ``messaging.conversation.<id>``: one group per conversation. A message or a recall is one ``group_send``
  to it, however many members the conversation has. A socket is in the groups of the conversations its
  person belonged to when it last read its memberships (see oa.messaging.consumers), and re-checks that
  membership from memory before passing an event on.
- ``messaging.user.<id>``: each signed-in tab of a person. Membership changes (``chat.conversations``, the
  invalidation that makes the sockets re-read their memberships and join or leave conversation groups),
  read receipts and ``chat.closed`` travel there.

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


def conversation_group(conversation_id: int) -> str:
    return f"messaging.conversation.{int(conversation_id)}"


async def _send_to_groups(layer, groups, event: dict) -> None:
    for group in groups:
        await layer.group_send(group, event)


def _send(groups, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None or not groups:
        return
    try:
        async_to_sync(_send_to_groups)(layer, list(groups), event)
    except Exception:  # committed already: a lost hint must not become an error page
        log.warning("messaging push failed", exc_info=True)


def send_to_users(user_ids, event: dict) -> None:
    _send([user_group(u) for u in user_ids], event)


def on_commit(user_ids, event: dict) -> None:
    """Send ``event`` to each of these people's sockets once the transaction has committed."""
    ids = sorted(set(user_ids))
    transaction.on_commit(lambda: send_to_users(ids, event))


def to_conversation_on_commit(conversation_id: int, event: dict) -> None:
    """Send ``event`` once to the conversation's group, after commit."""
    group = conversation_group(conversation_id)
    transaction.on_commit(lambda: _send([group], event))
