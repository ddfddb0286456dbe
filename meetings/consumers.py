"""/ws/meetings/<id>/: live 回执 / 签到 / unit counts for the organiser; a "changed" hint (with the material
titles when allowed) for attendees.

The rules every socket shares are oa.core.consumers.LiveConsumer's (origin checked in oa.asgi, anonymous →
4401, ended session → 4001, logout and deactivation close it at once). The group comes from the meeting id
in the path, joined only after the server checks that the person may see that meeting (otherwise 4403);
every event re-checks the account, the session and the permission before sending anything, so someone
removed from a meeting is closed (4403) instead of hearing about it."""

from oa.core.consumers import CLOSE_FORBIDDEN, LiveConsumer
from oa.permissions import can

from .models import Meeting
from .push import meeting_group
from .services import counts

__all__ = ["CLOSE_FORBIDDEN", "MeetingConsumer"]


class MeetingConsumer(LiveConsumer):
    refused_close_code = CLOSE_FORBIDDEN

    @property
    def meeting_id(self) -> int:
        return int(self.scope["url_route"]["kwargs"]["meeting_id"])

    def groups_for(self, user) -> list[str] | None:
        return None if self._payload(user) is None else [meeting_group(self.meeting_id)]

    async def hello(self) -> dict | None:
        return await self.recheck(self._payload)

    async def meeting_changed(self, event):
        await self.send_hello()

    def _payload(self, user) -> dict | None:
        meeting = Meeting.objects.filter(pk=self.meeting_id).first()
        if meeting is None or not can(user, "meetings.view_meeting", meeting):
            return None
        if can(user, "meetings.manage_meeting", meeting):
            return {"type": "counts", "counts": counts(meeting)}
        payload = {"type": "changed"}
        if can(user, "meetings.view_materials", meeting):
            payload["materials"] = list(meeting.materials.values_list("title", flat=True))
        return payload
