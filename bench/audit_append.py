"""Audit trail throughput: chained appends vs plain inserts, single-threaded and with 4 threads, and the time
``verify_audit`` needs per 100k events.

    python bench/audit_append.py [--quick] [--events N] [--verify-events N]

Runs against a fresh temporary SQLite database (OA_SQLITE_PATH, embedded profile) unless OA_DB_ENGINE is set
in the environment (then it uses that database — point it at a scratch one).  The baseline is the same event
payload inserted into a plain table without the chain, one transaction per event, in the same run.
Ends with one line ``RESULT key=value …``.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREADS = 4


def setup_django(workdir: str) -> None:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("OA_DB_ENGINE") or os.environ["OA_DB_ENGINE"] == "sqlite":
        os.environ["OA_SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
    os.environ.setdefault("OA_VAR_DIR", workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "oa.settings"
    os.environ.setdefault("OA_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def plain_model():
    """A table with the same columns and no chain: what an unchained audit log would cost."""
    from django.db import connection, models

    class PlainEvent(models.Model):
        created_at = models.DateTimeField(db_index=True)
        actor_name = models.CharField(max_length=80, blank=True)
        action = models.CharField(max_length=60, db_index=True)
        object_type = models.CharField(max_length=60, blank=True)
        object_id = models.CharField(max_length=64, blank=True, db_index=True)
        object_repr = models.CharField(max_length=200, blank=True)
        result = models.CharField(max_length=10)
        before = models.JSONField(null=True)
        after = models.JSONField(null=True)
        summary = models.CharField(max_length=300, blank=True)
        client_address = models.CharField(max_length=64, blank=True)

        class Meta:
            app_label = "bench"
            db_table = "bench_plain_event"

        def __str__(self) -> str:
            return self.summary

    with connection.schema_editor() as editor:
        editor.execute(f"DROP TABLE IF EXISTS {PlainEvent._meta.db_table}")
        editor.create_model(PlainEvent)
    return PlainEvent


def payload(i: int) -> dict:
    return {
        "action": "bench.update",
        "summary": f"修改《关于做好第{i}号工作的通知》",
        "before": {"state": "draft", "n": i},
        "after": {"state": "review", "n": i, "title": "关于做好防汛工作的通知"},
        "client_address": "10.0.0.1",
    }


def chained_append(i: int) -> None:
    from oa.audit.services import record

    p = payload(i)
    record(f"用户{i % 50}", p["action"], None, **{k: v for k, v in p.items() if k != "action"})


def plain_append_factory(model):
    from django.db import transaction
    from django.utils import timezone

    def append(i: int) -> None:
        p = payload(i)
        with transaction.atomic():
            model.objects.create(
                created_at=timezone.now(), actor_name=f"用户{i % 50}", result="success", object_type="", **p
            )

    return append


def run_single(append, n: int, offset: int) -> float:
    started = time.perf_counter()
    for i in range(offset, offset + n):
        append(i)
    return n / (time.perf_counter() - started)


def run_threads(append, n: int, offset: int) -> float:
    from django.db import connection

    per_thread = n // THREADS
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS + 1)

    def worker(t: int) -> None:
        try:
            barrier.wait()
            base = offset + t * per_thread
            for i in range(base, base + per_thread):
                append(i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} thread(s) failed: {errors[0]!r}")
    return per_thread * THREADS / elapsed


def fill_chain(n: int, offset: int, batch: int = 5000) -> None:
    """Extra events for the verification timing only: a valid chain computed with the same hash function and
    inserted in batches (appending 100k events one transaction at a time would dominate the run)."""
    from django.db import transaction
    from django.utils import timezone

    from oa.audit.models import AuditEvent, ChainHead

    for start in range(offset, offset + n, batch):
        with transaction.atomic():
            head = ChainHead.objects.select_for_update().get(pk=1)
            seq, prev_hash, rows = head.last_seq, head.last_hash, []
            for i in range(start, min(start + batch, offset + n)):
                p = payload(i)
                seq += 1
                event = AuditEvent(
                    seq=seq,
                    created_at=timezone.now(),
                    actor_name=f"用户{i % 50}",
                    result="success",
                    prev_hash=prev_hash,
                    **p,
                )
                event.hash = prev_hash = event.compute_hash()
                rows.append(event)
            AuditEvent._base_manager.bulk_create(rows, batch_size=1000)
            ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev_hash)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (a few seconds)")
    parser.add_argument("--events", type=int, help="events per phase (default 4000, quick 800)")
    parser.add_argument("--verify-events", type=int, help="chain length for the verify timing (default 100000)")
    args = parser.parse_args()
    n = args.events or (800 if args.quick else 4000)
    verify_target = args.verify_events or (10_000 if args.quick else 100_000)

    with tempfile.TemporaryDirectory(prefix="oa-bench-audit-") as workdir:
        setup_django(workdir)
        from django.db import connection

        from oa.audit.models import ChainHead
        from oa.audit.verify import verify_chain

        plain = plain_append_factory(plain_model())
        print(f"database: {connection.vendor}, events per phase: {n}, threads: {THREADS}")

        plain_single = run_single(plain, n, 0)
        chained_single = run_single(chained_append, n, 0)
        print(f"single thread : plain {plain_single:8.0f}/s   chained {chained_single:8.0f}/s")
        plain_threads = run_threads(plain, n, n)
        chained_threads = run_threads(chained_append, n, n)
        print(f"{THREADS} threads     : plain {plain_threads:8.0f}/s   chained {chained_threads:8.0f}/s")

        have = ChainHead.objects.get(pk=1).last_seq
        if have < verify_target:
            started = time.perf_counter()
            fill_chain(verify_target - have, 10 * n)
            print(
                f"appended {verify_target - have} more events for verification in {time.perf_counter() - started:.1f} s"
            )
        started = time.perf_counter()
        report = verify_chain()
        verify_elapsed = time.perf_counter() - started
        if not report.ok:
            raise SystemExit(f"verification failed: {report.message}")
        per_100k = verify_elapsed / report.checked * 100_000
        print(f"verify        : {report.checked} events in {verify_elapsed:.2f} s  ({per_100k:.2f} s per 100k)")

        single_ratio = chained_single / plain_single
        thread_ratio = chained_threads / plain_threads
        print(f"chained/plain : single {single_ratio:.2f}   {THREADS} threads {thread_ratio:.2f}")
        print(
            "RESULT "
            f"db={connection.vendor} events={n} "
            f"single_plain_per_s={plain_single:.0f} single_chained_per_s={chained_single:.0f} "
            f"single_ratio={single_ratio:.2f} "
            f"threads{THREADS}_plain_per_s={plain_threads:.0f} threads{THREADS}_chained_per_s={chained_threads:.0f} "
            f"threads{THREADS}_ratio={thread_ratio:.2f} "
            f"verify_events={report.checked} verify_s_per_100k={per_100k:.2f}"
        )
        connection.close()


if __name__ == "__main__":
    main()
