"""/ws/todo/: live 待办/待阅 counts for the signed-in person.

The rules every socket shares live in oa.core.consumers.LiveConsumer: origin checked in oa.asgi, anonymous
connections refused with 4401, sessions past their idle or absolute limit (``session_end_reason``) refused
at connect and closed with 4001 at the next event, groups from the session's user id and session key, never
from the client. Every event re-checks the account and the session before the counts are computed.

Socket traffic never counts as activity (it does not pass through oa.accounts.middleware), so a page left
open is not kept informed after the person would have been signed out. The page then asks /todo/counts,
whose 401 says why the session ended.
"""

from oa.core.consumers import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED, LiveConsumer
from oa.todo.services import counts_for

__all__ = ["CLOSE_SESSION_ENDED", "CLOSE_UNAUTHENTICATED", "TodoConsumer"]


class TodoConsumer(LiveConsumer):
    async def hello(self) -> dict | None:
        counts = await self.recheck(counts_for)
        return None if counts is None else {"type": "counts", **counts}

    async def todo_changed(self, event):
        await self.send_counts()

    async def send_counts(self):
        await self.send_hello()
