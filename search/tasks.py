"""Celery tasks. Idempotent: indexing reads the documents' current state, whatever order tasks run in."""

from celery import shared_task


@shared_task(
    name="search.tasks.index_documents", autoretry_for=(Exception,), retry_backoff=True, max_retries=5, acks_late=True
)
def index_documents(ids: list[int]) -> int:
    from .services import index_documents as run

    run(ids)
    return len(ids)
