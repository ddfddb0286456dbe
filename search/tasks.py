"""Celery tasks. Idempotent: indexing reads the documents' current state, whatever order tasks run in."""

from celery import shared_task


@shared_task(
    name="search.tasks.index_documents",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    # Attachment text is read here: a file that takes too long is cut short (the soft limit raises inside the
    # extraction, which indexes the document without that text); the hard limit ends the worker process.
    soft_time_limit=120,
    time_limit=180,
)
def index_documents(ids: list) -> int:
    """``ids``: entry keys (doc:12, in:5, arc:3) or document ids."""
    from .services import index_documents as run

    run(ids)
    return len(ids)
