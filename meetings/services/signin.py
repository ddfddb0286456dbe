"""签到. The room screen shows a QR code of a short-lived token: HMAC(secret, meeting id + 30-second slot).
A token is accepted during its own slot and the next one (≤ 60 s), only from 30 minutes before the start to
the end of the meeting, and only once per person (a second scan is refused, not counted twice).  Forged
tokens fail the constant-time MAC comparison. The organiser may also mark people present."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.errors import ServiceError
from oa.permissions import require

from ..models import Attendee, Meeting, Response, Status
from ..push import meeting_changed_on_commit

SLOT_SECONDS = 30
SLOTS_ACCEPTED = 2  # the current slot and the one before it
OPENS_BEFORE_START = 30 * 60


def _slot(now=None) -> int:
    return int((now or timezone.now()).timestamp()) // SLOT_SECONDS


def _mac(meeting_id: int, slot: int) -> str:
    return salted_hmac(
        "meetings.signin", f"{meeting_id}:{slot}", secret=settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()[:32]


def sign_in_window_open(meeting: Meeting, now=None) -> bool:
    now = now or timezone.now()
    return (
        meeting.status == Status.SCHEDULED
        and meeting.start.timestamp() - OPENS_BEFORE_START <= now.timestamp() <= meeting.end.timestamp()
    )


def current_token(actor, meeting: Meeting, now=None) -> dict:
    """For the room screen (organiser only): the token and how many seconds it has left."""
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以显示签到码。")
    now = now or timezone.now()
    slot = _slot(now)
    return {
        "token": f"{meeting.pk}.{slot}.{_mac(meeting.pk, slot)}",
        "expires_in": SLOT_SECONDS - int(now.timestamp()) % SLOT_SECONDS,
        "open": sign_in_window_open(meeting, now),
    }


def _check_token(meeting: Meeting, token: str, now) -> None:
    parts = str(token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise ServiceError("签到码无效。")
    meeting_id, slot, mac = int(parts[0]), int(parts[1]), parts[2]
    if meeting_id != meeting.pk or not constant_time_compare(mac, _mac(meeting_id, slot)):
        raise ServiceError("签到码无效。")
    current = _slot(now)
    if not current - SLOTS_ACCEPTED < slot <= current:
        raise ServiceError("签到码已过期，请重新扫描会场屏幕上的二维码。")
    if not sign_in_window_open(meeting, now):
        raise ServiceError("不在签到时间内（会前30分钟至会议结束）。")


def sign_in(actor, meeting: Meeting, token: str, now=None) -> Attendee:
    now = now or timezone.now()
    try:
        _check_token(meeting, token, now)
    except ServiceError as error:
        record_outside(actor, "meetings.sign_in", meeting, result=Result.DENIED, summary=error.message)
        raise
    with transaction.atomic():
        attendee = Attendee.objects.select_for_update().filter(meeting=meeting, person=actor).first()
        if attendee is None:
            raise ServiceError("您不在本次会议的参会名单中。")
        if attendee.response in (Response.LEAVE, Response.DELEGATE):
            raise ServiceError("您已请假或委托他人参会，无需签到。")
        if attendee.signed_in_at:
            raise ServiceError(f"您已于 {timezone.localtime(attendee.signed_in_at):%H:%M} 签到，不能重复签到。")
        _mark(attendee, now, "qr")
        record(actor, "meetings.sign_in", meeting, after={"attendee": attendee.pk}, summary="扫码签到")
        meeting_changed_on_commit(meeting.pk)
    return attendee


def _mark(attendee: Attendee, now, method: str) -> None:
    attendee.signed_in_at = now
    attendee.sign_in_method = method
    if attendee.response == Response.PENDING:
        attendee.response = Response.ATTEND
        attendee.responded_at = now
    attendee.save(update_fields=["signed_in_at", "sign_in_method", "response", "responded_at"])


def mark_present(actor, meeting: Meeting, attendee_id, present: bool = True) -> Attendee:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以代为签到。")
    with transaction.atomic():
        attendee = Attendee.objects.select_for_update().filter(meeting=meeting, pk=attendee_id).first()
        if attendee is None:
            raise ServiceError("参会人员不存在。")
        if present and not attendee.signed_in_at:
            _mark(attendee, timezone.now(), "marked")
        elif not present:
            attendee.signed_in_at = None
            attendee.sign_in_method = ""
            attendee.save(update_fields=["signed_in_at", "sign_in_method"])
        record(
            actor,
            "meetings.mark_present",
            meeting,
            after={"attendee": attendee.pk, "present": present},
            summary=f"{'标记签到' if present else '撤销签到'}：{attendee.person.get_full_name()}",
        )
        meeting_changed_on_commit(meeting.pk)
    return attendee
