"""Large synthetic five-level organisations for benchmarks (e.g. 20,000 units, 50,000 people).

``generate`` is pure: from the sizes, a seed and the first free primary keys it builds unsaved model
instances whose primary keys, materialised paths and depths are already set, so ``write`` can insert them
with a few ``bulk_create`` calls instead of one service call per row.  The shape follows Guangdong's
proportions (a province with ~21 cities, ~120 counties, ~1,600 towns and many villages), scaled to the
requested size; every unit obeys the tree rules of ``oa.org.tree`` (parent on the same level or one up,
村(居)委会 only on the village level).
"""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from oa.audit.services import record
from oa.org.auditing import SYSTEM_ACTOR
from oa.org.demo import names
from oa.org.demo.places import BUREAUS
from oa.org.models import Department, LeaderKind, Level, Person, Role, RoleAssignment, Unit, UnitKind
from oa.permissions import STAFF_ROLES

# Share of units per level (province, city, county, town); villages take the rest.
LEVEL_SHARES = (0.002, 0.033, 0.16, 0.08)
MAX_CITIES = 21
UNITS_PER_CITY_BLOCK = 31  # a city government and ~30 departments
UNITS_PER_COUNTY_BLOCK = 26
# People per unit, relative: a village committee has few, a province department many.
PEOPLE_WEIGHT = {Level.PROVINCE: 6, Level.CITY: 5, Level.COUNTY: 3, Level.TOWN: 3, Level.VILLAGE: 1}
# Roles handed out in this order, person ``i % n`` of the unit taking role ``i``.
ROLE_ORDER = (
    (Role.SIGNER, LeaderKind.PRINCIPAL),
    (Role.CLERK, ""),
    (Role.REVIEWER, ""),
    (Role.SIGNER, LeaderKind.DEPUTY),
    (Role.SEAL_KEEPER, ""),
    (Role.ARCHIVIST, ""),
    (Role.UNIT_ADMIN, ""),
)
UNUSABLE_PASSWORD = "!generated"  # starts with "!": Django treats it as unusable, nobody can sign in
PREFIX_RE = re.compile(r"^[A-Za-z0-9]{1,12}$")

_PLACE_CHARS = "安宁平和兴华丰泰康盛昌隆永清新德明远广江海山河云湖源溪岭石龙凤鹤松柏桂兰荔榕梅竹金银玉沙洲坪塘田"
_DEPARTMENT_SUFFIXES = tuple(b.local_suffix for b in BUREAUS) + (
    "发展和改革局",
    "工业和信息化局",
    "科学技术局",
    "商务局",
    "文化广电旅游体育局",
    "交通运输局",
    "水务局",
    "审计局",
    "林业局",
    "医疗保障局",
    "城市管理和综合执法局",
    "机关事务管理局",
    "信访局",
    "档案馆",
)
_SECTION_SUFFIX = {Level.PROVINCE: "处", Level.CITY: "科", Level.COUNTY: "股", Level.TOWN: "办公室"}


@dataclass
class GeneratedOrg:
    units: list[Unit] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    roles: list[RoleAssignment] = field(default_factory=list)


def level_counts(total: int) -> tuple[int, int, int, int, int]:
    """How many units go on each level for ``total`` units (at least one per level)."""
    if total < 5:
        raise ValueError("至少需要 5 个单位才能覆盖五个层级。")
    counts = [max(1, round(total * share)) for share in LEVEL_SHARES]
    while sum(counts) > total - 1:  # tiny trees: shrink the biggest level until villages get one
        counts[counts.index(max(counts))] -= 1
    return (*counts, total - sum(counts))  # type: ignore[return-value]


