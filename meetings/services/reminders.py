"""Reminders before the meeting and chasing people who have not answered (run by Celery beat; idempotent:
each reminder is logged once per attendee — ``before`` once, ``chase`` once a day)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from oa.todo import services as todo

from ..models import Attendee, Meeting, ReminderLog, Response, Status

REMIND_BEFORE = timedelta(hours=2)
CHASE_WITHIN = timedelta(days=3)


def _once(attendee: Attendee, kind: str) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(attendee=attendee, kind=kind)
        return True
    except IntegrityError:
        return False


def _toread(attendee: Attendee, step: str, title: str) -> None:
    meeting = attendee.meeting
    todo.create_todo(
        None,
        owner=attendee.person,
        kind="toread",
        title=title,
        step=step,
        url=reverse("meetings:detail", args=[meeting.pk]),
        source_app="meetings",
        source_id=meeting.pk,
        category="会议",
        sender=meeting.organiser_unit.name,
    )


def run_reminders(now=None) -> dict:
    now = now or timezone.now()
    sent = {"before": 0, "chase": 0}
    upcoming = Meeting.objects.filter(status=Status.SCHEDULED, start__gt=now)
    soon = Attendee.objects.filter(
        meeting__in=upcoming.filter(start__lte=now + REMIND_BEFORE), response__in=(Response.PENDING, Response.ATTEND)
    ).select_related("meeting", "meeting__organiser_unit", "person")
    for attendee in soon:
        if attendee.person.is_active and _once(attendee, "before"):
            start = timezone.localtime(attendee.meeting.start)
            _toread(attendee, "会前提醒", f"{attendee.meeting.title}将于{start:%H:%M}在{attendee.meeting.place}召开")
            sent["before"] += 1
    day = timezone.localdate(now).isoformat()
    silent = Attendee.objects.filter(
        meeting__in=upcoming.filter(start__lte=now + CHASE_WITHIN), response=Response.PENDING
    ).select_related("meeting", "meeting__organiser_unit", "person")
    for attendee in silent:
        if attendee.person.is_active and _once(attendee, f"chase:{day}"):
            _toread(attendee, "催回执", f"请尽快回执：{attendee.meeting.title}")
            sent["chase"] += 1
    return sent
