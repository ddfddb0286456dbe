"""Delivery workers. ``acks_late`` (settings) + idempotent ``arrive``: a worker killed mid-task has its message
redelivered and the second run finds the row already delivered, or delivers it once. Failures retry with
exponential backoff; the periodic ``sweep`` re-enqueues rows whose wake-up never came."""

from celery import shared_task

from . import services

MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver(self, delivery_id: int) -> str:
    try:
        return services.arrive(int(delivery_id))
    except Exception as exc:
        raise self.retry(exc=exc, countdown=min(300, 2**self.request.retries)) from exc


@shared_task(acks_late=True)
def sweep() -> int:
    return services.sweep()
