"""Live hints for a meeting page (the oa.todo.push pattern: the hint only says "changed"; the consumer
re-checks permission and recomputes what it sends). The group is derived from the meeting id on the server."""

from django.db import transaction

from oa.todo.push import send_now

MEETING_CHANGED = "meeting.changed"


def meeting_group(meeting_id: int) -> str:
    return f"meetings.meeting.{int(meeting_id)}"


def meeting_changed_on_commit(meeting_id: int) -> None:
    group = meeting_group(meeting_id)
    transaction.on_commit(lambda: send_now(group, MEETING_CHANGED))
