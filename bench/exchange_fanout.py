"""公文交换 fan-out: one document to N units (default 1,000 villages under one county).

    python bench/exchange_fanout.py [--quick | --units N]

Measures, in one run on a fresh temporary SQLite database (unless OA_DB_ENGINE is set — point it at a scratch
database):
* ``dispatch_s``: the dispatch transaction (N outbox rows + ledger entries + the state change);
* ``delivered_s``: from the dispatch call until every row is 已送达 and every push has gone out (deliveries run
  in-process, eager Celery, one task per batch of ``BATCH_SIZE`` rows, one after another: each batch verifies
  the package once, locks its rows, writes its ledger links under one head lock, bulk-creates the clerks'
  todos and pushes once per unit);
* ``pushed``: how many of the N online clerks' channels got the arrival event (every clerk is subscribed to its
  unit's group on the in-memory channel layer, as its socket would be — no real sockets are opened);
* ``baseline_s``: bare bulk inserts of the same N delivery rows (no ledger, no todo, no push), same run.
Before timing, the code paths a running worker has already loaded (URL conf, workflow modules, the search
indexer) are warmed up once, so the figures are steady-state, not Python import time.
Ends with one line ``RESULT key=value …``.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(workdir: str) -> None:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("OA_DB_ENGINE") or os.environ["OA_DB_ENGINE"] == "sqlite":
        os.environ["OA_SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
    os.environ.setdefault("OA_VAR_DIR", workdir)
    os.environ["OA_CELERY_EAGER"] = "1"
    os.environ.pop("OA_REDIS_URL", None)  # in-memory channel layer: the bench measures our code, not Redis
    os.environ["DJANGO_SETTINGS_MODULE"] = "oa.settings"
    os.environ.setdefault("OA_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_tree(count: int):
    from oa.org import tree
    from oa.org.models import Level, Person, Role, RoleAssignment, Unit, UnitKind

    n = [0]

    def unit(name, level, parent, kind=UnitKind.GOVERNMENT):
        n[0] += 1
        made = Unit.objects.create(
            name=name,
            short_name=name[:12],
            code=f"B{n[0]}",
            kind=kind,
            level=level,
            fonds_number=f"B{n[0]:06d}",
            parent=parent,
        )
        tree.assign_path(made)
        made.save(update_fields=["path", "depth"])
        return made

    province = unit("省政府", Level.PROVINCE, None)
    city = unit("市政府", Level.CITY, province)
    county = unit("县政府", Level.COUNTY, city)
    town = unit("镇政府", Level.TOWN, county)
    villages = [unit(f"第{i}村委会", Level.VILLAGE, town, UnitKind.VILLAGE_COMMITTEE) for i in range(count)]
    people = Person.objects.bulk_create(
        [Person(username=f"clerk{u.pk}", name=f"收发员{u.pk}", unit=u, password="!") for u in [city, *villages]]
    )
    people = list(Person.objects.filter(username__startswith="clerk").order_by("pk"))
    RoleAssignment.objects.bulk_create([RoleAssignment(person=p, unit_id=p.unit_id, role=Role.CLERK) for p in people])
    sender_clerk = next(p for p in people if p.unit_id == city.pk)
    return city, county, villages, sender_clerk


def make_document(city, clerk, title):
    from django.db import transaction

    from documents.models import Document, Status

    with transaction.atomic():
        return Document.objects.create(owner_unit=city, drafter=clerk, title=title, status=Status.DISTRIBUTING)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="100 units")
    args = parser.parse_args()
    args.units = args.units or (100 if args.quick else 1000)
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(workdir)
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer
        from django.db import connection, transaction

        from documents.exchange import ledger, push, services
        from documents.exchange.models import Delivery, State
        from oa.org.models import Level

        city, county, villages, clerk = make_tree(args.units)
        layer = get_channel_layer()
        layer.capacity = 1000
        layer.expiry = 3600  # a slow run must not expire the first pushes before they are counted
        channels = {}

        async def subscribe():
            for village in villages:
                name = await layer.new_channel()
                await layer.group_add(push.unit_group(village.pk), name)
                channels[village.pk] = name

        async_to_sync(subscribe)()

        # Warm-up: a running worker has these imported already (the URL conf pulls in every app's views).
        from django.urls import reverse

        import documents.workflow.outgoing  # noqa: F401

        reverse("exchange:inbox")

        # Baseline: bare bulk inserts of the same rows for another document.
        other = make_document(city, clerk, "基线公文")
        start = time.perf_counter()
        with transaction.atomic():
            Delivery.objects.bulk_create(
                [Delivery(document=other, sender_unit=city, recipient=v, package_sha256="0" * 64) for v in villages],
                batch_size=500,
            )
        baseline = time.perf_counter() - start

        document = make_document(city, clerk, "关于做好防汛工作的通知")
        start = time.perf_counter()
        with transaction.atomic():
            services.dispatch(clerk, document, include_levels_under=[(county, Level.VILLAGE)])
            dispatched = time.perf_counter() - start
        delivered = time.perf_counter() - start  # eager tasks ran on commit
        pending = Delivery.objects.filter(document=document).exclude(state=State.DELIVERED).count()

        async def drain():
            got = 0
            for name in channels.values():
                import asyncio

                try:
                    message = await asyncio.wait_for(layer.receive(name), timeout=0.05)
                except TimeoutError:
                    continue
                if message.get("data", {}).get("event") == "delivered":
                    got += 1
            return got

        pushed = async_to_sync(drain)()
        verified = ledger.verify()
        print(
            f"units={args.units} dispatch={dispatched:.2f}s delivered_all={delivered:.2f}s "
            f"pushed={pushed}/{len(villages)} baseline_bulk_insert={baseline:.3f}s ledger={verified.message}"
        )
        print(
            f"RESULT units={args.units} dispatch_s={dispatched:.3f} delivered_s={delivered:.3f} "
            f"not_delivered={pending} pushed={pushed} baseline_s={baseline:.3f} "
            f"ratio={delivered / baseline if baseline else 0:.1f} ledger_ok={int(verified.ok)} "
            f"batch_size={services.BATCH_SIZE} db={connection.vendor}"
        )


if __name__ == "__main__":
    main()
