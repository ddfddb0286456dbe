"""Organisation tree benchmark: materialised-path subtree queries against a recursive parent walk, unit
search by name, and the organisation browser's lazy children fragment, on a large generated tree.

    .venv/bin/python bench/org_tree.py            # 20,000 units, 50,000 people
    .venv/bin/python bench/org_tree.py --quick    # 2,000 units, 5,000 people

Runs against a fresh temporary SQLite database (never the project's own) and prints figures, ending with
one machine-readable line ``RESULT key=value …``.  Figures are medians of several runs, in milliseconds.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_django(workdir: str) -> None:
    os.environ["OA_SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
    os.environ["OA_VAR_DIR"] = workdir  # audit keys, media and static land in the temp dir too
    os.environ["OA_MANIFEST_STATIC"] = "false"  # render pages without running collectstatic
    os.environ.setdefault("OA_LOG_LEVEL", "WARNING")
    os.makedirs(os.path.join(workdir, "static"), exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "oa.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up (and the value to check)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 units / 5,000 people instead of 20,000 / 50,000")
    parser.add_argument("--units", type=int)
    parser.add_argument("--people", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    units = args.units or (2000 if args.quick else 20000)
    people = args.people or (5000 if args.quick else 50000)

    with tempfile.TemporaryDirectory(prefix="oa-bench-") as workdir:
        started = time.perf_counter()
        _setup_django(workdir)
        print(f"数据库：{os.environ['OA_SQLITE_PATH']}（迁移 {time.perf_counter() - started:.1f} 秒）")
        run(units, people, args.seed, args.repeat)


def run(units: int, people: int, seed: int, repeat: int) -> None:
    from django.db import connection, reset_queries
    from django.db.models import Count, Q
    from django.test import Client
    from django.urls import reverse

    from oa.org.demo import generator
    from oa.org.models import Level, Person, Unit, UnitKind

    started = time.perf_counter()
    org = generator.create(units=units, people=people, seed=seed)
    print(f"生成并写入 {units} 个单位、{people} 名人员：{time.perf_counter() - started:.1f} 秒")

    # The city with the biggest subtree: the realistic "everything under 阳江市" query.
    cities = Unit.objects.filter(level=Level.CITY, kind=UnitKind.GOVERNMENT)
    city = max(cities, key=lambda u: Unit.objects.filter(path__startswith=u.path).count())

    def subtree():
        return set(Unit.objects.filter(path__startswith=city.path).values_list("pk", flat=True))

    def subtree_range():
        # The same prefix as a range ('0' sorts right after '/'): SQLite cannot use the path index for
        # LIKE … ESCAPE, which is what path__startswith becomes, but it can for a range.
        upper = city.path[:-1] + "0"
        return set(Unit.objects.filter(path__gte=city.path, path__lt=upper).values_list("pk", flat=True))

    def recursive_walk():
        # The adjacency-list baseline: one query per unit, following parent links down.
        found, stack = set(), [city.pk]
        while stack:
            pk = stack.pop()
            found.add(pk)
            stack.extend(Unit.objects.filter(parent_id=pk).values_list("pk", flat=True))
        return found

    def level_walk():
        # A smarter baseline: one query per level of the tree.
        found, frontier = {city.pk}, [city.pk]
        while frontier:
            frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            found.update(frontier)
        return found

    subtree_ms, by_path = _median_ms(subtree, repeat)
    range_ms, by_range = _median_ms(subtree_range, repeat)
    baseline_ms, by_walk = _median_ms(recursive_walk, max(1, repeat // 2))
    levels_ms, by_levels = _median_ms(level_walk, repeat)
    if not (by_path == by_range == by_walk == by_levels):
        raise SystemExit("结果不一致：路径查询与递归遍历得到的下级单位不同")
    print(
        f"子树查询（{city.name}，{len(by_path)} 个单位）：路径前缀 {subtree_ms:.2f} ms；"
        f"路径区间 {range_ms:.2f} ms；逐个递归 {baseline_ms:.1f} ms；逐层查询 {levels_ms:.2f} ms"
    )

    term = "教育"  # as in 教育局: hits on every level, more than the browser shows

    def search():
        # The organisation browser's search (name / short name / 机关代字, first 50 hits).
        qs = Unit.objects.filter(is_active=True).filter(
            Q(name__icontains=term) | Q(short_name__icontains=term) | Q(code__icontains=term)
        )
        return list(qs.order_by("level", "path")[:51])

    search_ms, hits = _median_ms(search, repeat)
    print(f"按名称检索“{term}”：{search_ms:.2f} ms（前 {len(hits)} 条）")

    viewer = Person.objects.filter(is_active=True, unit__isnull=False).order_by("pk").first()
    client = Client()
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    root = Unit.objects.filter(parent__isnull=True, fonds_number=org.units[0].fonds_number).get()
    county = (
        Unit.objects.filter(level=Level.COUNTY, kind=UnitKind.GOVERNMENT)
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
        .first()
    )
    figures = {}
    for label, unit in (("root", root), ("county", county)):
        url = reverse("org:children", args=[unit.pk])

        def fragment(url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} 返回 {response.status_code}")
            return response

        ms, response = _median_ms(fragment, repeat)
        reset_queries()
        with _count_queries(connection) as queries:
            fragment()
        figures[label] = ms
        print(
            f"组织机构树下级片段（{unit.name}，{unit.children.count()} 个下级）：{ms:.2f} ms，"
            f"{len(response.content) // 1024} KB，{queries()} 次查询"
        )

    search_page_ms, _ = _median_ms(lambda: client.get(reverse("org:browser"), {"q": term}), repeat)
    print(f"组织机构检索页面（“{term}”）：{search_page_ms:.2f} ms")

    speedup = baseline_ms / subtree_ms if subtree_ms else float("inf")
    result = {
        "units": units,
        "people": people,
        "subtree_units": len(by_path),
        "subtree_ms": f"{subtree_ms:.2f}",
        "subtree_range_ms": f"{range_ms:.2f}",
        "baseline_ms": f"{baseline_ms:.1f}",
        "level_walk_ms": f"{levels_ms:.2f}",
        "speedup": f"{speedup:.1f}",
        "search_ms": f"{search_ms:.2f}",
        "children_root_ms": f"{figures['root']:.2f}",
        "children_county_ms": f"{figures['county']:.2f}",
        "search_page_ms": f"{search_page_ms:.2f}",
    }
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()))


class _count_queries:
    """Count the queries run inside the block (works with DEBUG off)."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0

    def __enter__(self):
        self.connection.execute_wrappers.append(self._wrapper)
        return lambda: self.count

    def __exit__(self, *exc):
        self.connection.execute_wrappers.remove(self._wrapper)

    def _wrapper(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


if __name__ == "__main__":
    main()
