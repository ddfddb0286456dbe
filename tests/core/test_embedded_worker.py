"""The embedded profile runs a real Celery worker inside the server process (memory broker)."""

import threading

import pytest

from oa.celery import app
from oa.core.embedded import EmbeddedWorker

ran_on = []


@app.task(name="tests.core.double")
def double(value):
    ran_on.append(threading.current_thread().name)
    return value * 2


@pytest.fixture
def memory_broker():
    conf = app.conf
    previous = (conf.broker_url, conf.task_always_eager, conf.result_backend)
    conf.broker_url, conf.task_always_eager, conf.result_backend = "memory://", False, "cache+memory://"
    try:
        yield app
    finally:
        conf.broker_url, conf.task_always_eager, conf.result_backend = previous


def test_task_runs_on_the_in_process_worker_thread(memory_broker):
    ran_on.clear()
    with EmbeddedWorker(memory_broker, with_beat=False):
        result = double.delay(21)
        assert result.get(timeout=15) == 42
    assert ran_on and ran_on[0] != threading.current_thread().name
