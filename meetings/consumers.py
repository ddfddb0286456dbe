"""/ws/meetings/<id>/: live 回执 / 签到 counts for the organiser; a "changed" hint (with the material titles
when allowed) for attendees.

The todo socket's rules apply (the consumer extends it): origin checked in oa.asgi, anonymous → 4401, ended
session → 4001. The group comes from the meeting id in the path, joined only after the server checks that
the person may see that meeting (otherwise 4403); every event re-checks the account, the session and the
permission before sending anything, so someone removed from a meeting stops hearing about it."""

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from oa.accounts.middleware import session_end_reason
from oa.permissions import can
from oa.todo.consumers import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED, TodoConsumer
from oa.todo.push import session_group, user_group

from .models import Meeting
from .push import meeting_group
from .services import counts

CLOSE_FORBIDDEN = 4403


class MeetingConsumer(TodoConsumer):
    meeting_id: int | None = None

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
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        payload = await self._payload()
        if payload is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        groups = [meeting_group(self.meeting_id), user_group(user.pk)]
        if self.session_key:
            groups.append(session_group(self.session_key))
        self.joined = tuple(groups)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json(payload)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.meeting_changed({})

    async def todo_changed(self, event):
        return  # todo counts travel on /ws/todo/

    async def meeting_changed(self, event):
        payload = await self._payload(check_session=True)
        if payload is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if payload.get("type") == "session_ended":
            await self.close(code=CLOSE_SESSION_ENDED)
            return
        await self.send_json(payload)

    @database_sync_to_async
    def _payload(self, check_session: bool = False) -> dict | None:
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        if user is None:
            return None
        if check_session and not self._session_still_valid(user):
            return {"type": "session_ended"}
        meeting = Meeting.objects.filter(pk=self.meeting_id).first()
        if meeting is None or not can(user, "meetings.view_meeting", meeting):
            return None
        if can(user, "meetings.manage_meeting", meeting):
            return {"type": "counts", "counts": counts(meeting)}
        payload = {"type": "changed"}
        if can(user, "meetings.view_materials", meeting):
            payload["materials"] = list(meeting.materials.values_list("title", flat=True))
        return payload
