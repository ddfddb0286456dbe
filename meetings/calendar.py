"""Calendars (day and week, for a person, a unit or a room) and iCalendar export (RFC 5545, written by hand:
CRLF lines folded at 75 octets, TEXT values escaped, times in TZID Asia/Shanghai with its VTIMEZONE)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from oa.org.models import Role
from oa.permissions import acting_roles_of, roles_of

from .models import Attendee, Meeting, Response, Status


def visible_meetings(person):
    """Meetings a person may see (the ``meetings.view_meeting`` rule as a filter): organised or hosted by them,
    on their list, or sent to a unit where they are the 收发员."""
    clerk_units = [u for role, u in roles_of(person) | acting_roles_of(person) if role == Role.CLERK]
    return (
        Meeting.objects.filter(
            Q(organiser=person)
            | Q(host=person)
            | Q(attendees__person=person)
            | Q(unit_invitations__unit_id__in=clerk_units)
        )
        .distinct()
        .select_related("room", "organiser_unit")
    )


def meetings_for(scope: str, obj, viewer):
    """Meetings in a calendar of ``scope`` ("person", "unit", "room") as seen by ``viewer``. A person's own
    calendar lists everything they are in; a unit's or a room's shows the meetings the viewer may see plus,
    for the room, every booking as busy time (title hidden) so free slots can be found."""
    mine = visible_meetings(viewer)
    if scope == "person":
        if obj != viewer:
            return mine.none()
        delegated = Attendee.objects.filter(person=viewer, response=Response.DELEGATE).values("meeting_id")
        return mine.exclude(pk__in=delegated)
    if scope == "unit":
        return (
            Meeting.objects.filter(organiser_unit=obj)
            .filter(pk__in=mine.values("pk"))
            .select_related("room", "organiser_unit")
        )
    if scope == "room":
        return Meeting.objects.filter(room=obj, status=Status.SCHEDULED).select_related("room", "organiser_unit")
    return Meeting.objects.none()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def days_of(view: str, day: date) -> list[date]:
    if view == "day":
        return [day]
    start = week_start(day)
    return [start + timedelta(days=n) for n in range(7)]


def grid(meetings, days: list[date], visible_ids: set[int]) -> list[dict]:
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(days[0], time.min), tz)
    last = timezone.make_aware(datetime.combine(days[-1] + timedelta(days=1), time.min), tz)
    in_range = list(meetings.filter(start__lt=last, end__gt=first).order_by("start"))
    columns = []
    for day in days:
        begin = timezone.make_aware(datetime.combine(day, time.min), tz)
        end = begin + timedelta(days=1)
        entries = []
        for m in in_range:
            if m.start < end and m.end > begin:
                entries.append(
                    {
                        "meeting": m,
                        "visible": m.pk in visible_ids,
                        "start": timezone.localtime(m.start),
                        "end": timezone.localtime(m.end),
                    }
                )
        columns.append({"day": day, "entries": entries, "today": day == timezone.localdate()})
    return columns


# --- iCalendar ---------------------------------------------------------------------------------------------

VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Shanghai",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def escape(value: str) -> str:
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (continuation lines start with a space)."""
    out, current, size = [], "", 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _local(dt: datetime) -> str:
    return timezone.localtime(dt, timezone.get_fixed_timezone(480)).strftime("%Y%m%dT%H%M%S")


def to_ics(meetings, *, host: str = "oa.local", name: str = "会议日程") -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//GD OA//Meetings//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        *VTIMEZONE,
    ]
    for m in meetings:
        description = m.note
        if m.online_url:
            description = (description + "\n" if description else "") + f"线上会议：{m.online_url}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{m.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{m.sequence}",
            f"DTSTART;TZID=Asia/Shanghai:{_local(m.start)}",
            f"DTEND;TZID=Asia/Shanghai:{_local(m.end)}",
            f"SUMMARY:{escape(m.title)}",
            f"LOCATION:{escape(m.place)}",
            f"ORGANIZER;CN={escape(m.organiser_unit.name)}:urn:oa:unit:{m.organiser_unit_id}",
            f"STATUS:{'CANCELLED' if m.status == Status.CANCELLED else 'CONFIRMED'}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{escape(description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
