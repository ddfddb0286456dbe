"""Celery tasks of 会议 (idempotent: run them as often as you like)."""

from celery import shared_task


@shared_task(name="meetings.tasks.send_reminders")
def send_reminders() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): 会前提醒 once per attendee, 催回执 once per attendee and day."""
    from meetings.services.reminders import run_reminders

    return run_reminders()
