from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import evidence


@shared_task
def sweep_receipts(days: int = 2) -> int:
    """Late 回执 of archived sent documents whose after-commit append was lost (worker restart, crash)."""
    return evidence.sweep(since=timezone.now() - timedelta(days=days))
