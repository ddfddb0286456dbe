"""A worker that really dies: a separate process delivering batches against the test database is SIGKILLed
in the middle of a batch transaction (once at a known point, then at random moments); a freshly started
worker running the sweeper finishes the job. Then: 0 lost, 0 duplicated deliveries, the ledger verifies."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction

from documents.exchange import ledger, services
from documents.exchange.models import Delivery, LedgerEntry, State
from documents.models import Document, Status
from oa.org.models import Role
from oa.todo.models import TodoItem
from tests.factories import PersonFactory, RoleAssignmentFactory, UnitFactory

ROOT = Path(__file__).resolve().parents[2]
UNITS, BATCH, TRIALS = 9, 3, 4


class Workers:
    """The worker processes of tests/exchange/worker_process.py: one started now (its start-up overlaps the
    test's setup), forking a real worker process per order, as Celery's prefork pool does."""

    def __init__(self, folder: Path):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oa.test_settings", "OA_REDIS_URL": ""}
        name = connection.settings_dict["NAME"]  # the test database this test runs on
        if connection.vendor == "sqlite":
            env.update(OA_DB_ENGINE="sqlite", OA_SQLITE_PATH=str(name))
        else:
            env.update(OA_DB_NAME=str(name))
        self.folder, self.number = folder, 0
        self.log = open(folder / "log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.exchange.worker_process", str(folder)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_for(self, name: str, timeout: float = 60) -> Path:
        path, deadline = self.folder / name, time.monotonic() + timeout
        while not path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {name}: {(self.folder / 'log').read_text(errors='replace')[-3000:]}")
            time.sleep(0.005)
        return path

    def start(self, **orders) -> int:
        """A new worker process with these orders; returns its number."""
        self.wait_for("started")
        number, self.number = self.number, self.number + 1
        (self.folder / "orders.tmp").write_text(json.dumps(orders))
        (self.folder / "orders.tmp").rename(self.folder / f"orders-{number}.json")  # appears whole
        return number

    def kill(self, number: int) -> None:
        """SIGKILL that worker process and wait until it is gone (and so are its locks)."""
        pid = int(self.wait_for(f"pid-{number}").read_text())
        os.kill(pid, signal.SIGKILL)
        status = int(self.wait_for(f"exit-{number}").read_text())
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    def finish(self, number: int) -> dict:
        status = int(self.wait_for(f"exit-{number}").read_text())
        log = (self.folder / "log").read_text(errors="replace")[-3000:]
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, log
        return json.loads(self.wait_for(f"result-{number}.json").read_text())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def _send(ex, units, title, monkeypatch) -> list[list[int]]:
    """Dispatch a new document; return the task messages the broker would now hold (not consumed here)."""
    with transaction.atomic():
        document = Document.objects.create(
            owner_unit=ex.document.owner_unit, drafter=ex.document.drafter, title=title, status=Status.DISTRIBUTING
        )
    queued = []
    monkeypatch.setattr(services, "enqueue", lambda ids: queued.extend(ids))
    services.dispatch(ex.sender_clerk, document, units)
    monkeypatch.undo()
    return [queued[i : i + BATCH] for i in range(0, len(queued), BATCH)]


def _delivered_counts(batch):
    states = dict(Delivery.objects.filter(pk__in=batch).values_list("pk", "state"))
    return Counter(states.values())


def _assert_whole_batches_only(batches):
    """After a crash every batch is either wholly delivered (committed) or wholly pending (rolled back), and
    the ledger holds exactly one "delivered" link per delivered row."""
    for batch in batches:
        counts = _delivered_counts(batch)
        assert set(counts) in ({State.DELIVERED}, {State.PENDING}), counts
    delivered = Delivery.objects.filter(state=State.DELIVERED).values_list("pk", flat=True)
    links = Counter(LedgerEntry.objects.filter(event="delivered").values_list("delivery_id_ref", flat=True))
    assert set(links) == set(delivered) and set(links.values()) <= {1}
    assert ledger.verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(ex, org_tree, tmp_path, monkeypatch):
    workers = Workers(tmp_path)
    units = [
        UnitFactory(name=f"杀{i}村", short_name=f"杀{i}村", code=f"杀{i}", parent=org_tree.cb_street)
        for i in range(UNITS)
    ]
    for i, unit in enumerate(units):
        RoleAssignmentFactory(person=PersonFactory(username=f"kc{i}", unit=unit), unit=unit, role=Role.CLERK)
    all_batches = []
    try:
        # 1. Killed at a known point: batch 0 committed, batch 1 written but not committed.
        batches = _send(ex, units, "第一次分发", monkeypatch)
        all_batches += batches
        worker = workers.start(mode="work", batches=batches, pause_at=1)
        workers.wait_for(f"ready-{worker}")
        workers.kill(worker)
        assert _delivered_counts(batches[0]) == {State.DELIVERED: BATCH}
        assert all(_delivered_counts(b) == {State.PENDING: BATCH} for b in batches[1:])
        _assert_whole_batches_only(all_batches)

        # 2. Killed at random moments, with batches in flight.
        rng = random.Random(6)
        for trial in range(TRIALS):
            batches = _send(ex, units, f"第{trial + 2}次分发", monkeypatch)
            all_batches += batches
            worker = workers.start(mode="work", batches=batches, slow=0.1)
            workers.wait_for(f"pid-{worker}")
            time.sleep(rng.uniform(0.05, 0.6))
            workers.kill(worker)
            _assert_whole_batches_only(all_batches)
        assert Delivery.objects.filter(state=State.PENDING).exists()  # the kills really cut work short

        # 3. A fresh worker: the sweeper re-enqueues what was left and it is delivered once.
        assert workers.finish(workers.start(mode="sweep"))["swept"] > 0
    finally:
        workers.close()

    rows = list(Delivery.objects.all())
    total = (1 + TRIALS) * UNITS
    assert len(rows) == total and len({(r.document_id, r.recipient_id) for r in rows}) == total
    assert all(r.state == State.DELIVERED and r.attempts == 1 for r in rows), [(r.pk, r.state) for r in rows]
    links = Counter(LedgerEntry.objects.filter(event="delivered").values_list("delivery_id_ref", flat=True))
    assert links == Counter({r.pk: 1 for r in rows})
    todos = Counter(TodoItem.objects.filter(source_app="exchange").values_list("source_id", flat=True))
    assert todos == Counter({str(r.pk): 1 for r in rows})
    assert ledger.verify().ok
