"""Housekeeping of axes' own tables.  They are working data for lockout and for the 安全管理员's list of
recent failures; the permanent record of every sign-in is the audit trail, which is never pruned."""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from celery import shared_task
from django.utils import timezone

from oa.accounts import lockout

KEEP_LOGS_DAYS = 180


@shared_task(name="oa.accounts.tasks.prune_login_records")
def prune_login_records(keep_days: int = KEEP_LOGS_DAYS) -> dict:
    """Idempotent: deletes axes rows that can no longer matter (attempts outside the lockout window,
    access and failure logs older than ``keep_days``)."""
    now = timezone.now()
    old = now - timedelta(days=keep_days)
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - lockout.cool_off()).delete()
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=old).delete()
    logs, _ = AccessLog.objects.filter(attempt_time__lt=old).delete()
    return {"attempts": attempts, "failure_logs": failures, "access_logs": logs}
