from django.db import transaction

from oa.core.errors import NotFoundError, ServiceError
from oa.permissions import can

from ..models import Meeting


def text(value, label: str, field: str, limit: int, *, required: bool = True) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ServiceError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise ServiceError(f"{label}不能超过 {limit} 个字。", field=field)
    return value


def get_meeting_for(person, meeting_id, perm: str = "meetings.view_meeting") -> Meeting:
    """The meeting if ``person`` may see it; otherwise reported as missing (ids cannot be probed)."""
    meeting = (
        Meeting.objects.select_related("room", "organiser_unit", "organiser", "host").filter(pk=meeting_id).first()
        if str(meeting_id).isdigit()
        else None
    )
    if meeting is None or not can(person, perm, meeting):
        raise NotFoundError("该会议不存在或您未受邀参加。")
    return meeting


def locked(meeting: Meeting) -> Meeting:
    assert transaction.get_connection().in_atomic_block
    return Meeting.objects.select_for_update().get(pk=meeting.pk)
