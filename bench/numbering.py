"""发文字号 allocation throughput: locked-counter allocations vs plain inserts, single-threaded and with 8
threads, in the same run; then a check that the numbers taken are consecutive with no duplicate.

    python bench/numbering.py [--quick] [--count N]

Runs against a fresh temporary SQLite database (OA_SQLITE_PATH, embedded profile) unless OA_DB_ENGINE is set
in the environment (then it uses that database — point it at a scratch one). The baseline inserts one row per
transaction into the counter table itself (a fresh key each time, no lock, no read), so the difference is
the price of the row lock and the read-modify-write. Ends with one line ``RESULT key=value …``.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREADS = 8


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


def plain_insert(tag: str, i: int) -> None:
    from django.db import transaction

    from documents.models import NumberCounter

    with transaction.atomic():
        NumberCounter.objects.create(code=f"基准{tag}{i}", year=1999, last=1)


def allocate(code: str, year: int) -> str:
    from documents.numbering import allocate as _allocate

    return _allocate(code, year)


def run_single(count: int, work) -> float:
    started = time.perf_counter()
    for i in range(count):
        work(i)
    return count / (time.perf_counter() - started)


def run_threads(count: int, work) -> float:
    """``count`` calls spread over THREADS threads, each with its own connection."""
    from django.db import connection

    per_thread = count // THREADS
    barrier = threading.Barrier(THREADS + 1)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                work(n * per_thread + i)
        except BaseException as exc:  # reported after the run
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return per_thread * THREADS / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer operations (a smoke run)")
    parser.add_argument("--count", type=int, default=None, help="operations per measurement (default 2000)")
    args = parser.parse_args()
    count = args.count or (200 if args.quick else 2000)
    count -= count % THREADS

    with tempfile.TemporaryDirectory(prefix="oa-bench-numbering-") as workdir:
        setup_django(workdir)
        from django.conf import settings
        from django.db import connection

        from documents.models import NumberCounter

        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        taken: list[str] = []
        lock = threading.Lock()

        def take(code):
            def work(_i):
                number = allocate(code, 2099)
                with lock:
                    taken.append(number)

            return work

        insert_1t = run_single(count, lambda i: plain_insert("s", i))
        alloc_1t = run_single(count, take("单线程"))
        insert_8t = run_threads(count, lambda i: plain_insert("t", i))
        connection.close()
        alloc_8t = run_threads(count, take("多线程"))
        connection.close()

        duplicates = len(taken) - len(set(taken))
        gaps = 0
        for code in ("单线程", "多线程"):
            seqs = sorted(int(n.split("〕")[1][:-1]) for n in taken if n.startswith(code))
            gaps += len(set(range(1, count + 1)) - set(seqs))
            assert NumberCounter.objects.get(code=code, year=2099).last == count
        NumberCounter.objects.filter(year__in=(1999, 2099)).delete()

        print(f"database: {engine}, {count} operations per measurement, {THREADS} threads")
        print(f"plain insert, 1 thread : {insert_1t:10.0f} /s")
        print(f"allocation,   1 thread : {alloc_1t:10.0f} /s  ({alloc_1t / insert_1t:.2f}× baseline)")
        print(f"plain insert, {THREADS} threads: {insert_8t:10.0f} /s")
        print(f"allocation,   {THREADS} threads: {alloc_8t:10.0f} /s  ({alloc_8t / insert_8t:.2f}× baseline)")
        print(f"numbers taken: {len(taken)}, duplicates: {duplicates}, gaps: {gaps}")
        print(
            f"RESULT db={engine} count={count} threads={THREADS} insert_1t_per_s={insert_1t:.0f} "
            f"alloc_1t_per_s={alloc_1t:.0f} insert_8t_per_s={insert_8t:.0f} alloc_8t_per_s={alloc_8t:.0f} "
            f"ratio_1t={alloc_1t / insert_1t:.2f} ratio_8t={alloc_8t / insert_8t:.2f} "
            f"duplicates={duplicates} gaps={gaps}"
        )
        if duplicates or gaps:
            sys.exit(1)


if __name__ == "__main__":
    main()