class _Names:
    """Unique two-character place names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def place(self) -> str:
        for _ in range(50):
            candidate = self.rng.choice(_PLACE_CHARS) + self.rng.choice(_PLACE_CHARS)
            if candidate[0] != candidate[1] and candidate not in self.used:
                self.used.add(candidate)
                return candidate
        # The two-character space is exhausted on very large trees: add a number.
        candidate = f"{self.rng.choice(_PLACE_CHARS)}{self.rng.choice(_PLACE_CHARS)}{len(self.used)}"
        self.used.add(candidate)
        return candidate


class _TreeBuilder:
    def __init__(self, rng: random.Random, fonds_prefix: str, first_pk: int):
        self.rng = rng
        self.names = _Names(rng)
        self.fonds_prefix = fonds_prefix
        self.next_pk = first_pk
        self.units: list[Unit] = []

    def add(self, *, name, short_name, kind, level, code, region, parent: Unit | None, sort_order) -> Unit:
        pk = self.next_pk
        self.next_pk += 1
        unit = Unit(
            pk=pk,
            name=name,
            short_name=short_name[:40],
            code=code[:20],
            kind=kind,
            level=level,
            region=region[:100],
            fonds_number=f"{self.fonds_prefix}{len(self.units) + 1:06d}",
            parent_id=parent.pk if parent else None,  # ids, not objects: descriptors are slow at 20,000 rows
            path=f"{parent.path if parent else '/'}{pk}/",
            depth=parent.depth + 1 if parent else 0,
            sort_order=sort_order,
        )
        self.units.append(unit)
        return unit

    def departments(self, government: Unit, count: int, prefix: str, region: str, level: int, abbr: str):
        for i in range(count):
            suffix = _DEPARTMENT_SUFFIXES[i % len(_DEPARTMENT_SUFFIXES)]
            name = f"{prefix}{suffix}"
            if i >= len(_DEPARTMENT_SUFFIXES):  # synthetic trees may want more departments than exist
                name += f"（{i // len(_DEPARTMENT_SUFFIXES) + 1}）"
            self.add(
                name=name,
                short_name=name,
                kind=UnitKind.GOV_DEPARTMENT,
                level=level,
                code=f"{abbr}{suffix[:2]}",
                region=region,
                parent=government,
                sort_order=i + 1,
            )


def _round_robin(count: int, parents: list[Unit]):
    """Yield (index, parent) spreading ``count`` children evenly over ``parents``."""
    for i in range(count):
        yield i, parents[i % len(parents)]


def _build_units(builder: _TreeBuilder, total: int) -> None:
    n1, n2, n3, n4, n5 = level_counts(total)
    province_name = builder.names.place()
    region = f"{province_name}省"
    root = builder.add(
        name=f"{province_name}省人民政府",
        short_name=f"{province_name}省政府",
        kind=UnitKind.GOVERNMENT,
        level=Level.PROVINCE,
        code=f"{province_name[0]}府",
        region=region,
        parent=None,
        sort_order=1,
    )
    builder.departments(root, n1 - 1, f"{province_name}省", region, Level.PROVINCE, province_name[0])

    n_cities = max(1, min(MAX_CITIES, n2, round(n2 / UNITS_PER_CITY_BLOCK)))
    cities = []
    for i in range(n_cities):
        place = builder.names.place()
        cities.append(
            builder.add(
                name=f"{place}市人民政府",
                short_name=f"{place}市政府",
                kind=UnitKind.GOVERNMENT,
                level=Level.CITY,
                code=f"{place[0]}府",
                region=f"{region}{place}市",
                parent=root,
                sort_order=i + 1,
            )
        )
    _spread_departments(builder, cities, n2 - n_cities, Level.CITY)

    n_counties = min(n3, max(n_cities, round(n3 / UNITS_PER_COUNTY_BLOCK)))
    counties = []
    for i, city in _round_robin(n_counties, cities):
        place = builder.names.place()
        word = "区" if i % 3 else "县"
        counties.append(
            builder.add(
                name=f"{place}{word}人民政府",
                short_name=f"{place}{word}政府",
                kind=UnitKind.GOVERNMENT,
                level=Level.COUNTY,
                code=f"{place}府",
                region=f"{city.region}{place}{word}",
                parent=city,
                sort_order=i + 1,
            )
        )
    _spread_departments(builder, counties, n3 - n_counties, Level.COUNTY)

    towns = []
    for i, county in _round_robin(n4, counties):
        place = builder.names.place()
        street = i % 4 == 0
        name = f"{place}街道办事处" if street else f"{place}镇人民政府"
        towns.append(
            builder.add(
                name=name,
                short_name=f"{place}街道" if street else f"{place}镇",
                kind=UnitKind.GOVERNMENT,
                level=Level.TOWN,
                code=f"{place}{'办' if street else '府'}",
                region=f"{county.region}{place}{'街道' if street else '镇'}",
                parent=county,
                sort_order=i // len(counties) + 1,
            )
        )

    for i, town in _round_robin(n5, towns):
        # Village names repeat across towns in real life too; only the places above them are kept unique.
        place = builder.rng.choice(_PLACE_CHARS) + builder.rng.choice(_PLACE_CHARS)
        community = town.name.endswith("办事处")
        word = "社区" if community else "村"
        builder.add(
            name=f"{place}{'社区居民委员会' if community else '村民委员会'}",
            short_name=f"{place}{word}",
            kind=UnitKind.VILLAGE_COMMITTEE,
            level=Level.VILLAGE,
            code=f"{place}{'居委' if community else '村委'}",
            region=f"{town.region}{place}{word}",
            parent=town,
            sort_order=i // len(towns) + 1,
        )


def _spread_departments(builder: _TreeBuilder, governments: list[Unit], count: int, level: int) -> None:
    per = [count // len(governments)] * len(governments)
    for i in range(count % len(governments)):
        per[i] += 1
    for government, n in zip(governments, per, strict=True):
        place = government.name.removesuffix("人民政府")
        builder.departments(government, n, place, government.region, level, government.code[:-1] or place[0])


def _people_per_unit(units: list[Unit], total: int, rng: random.Random) -> list[int]:
    weights = [PEOPLE_WEIGHT[Level(u.level)] for u in units]
    weight_sum = sum(weights)
    counts = [total * w // weight_sum for w in weights]
    # Flooring loses less than one person per unit; hand the rest to randomly chosen units.
    for index in rng.sample(range(len(units)), total - sum(counts)):
        counts[index] += 1
    return counts


def generate(
    *,
    units: int,
    people: int,
    seed: int = 1,
    fonds_prefix: str = "G",
    first_unit_pk: int = 1,
    first_department_pk: int = 1,
    first_person_pk: int = 1,
    password_hash: str = UNUSABLE_PASSWORD,
) -> GeneratedOrg:
    """Build (without saving) ``units`` units and ``people`` people with departments and roles."""
    if not PREFIX_RE.match(fonds_prefix):
        raise ValueError("全宗号前缀只能是 1～12 位字母或数字。")
    if people < 0:
        raise ValueError("人数不能为负数。")
    rng = random.Random(seed)
    builder = _TreeBuilder(rng, fonds_prefix, first_unit_pk)
    _build_units(builder, units)
    org = GeneratedOrg(units=builder.units)

    department_pk = first_department_pk
    person_pk = first_person_pk
    username_prefix = fonds_prefix.lower()
    for unit, headcount in zip(org.units, _people_per_unit(org.units, people, rng), strict=True):
        unit_departments = []
        if unit.level != Level.VILLAGE:
            suffix = _SECTION_SUFFIX[Level(unit.level)]
            section_names = ["办公室"] + [f"{s}{suffix}" for s in ("综合", "业务", "规划")[: rng.randint(1, 2)]]
            for order, name in enumerate(section_names, start=1):
                unit_departments.append(Department(pk=department_pk, unit_id=unit.pk, name=name, sort_order=order))
                department_pk += 1
            org.departments.extend(unit_departments)
        staff = []
        for index in range(headcount):
            # Role holders (the first few) sit in the office, others in the sections.
            if not unit_departments:
                department = None
            elif index < len(ROLE_ORDER):
                department = unit_departments[0]
            else:
                department = unit_departments[1 + index % (len(unit_departments) - 1)]
            staff.append(
                Person(
                    pk=person_pk,
                    username=f"{username_prefix}{person_pk:07d}",
                    name=names.person_name(rng),
                    unit_id=unit.pk,
                    department_id=department.pk if department else None,
                    title="工作人员",
                    sort_order=index + 1,
                    password=password_hash,
                )
            )
            person_pk += 1
        org.people.extend(staff)
        if staff:
            _hand_out_roles(org, unit, staff)
    return org


def _hand_out_roles(org: GeneratedOrg, unit: Unit, staff: list[Person]) -> None:
    signers = set()
    for index, (role, leader_kind) in enumerate(ROLE_ORDER):
        person = staff[index % len(staff)]
        if role == Role.SIGNER:
            if person.pk in signers:
                continue  # (person, unit, role) is unique: one signer grant per person
            signers.add(person.pk)
        org.roles.append(RoleAssignment(person_id=person.pk, unit_id=unit.pk, role=role, leader_kind=leader_kind))
        if role in STAFF_ROLES:
            person.is_staff = True
    staff[0].title = "主要负责人"
    if len(staff) > 1:
        staff[1].title = "收发员"


def next_primary_keys() -> tuple[int, int, int]:
    def next_pk(model) -> int:
        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    return next_pk(Unit), next_pk(Department), next_pk(Person)


def create(
    *,
    units: int,
    people: int,
    seed: int = 1,
    fonds_prefix: str = "G",
    password_hash: str = UNUSABLE_PASSWORD,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> GeneratedOrg:
    """Generate and insert an organisation after the rows already in the database."""
    with transaction.atomic():
        first_unit, first_department, first_person = next_primary_keys()
        org = generate(
            units=units,
            people=people,
            seed=seed,
            fonds_prefix=fonds_prefix,
            first_unit_pk=first_unit,
            first_department_pk=first_department,
            first_person_pk=first_person,
            password_hash=password_hash,
        )
        if progress:
            progress(
                f"已构造：单位 {len(org.units)}，内设机构 {len(org.departments)}，人员 {len(org.people)}，"
                f"角色 {len(org.roles)}"
            )
        write(org, batch_size=batch_size, progress=progress)
    return org


def write(org: GeneratedOrg, *, batch_size: int = 2000, progress: Callable[[str], None] | None = None) -> None:
    """Insert a generated organisation in one transaction and record one audit event for it."""
    progress = progress or (lambda message: None)
    fonds = [u.fonds_number for u in org.units]
    usernames = [p.username for p in org.people]
    with transaction.atomic():
        for start in range(0, len(fonds), 5000):
            clash = Unit.objects.filter(fonds_number__in=fonds[start : start + 5000]).values_list(
                "fonds_number", flat=True
            )[:1]
            if clash:
                raise ValueError(f"全宗号 {clash[0]} 已存在：请换一个 --fonds-prefix。")
        for start in range(0, len(usernames), 5000):
            clash = Person.objects.filter(username__in=usernames[start : start + 5000]).values_list(
                "username", flat=True
            )[:1]
            if clash:
                raise ValueError(f"用户名 {clash[0]} 已存在：请换一个 --fonds-prefix。")
        for label, model, rows in (
            ("单位", Unit, org.units),
            ("内设机构", Department, org.departments),
            ("人员", Person, org.people),
            ("角色分配", RoleAssignment, org.roles),
        ):
            for batch, start in enumerate(range(0, len(rows), batch_size), start=1):
                model.objects.bulk_create(rows[start : start + batch_size])
                done = min(start + batch_size, len(rows))
                if batch % 10 == 0 or done == len(rows):
                    progress(f"{label}：{done}/{len(rows)}")
        # Rows were inserted with explicit keys: move PostgreSQL's sequences past them (SQLite needs nothing).
        statements = connection.ops.sequence_reset_sql(no_style(), [Unit, Department, Person])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        record(
            SYSTEM_ACTOR,
            "org.generate",
            None,
            after={
                "units": len(org.units),
                "departments": len(org.departments),
                "people": len(org.people),
                "roles": len(org.roles),
                "root": org.units[0].fonds_number if org.units else "",
            },
            summary=f"生成测试组织机构：单位 {len(org.units)} 个，人员 {len(org.people)} 名",
        )
