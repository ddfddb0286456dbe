"""Celery tasks of 督查督办 (idempotent: run them as often as you like)."""

from celery import shared_task


@shared_task(name="oa.supervision.tasks.send_reminders")
def send_reminders() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): automatic 催办 and escalation, at most once per item, kind and day."""
    from oa.supervision.reminders import run_reminders

    return run_reminders()
