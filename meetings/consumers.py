"""/ws/meetings/<id>/: live 回执 / 签到 / unit counts for the organiser; a "changed" hint (with the material
titles when allowed) for attendees.

The rules every socket shares are oa.core.consumers.LiveConsumer's (origin checked in oa.asgi, anonymous →
4401, ended session → 4001, logout and deactivation close it at once). As an ObjectLiveConsumer, the group
comes from the meeting id in the path, joined only after the server checks that the person may see that
meeting (otherwise 4403); every event re-checks the account, the session and the permission before sending
anything, so someone removed from a meeting is closed (4403) instead of hearing about it."""

from oa.core.consumers import CLOSE_FORBIDDEN, ObjectLiveConsumer
from oa.permissions import can

from .models import Meeting
from .push import meeting_group
from .services import counts

__all__ = ["CLOSE_FORBIDDEN", "MeetingConsumer"]


class MeetingConsumer(ObjectLiveConsumer):
    url_kwarg = "meeting_id"
    hello_type = changed_type = None  # the payload names its own type ("counts" or "changed")
    meeting_changed = ObjectLiveConsumer.object_changed

    @property
    def meeting_id(self) -> int:
        return self.object_id

    def group_for(self, object_id: int) -> str:
        return meeting_group(object_id)

    def state(self, user) -> dict | None:
        meeting = Meeting.objects.filter(pk=self.meeting_id).first()
        if meeting is None or not can(user, "meetings.view_meeting", meeting):
            return None
        if can(user, "meetings.manage_meeting", meeting):
            return {"type": "counts", "counts": counts(meeting)}
        payload = {"type": "changed"}
        if can(user, "meetings.view_materials", meeting):
            payload["materials"] = list(meeting.materials.values_list("title", flat=True))
        return payload
