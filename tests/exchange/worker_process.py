"""Real, separate exchange worker processes for tests/exchange/test_worker_killed.py.

``python -m tests.exchange.worker_process DIR`` (DJANGO_SETTINGS_MODULE=oa.test_settings, the environment
pointing at the test database) starts Django and loads what a running worker has loaded, creates DIR/started,
then — like Celery's prefork pool — forks one worker process per order file DIR/orders-N.json (N = 0, 1, …;
no database connection is open at the fork), writes its pid to DIR/pid-N, reaps it and writes its exit status
to DIR/exit-N. The test SIGKILLs a worker by that pid. Orders:

  {"mode": "work", "batches": [[id, …], …], "pause_at": N, "slow": S} — consume the task messages one by one,
      as a worker with prefetch 1 does. Test-only knobs, read here and nowhere in the application: in batch N
      (0-based), after its rows, ledger links and todos are written but before the commit, create DIR/ready-N
      and sleep; sleep S seconds inside every batch before its commit (so a random kill lands mid-batch).
  {"mode": "sweep"} — a worker started after the crash runs the sweeper (its tasks run in that process,
      eagerly) and writes {"swept": n} to DIR/result-N.
  {"mode": "quit"} — stop.
"""

import json
import os
import sys
import time
from pathlib import Path


def _wait(path: Path, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def _write(path: Path, text: str) -> None:
    """Whole or not at all: the test polls for the file and reads it at once."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.rename(path)


def _run(folder: Path, number: int, orders: dict) -> int:
    from documents.exchange import arrival, services, tasks

    if orders["mode"] == "sweep":
        swept = services.sweep(older_than_seconds=0)
        _write(folder / f"result-{number}.json", json.dumps({"swept": swept}))
        return 0
    pause_at, slow = int(orders.get("pause_at", -1)), float(orders.get("slow", 0))
    real_push = arrival._push
    current = {"batch": 0}

    def push_then_wait(rows, todos):  # the last step inside the batch transaction
        real_push(rows, todos)
        if current["batch"] == pause_at:
            (folder / f"ready-{number}").touch()
            time.sleep(600)
        if slow:
            time.sleep(slow)

    arrival._push = push_then_wait
    for index, batch in enumerate(orders["batches"]):
        current["batch"] = index
        tasks.deliver_batch.apply(args=[batch]).get()
    return 0


def main() -> int:
    import django

    django.setup()
    from django.db import connections
    from django.urls import reverse

    import documents.exchange.tasks  # noqa: F401

    reverse("exchange:inbox")  # the URL conf (every app's views) is loaded in a running worker
    folder = Path(sys.argv[1])
    (folder / "started").touch()
    number = 0
    while _wait(folder / f"orders-{number}.json"):
        orders = json.loads((folder / f"orders-{number}.json").read_text())
        if orders["mode"] == "quit":
            return 0
        connections.close_all()  # nothing open to share with the child
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _run(folder, number, orders)
            finally:
                os._exit(code)
        _write(folder / f"pid-{number}", str(pid))
        _, status = os.waitpid(pid, 0)
        _write(folder / f"exit-{number}", str(status))
        number += 1
    return 3


if __name__ == "__main__":
    sys.exit(main())
