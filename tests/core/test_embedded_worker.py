"""The embedded profile runs a real Celery worker inside the server process (memory broker).

Run in a fresh interpreter, as the server runs it: pytest-django's database guards and the eager test
settings must not leak into the worker threads.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import os, threading
    os.environ["DJANGO_SETTINGS_MODULE"] = "oa.settings"
    import django
    django.setup()
    from oa.celery import app
    from oa.core.embedded import EmbeddedWorker

    assert app.conf.broker_url == "memory://", app.conf.broker_url
    done = threading.Event()
    ran_on = []

    @app.task(name="probe.record_thread")
    def record_thread(value):
        ran_on.append(threading.current_thread().name)
        done.set()
        return value

    with EmbeddedWorker(app, with_beat=True):
        record_thread.delay(7)
        assert done.wait(timeout=20), "the embedded worker did not run the task"
    assert ran_on[0] != threading.current_thread().name
    print("RAN-ON-WORKER-THREAD")
    """
)


def test_task_sent_through_the_memory_broker_runs_on_a_worker_thread(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "OA_VAR_DIR": str(tmp_path),
        "OA_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "RAN-ON-WORKER-THREAD" in result.stdout
