"""会议 use cases. Views, API, consumer and tasks call these; each checks permission and writes audit."""

from .common import get_meeting_for
from .followups import notify_change, send_followup
from .invitations import answer, attendance_board, counts, invite_people, invite_units, nominate
from .materials import upload_material, watermarked_copy, withdraw_materials
from .minutes import add_decision, attendance_lists, decision_to_supervision, draft_minutes, minutes_body
from .notice_returns import notice_bounced, notice_resent, notify_unit_by_todo, withdraw_unit
from .notice_status import invitations_with_notices, resend_notice, unit_notices
from .notices import NoticeResult, notice_body, notice_title, open_nomination, send_notice
from .rooms import create_room, set_room_active, update_room
from .scheduling import (
    add_agenda_item,
    cancel_meeting,
    create_meeting,
    move_agenda_item,
    remove_agenda_item,
    reschedule,
    room_conflicts,
    update_meeting,
)
from .signin import current_token, mark_present, sign_in, sign_in_window_open

__all__ = [
    "NoticeResult",
    "add_agenda_item",
    "add_decision",
    "answer",
    "attendance_board",
    "attendance_lists",
    "cancel_meeting",
    "counts",
    "create_meeting",
    "create_room",
    "current_token",
    "decision_to_supervision",
    "draft_minutes",
    "get_meeting_for",
    "invitations_with_notices",
    "invite_people",
    "invite_units",
    "mark_present",
    "minutes_body",
    "move_agenda_item",
    "nominate",
    "notice_body",
    "notice_title",
    "notice_bounced",
    "notice_resent",
    "notify_change",
    "notify_unit_by_todo",
    "open_nomination",
    "remove_agenda_item",
    "resend_notice",
    "reschedule",
    "room_conflicts",
    "send_followup",
    "send_notice",
    "set_room_active",
    "sign_in",
    "sign_in_window_open",
    "unit_notices",
    "update_meeting",
    "update_room",
    "upload_material",
    "watermarked_copy",
    "withdraw_materials",
    "withdraw_unit",
]
