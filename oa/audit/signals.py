"""Append queued refusals at the end of each unit of work (see ``oa.audit.services.record_outside``)."""

import logging

from celery.signals import task_postrun
from django.core.signals import request_finished

from oa.audit.services import flush_pending, pending_count

logger = logging.getLogger(__name__)


def _flush(**kwargs) -> None:
    if not pending_count():
        return
    try:
        flush_pending()
    except Exception:  # never break the response or the task; the events stay queued for the next try
        logger.exception("could not append queued audit events")


def connect() -> None:
    request_finished.connect(_flush, dispatch_uid="oa.audit.flush_pending.request")
    task_postrun.connect(_flush, dispatch_uid="oa.audit.flush_pending.task", weak=False)
