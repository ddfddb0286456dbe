"""督办 board and statistics query time: 10,000 items over 2,000 units, against a naive baseline in the same run.

    python bench/supervision_board.py [--quick] [--items N] [--units N] [--repeat N]

What is timed (the 督查员 of the raising unit sees every item):
- board: what the board page computes — counts by status and by 三色 colour, the 30 lead units with the most
  trouble, the first page of 50 items (``oa.supervision.selectors.board``: SQL aggregation with the warning
  as one CASE expression);
- stats: on-time rate per unit and per month for the year (``unit_statistics`` + ``monthly_statistics``);
- unit board: the same board for a member of one lead unit (few items; the visibility filter must use the
  index, not scan);
- naive baselines: load every item, check ``supervision.view_item`` per item and compute the warning per item
  in Python (``warning_for``: a milestone query each), then group and count in Python — what the page would
  do without the SQL read model.

Runs against a fresh temporary SQLite database unless OA_DB_ENGINE is set (then point it at a scratch
database). Ends with one line ``RESULT key=value …``.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def build(item_count: int, unit_count: int, seed: int = 7):
    from django.db import transaction
    from django.utils import timezone

    from oa.org.models import Level, Person, Role, RoleAssignment, Unit, UnitKind
    from oa.supervision.models import Item, ItemUnit, Milestone, SourceKind, Status, UnitRole

    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        root = Unit.objects.create(
            name="基准市人民政府", short_name="基准市", kind=UnitKind.GOVERNMENT, level=Level.CITY, fonds_number="B0"
        )
        root.path, root.depth = f"/{root.pk}/", 0
        root.save(update_fields=["path", "depth"])
        Unit.objects.bulk_create(
            Unit(
                name=f"基准单位{i:04d}",
                short_name=f"单位{i:04d}",
                kind=UnitKind.GOV_DEPARTMENT,
                level=Level.CITY,
                fonds_number=f"B{i + 1}",
                parent=root,
            )
            for i in range(unit_count)
        )
        units = list(Unit.objects.filter(parent=root).order_by("pk"))
        for unit in units:
            unit.path, unit.depth = f"{root.path}{unit.pk}/", 1
        Unit.objects.bulk_update(units, ["path", "depth"], batch_size=500)
        supervisor = Person.objects.create_user(username="bench_sup", password="x", name="督查员", unit=root)
        RoleAssignment.objects.create(person=supervisor, unit=root, role=Role.SUPERVISOR)
        member = Person.objects.create_user(username="bench_member", password="x", name="科员", unit=units[0])

        statuses = [
            Status.PENDING_SIGN,
            Status.IN_PROGRESS,
            Status.IN_PROGRESS,
            Status.IN_PROGRESS,
            Status.CLOSE_REQUESTED,
            Status.CLOSED,
            Status.CLOSED,
            Status.CANCELLED,
        ]
        items = []
        for i in range(item_count):
            status = rng.choice(statuses)
            deadline = today + timedelta(days=rng.randint(-120, 120))
            closed = status == Status.CLOSED
            items.append(
                Item(
                    title=f"督办事项{i}",
                    instruction="基准",
                    source_kind=SourceKind.DIRECT,
                    raising_unit=root,
                    supervisor=supervisor,
                    lead_unit=units[i % unit_count],
                    deadline=deadline,
                    status=status,
                    next_report_due=today + timedelta(days=rng.randint(-10, 10))
                    if status == Status.IN_PROGRESS
                    else None,
                    completed_on=deadline + timedelta(days=rng.randint(-20, 5)) if closed else None,
                    closed_at=timezone.now() if closed else None,
                )
            )
        Item.objects.bulk_create(items, batch_size=1000)
        items = list(Item.objects.order_by("pk").only("pk", "lead_unit_id", "deadline"))
        links, milestones = [], []
        for item in items:
            links.append(ItemUnit(item_id=item.pk, unit_id=item.lead_unit_id, role=UnitRole.LEAD))
            for unit in rng.sample(units, rng.randint(0, 2)):
                if unit.pk != item.lead_unit_id:
                    links.append(ItemUnit(item_id=item.pk, unit_id=unit.pk, role=UnitRole.COOPERATING))
            if rng.random() < 0.3:
                milestones.append(Milestone(item_id=item.pk, title="节点", due_date=item.deadline - timedelta(days=10)))
        ItemUnit.objects.bulk_create(links, batch_size=2000)
        Milestone.objects.bulk_create(milestones, batch_size=2000)
    return supervisor, member


def timed(work, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def fresh(person):
    from oa.org.models import Person

    return Person.objects.get(pk=person.pk)  # no role cache carried between runs


def board_sql(person):
    from oa.supervision import selectors

    data = selectors.board(fresh(person))
    page = list(data.items[:50])
    return data.status_counts, data.warning_counts, data.units, page


def board_naive(person):
    from oa.permissions import can
    from oa.supervision import selectors
    from oa.supervision.models import OPEN_STATUSES, Item

    user = fresh(person)
    limits = selectors.Thresholds.for_today()
    status_counts, warning_counts = Counter(), Counter()
    per_unit = defaultdict(Counter)
    rows = []
    for item in Item.objects.select_related("lead_unit").order_by("deadline", "id"):
        if not can(user, "supervision.view_item", item):
            continue
        colour, _ = selectors.warning_for(item, limits)
        status_counts[item.status] += 1
        warning_counts[colour] += 1
        per_unit[item.lead_unit.name]["total"] += 1
        per_unit[item.lead_unit.name][colour] += 1
        per_unit[item.lead_unit.name]["open"] += item.status in OPEN_STATUSES
        rows.append(item)
    units = sorted(per_unit.items(), key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], -kv[1]["blue"], -kv[1]["open"]))
    return status_counts, warning_counts, units[:30], rows[:50]


def stats_sql(person, year: int):
    from oa.supervision import selectors

    user = fresh(person)
    start, end = date(year, 1, 1), date(year, 12, 31)
    return selectors.unit_statistics(user, start=start, end=end), selectors.monthly_statistics(
        user, start=start, end=end
    )


def stats_naive(person, year: int):
    from django.utils import timezone

    from oa.permissions import can
    from oa.supervision.models import OPEN_STATUSES, Item, Status

    user = fresh(person)
    today = timezone.localdate()
    per_unit, per_month = defaultdict(Counter), defaultdict(Counter)
    for item in Item.objects.select_related("lead_unit").filter(deadline__year=year).exclude(status=Status.CANCELLED):
        if not can(user, "supervision.view_item", item):
            continue
        closed = item.status == Status.CLOSED
        counted = closed or (item.status in OPEN_STATUSES and item.deadline < today)
        on_time = closed and item.completed_on <= item.deadline
        for bucket in (per_unit[item.lead_unit.name], per_month[item.deadline.month]):
            bucket["total"] += 1
            bucket["counted"] += counted
            bucket["on_time"] += on_time
    return per_unit, per_month


def count_queries(connection, work) -> int:
    seen = 0

    def counter(execute, sql, params, many, context):
        nonlocal seen
        seen += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        work()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 items over 200 units")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.quick:
        args.items, args.units, args.repeat = 1_000, 200, 3
    with tempfile.TemporaryDirectory(prefix="oa-bench-") as workdir:
        setup_django(workdir)
        from django.db import connection
        from django.utils import timezone

        started = time.perf_counter()
        supervisor, member = build(args.items, args.units)
        print(
            f"built {args.items} items over {args.units} units in {time.perf_counter() - started:.1f} s "
            f"({connection.vendor})"
        )
        year = timezone.localdate().year

        # Same answer from both paths (so the comparison is fair).
        sql_status, sql_warn, _, sql_page = board_sql(supervisor)
        naive_status, naive_warn, _, naive_page = board_naive(supervisor)
        assert {k: v for k, v in sql_status.items() if v} == dict(naive_status), (sql_status, naive_status)
        assert {k: v for k, v in sql_warn.items() if v} == {k: v for k, v in naive_warn.items() if k}, (
            sql_warn,
            naive_warn,
        )
        assert [i.pk for i in sql_page] == [i.pk for i in naive_page]

        board_queries = count_queries(connection, lambda: board_sql(supervisor))
        naive_queries = count_queries(connection, lambda: board_naive(supervisor))

        board_ms = timed(lambda: board_sql(supervisor), args.repeat)
        naive_ms = timed(lambda: board_naive(supervisor), 1)
        member_ms = timed(lambda: board_sql(member), args.repeat)
        stats_ms = timed(lambda: stats_sql(supervisor, year), args.repeat)
        stats_naive_ms = timed(lambda: stats_naive(supervisor, year), 1)

        print(f"{'measure':<36}{'ms':>10}")
        for label, value in (
            ("board (SQL read model)", board_ms),
            ("board (naive per-item)", naive_ms),
            ("board of one unit's member", member_ms),
            ("statistics unit+month (SQL)", stats_ms),
            ("statistics (naive per-item)", stats_naive_ms),
        ):
            print(f"{label:<36}{value:>10.1f}")
        print(f"queries: board {board_queries}, naive board {naive_queries}")
        print(
            f"RESULT items={args.items} units={args.units} db={connection.vendor} board_ms={board_ms:.1f} "
            f"board_naive_ms={naive_ms:.1f} board_speedup={naive_ms / board_ms:.1f} board_queries={board_queries} "
            f"naive_queries={naive_queries} member_board_ms={member_ms:.1f} stats_ms={stats_ms:.1f} "
            f"stats_naive_ms={stats_naive_ms:.1f} stats_speedup={stats_naive_ms / stats_ms:.1f}"
        )


if __name__ == "__main__":
    main()
