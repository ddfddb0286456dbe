"""Delivery workers. ``acks_late`` (settings) + prefetch of one + idempotent ``arrive_many``: a worker killed
mid-batch has its transaction rolled back and its message redelivered; the second run delivers each row once.
A failing batch is split in two (with backoff) until the failing row is alone and retried on its own, so one
bad row never holds back its batch; the periodic ``sweep`` re-enqueues rows whose wake-up never came."""

from celery import shared_task

from . import services

MAX_RETRIES = 8


def _backoff(retries: int) -> int:
    return min(300, 2**retries)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver_batch(self, delivery_ids: list[int]) -> dict[str, str]:
    ids = [int(i) for i in delivery_ids]
    try:
        return {str(k): v for k, v in services.arrive_many(ids).items()}
    except Exception as exc:
        if len(ids) > 1:
            middle = len(ids) // 2
            countdown = _backoff(self.request.retries)
            for half in (ids[:middle], ids[middle:]):
                try:
                    deliver_batch.apply_async(args=[half], countdown=countdown)
                except Exception:  # broker gone: the rows are still 待发送, the sweeper finds them
                    pass
            return {}
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver(self, delivery_id: int) -> str:
    """One delivery (messages queued before batching, and tests)."""
    try:
        return services.arrive(int(delivery_id))
    except Exception as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def issue_done_receipt(self, flow_id: int) -> bool:
    from . import done_receipts

    try:
        return done_receipts.issue_for_flow(int(flow_id)) is not None
    except Exception as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(acks_late=True)
def sweep() -> int:
    return services.sweep()
