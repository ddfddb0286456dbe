"""Embedded profile: the Celery worker and beat run as threads inside the server process.

With the in-memory broker and the in-memory channel layer, tasks and pushes must share one process;
this uses Celery's own thread-safe worker controller (the one its test harness uses), so the task code is
exactly what a separate ``celery worker`` runs in the scale-out profile.
"""

import logging
import threading

logger = logging.getLogger(__name__)


class EmbeddedWorker:
    def __init__(self, app=None, concurrency: int = 2, with_beat: bool = True):
        from oa.celery import app as default_app

        self.app = app or default_app
        self.concurrency = concurrency
        self.with_beat = with_beat
        self._worker = None
        self._thread = None
        self._beat = None

    def start(self) -> "EmbeddedWorker":
        from celery.beat import EmbeddedService
        from celery.contrib.testing.worker import TestWorkController
        from celery.result import _set_task_join_will_block

        self.app.loader.import_default_modules()
        self._worker = TestWorkController(
            app=self.app,
            pool="threads",
            concurrency=self.concurrency,
            loglevel="WARNING",
            logfile=None,
            ready_callback=None,
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
        )
        self._thread = threading.Thread(target=self._worker.start, name="celery-worker", daemon=True)
        self._thread.start()
        self._worker.ensure_started()
        # Starting a worker marks the process as "inside a task"; the server thread is not.
        _set_task_join_will_block(False)
        if self.with_beat:
            self._beat = EmbeddedService(self.app, thread=True)
            self._beat.start()
        logger.info("embedded Celery worker%s started", " and beat" if self.with_beat else "")
        return self

    def stop(self) -> None:
        if self._beat is not None:
            self._beat.stop()
        if self._worker is not None:
            self._worker.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> "EmbeddedWorker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
