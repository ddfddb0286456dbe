"""Embedded profile: the Celery worker and beat run as threads inside the server process.

With the in-memory broker and the in-memory channel layer, tasks and pushes must share one process;
this uses Celery's own thread-safe worker controller (the one its test harness uses), so the task code is
exactly what a separate ``celery worker`` runs in the scale-out profile.
"""

import logging
import threading

logger = logging.getLogger(__name__)


def start_embedded_worker(concurrency: int = 2) -> list[threading.Thread]:
    from celery.beat import EmbeddedService
    from celery.contrib.testing.worker import TestWorkController

    from oa.celery import app

    app.loader.import_default_modules()
    worker = TestWorkController(
        app=app,
        pool="threads",
        concurrency=concurrency,
        loglevel="WARNING",
        logfile=None,
        ready_callback=None,
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
    )
    worker_thread = threading.Thread(target=worker.start, name="celery-worker", daemon=True)
    worker_thread.start()
    beat = EmbeddedService(app, thread=True)
    beat.start()
    logger.info("embedded Celery worker and beat started")
    return [worker_thread, beat]
