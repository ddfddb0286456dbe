"""会议 use cases. Views, API, consumer and tasks call these; each checks permission and writes audit."""

from .common import get_meeting_for
from .invitations import answer, attendance_board, counts, invite_people, invite_units, nominate
from .materials import upload_material, watermarked_copy, withdraw_materials
from .minutes import add_decision, attendance_lists, decision_to_supervision, draft_minutes, minutes_body
from .scheduling import add_agenda_item, cancel_meeting, create_meeting, reschedule, room_conflicts
from .signin import current_token, mark_present, sign_in, sign_in_window_open

__all__ = [
    "add_agenda_item",
    "add_decision",
    "answer",
    "attendance_board",
    "attendance_lists",
    "cancel_meeting",
    "counts",
    "create_meeting",
    "current_token",
    "decision_to_supervision",
    "draft_minutes",
    "get_meeting_for",
    "invite_people",
    "invite_units",
    "mark_present",
    "minutes_body",
    "nominate",
    "reschedule",
    "room_conflicts",
    "sign_in",
    "sign_in_window_open",
    "upload_material",
    "watermarked_copy",
    "withdraw_materials",
]
