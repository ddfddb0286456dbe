"""/ws/supervision/: tells an open 督办 board that something changed, so it refetches its HTML fragment.

Authentication and session checks are the todo socket's (the consumer extends it): anonymous sockets get
4401, ended sessions 4001, and every event re-checks the account and the session before sending anything.
No item data ever travels on this socket."""

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from oa.accounts.middleware import session_end_reason
from oa.supervision.push import person_group, unit_group
from oa.supervision.rules import supervisor_unit_ids
from oa.todo.consumers import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED, TodoConsumer
from oa.todo.push import session_group


class SupervisionConsumer(TodoConsumer):
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
        units = await database_sync_to_async(self._unit_ids)(user)
        groups = [person_group(user.pk), *(unit_group(u) for u in sorted(units))]
        if self.session_key:
            groups.append(session_group(self.session_key))
        self.joined = tuple(groups)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "ready"})

    @staticmethod
    def _unit_ids(user) -> set[int]:
        return ({user.unit_id} if user.unit_id else set()) | supervisor_unit_ids(user)

    async def receive_json(self, content, **kwargs):
        return  # nothing to ask for: the page refetches over HTTP

    async def todo_changed(self, event):
        return  # the todo counts travel on /ws/todo/

    async def supervision_changed(self, event):
        if not await self._still_signed_in():
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.send_json({"type": "changed"})

    @database_sync_to_async
    def _still_signed_in(self) -> bool:
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        return user is not None and self._session_still_valid(user)
