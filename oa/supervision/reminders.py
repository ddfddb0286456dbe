"""Automatic 催办, run by Celery beat (oa.supervision.tasks.send_reminders) as often as configured.

On each working day, for items still with the units (待签收 / 办理中):
- 临期提醒 once, when no more than ``NEAR_DUE_WORKDAYS`` working days remain;
- 到期提醒 once, on the deadline;
- 超期催办 every working day after it;
- 超期报告 (escalation) to the 督查员 and the leader on the first overdue working day, and again every
  ``ESCALATE_EVERY_WORKDAYS`` working days while the item stays overdue.
Nothing is sent on days off (weekends, 法定节假日): nobody reads it there, and it would pile up.

Idempotent: the decision is taken with the item row locked, and automatic reminders are unique per item,
kind and day in the database, so reruns, retries and two workers racing send each reminder once.
"""

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from oa.supervision.models import WITH_UNITS, Item, Reminder, ReminderKind
from oa.supervision.services import send_reminder
from oa.supervision.workcalendar import WorkCalendar

log = logging.getLogger(__name__)

NEAR_DUE_WORKDAYS = 3
ESCALATE_EVERY_WORKDAYS = 5


def due_kinds(item: Item, today: date, calendar: WorkCalendar, sent: list[tuple[str, date]]) -> list[str]:
    """The reminders ``item`` should get today, given the (kind, day) reminders already sent."""
    kinds_sent = {kind for kind, _ in sent}
    if item.deadline > today:
        return [] if ReminderKind.BEFORE in kinds_sent else [ReminderKind.BEFORE]
    if item.deadline == today:
        return [] if ReminderKind.DUE in kinds_sent else [ReminderKind.DUE]
    wanted = []
    if (ReminderKind.OVERDUE, today) not in sent:
        wanted.append(ReminderKind.OVERDUE)
    escalations = sorted(day for kind, day in sent if kind == ReminderKind.ESCALATION)
    if not escalations or calendar.workdays_between(escalations[-1], today) >= ESCALATE_EVERY_WORKDAYS:
        wanted.append(ReminderKind.ESCALATION)
    return wanted


def run_reminders() -> dict:
    today = timezone.localdate()
    calendar = WorkCalendar()
    if not calendar.is_workday(today):
        return {"date": today.isoformat(), "workday": False, "sent": 0}
    horizon = calendar.add_workdays(today, NEAR_DUE_WORKDAYS)
    ids = list(Item.objects.filter(status__in=WITH_UNITS, deadline__lte=horizon).values_list("pk", flat=True))
    sent = 0
    for item_id in ids:
        try:
            sent += _remind_one(item_id, today, calendar)
        except IntegrityError:
            log.info("reminder for item %s already sent by another worker", item_id)
    return {"date": today.isoformat(), "workday": True, "items": len(ids), "sent": sent}


def _remind_one(item_id: int, today: date, calendar: WorkCalendar) -> int:
    with transaction.atomic():
        item = (
            Item.objects.select_for_update(of=("self",))
            .select_related("raising_unit", "lead_unit", "supervisor", "leader")
            .filter(pk=item_id, status__in=WITH_UNITS)
            .first()
        )
        if item is None:
            return 0
        sent = list(Reminder.objects.filter(item=item).exclude(kind=ReminderKind.MANUAL).values_list("kind", "on_date"))
        kinds = due_kinds(item, today, calendar, sent)
        for kind in kinds:
            send_reminder(None, item, kind, today)
        return len(kinds)
