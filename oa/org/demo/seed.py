"""Write the demo organisation idempotently: everything is keyed by 全宗号 and username and only what is
missing is created.

Units, double leadership, the 三员 and the delegation go through ``oa.org.services``, so the tree rules,
materialised paths and their audit events are the real ones.  Departments and the ~2,400 rank-and-file
people with their roles are inserted in bulk with one audit event per unit: one service call each (about
6,000 calls) made the seed take about a minute.
All demo accounts share one precomputed hash of the demo password (hashing it thousands of times with the
production hasher would take minutes too).
"""

from collections import Counter
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from oa.audit.services import record
from oa.org import services
from oa.org.auditing import SYSTEM_ACTOR
from oa.org.demo import DEMO_PASSWORD
from oa.org.demo.plan import DemoPlan, PersonSpec, build_plan
from oa.org.models import (
    THREE_ADMINS,
    Delegation,
    Department,
    LeaderKind,
    Person,
    Role,
    RoleAssignment,
    Unit,
    UnitGuidance,
)
from oa.permissions import STAFF_ROLES

_CHUNK = 500


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def seed(plan: DemoPlan | None = None, *, password: str = DEMO_PASSWORD, today: date | None = None) -> Counter:
    """Create whatever part of the demo organisation is missing. Returns counts of what was created."""
    plan = plan or build_plan()
    today = today or timezone.localdate()
    created: Counter = Counter()
    with transaction.atomic():
        units = _seed_units(plan, created)
        people = _seed_staff(plan, units, password, created)
        _seed_guidance(plan, units, created)
        _seed_delegations(plan, units, people, today, created)
        if created:
            record(
                SYSTEM_ACTOR,
                "org.demo.seed",
                None,
                after=dict(created),
                summary="载入演示组织机构数据：" + "，".join(f"{k} {v}" for k, v in sorted(created.items())),
            )
    return created


def _seed_units(plan: DemoPlan, created: Counter) -> dict[str, Unit]:
    wanted = [spec.fonds for spec in plan.units]
    units: dict[str, Unit] = {}
    for chunk in _chunks(wanted):
        units.update({u.fonds_number: u for u in Unit.objects.filter(fonds_number__in=chunk)})
    for spec in plan.units:  # parents come before their children in the plan
        if spec.fonds in units:
            continue
        units[spec.fonds] = services.create_unit(
            None,
            name=spec.name,
            short_name=spec.short_name,
            kind=spec.kind,
            level=spec.level,
            fonds_number=spec.fonds,
            parent=units[spec.parent] if spec.parent else None,
            code=spec.code,
            region=spec.region,
            sort_order=spec.sort_order,
        )
        created["units"] += 1
    return units


def _load_departments(units: dict[str, Unit]) -> dict[tuple[int, str], Department]:
    departments: dict[tuple[int, str], Department] = {}
    for chunk in _chunks([u.pk for u in units.values()]):
        departments.update({(d.unit_id, d.name): d for d in Department.objects.filter(unit_id__in=chunk)})
    return departments


def _bulk_departments(unit: Unit, unit_spec, departments) -> list[Department]:
    """A unit's missing departments; those nested under another one are created after their parent."""
    made = []
    for nested in (False, True):
        batch = [
            Department(
                unit=unit,
                name=dept.name,
                parent=departments[(unit.pk, dept.parent)] if dept.parent else None,
                sort_order=order,
            )
            for order, dept in enumerate(unit_spec.departments, start=1)
            if bool(dept.parent) == nested and (unit.pk, dept.name) not in departments
        ]
        if batch:
            Department.objects.bulk_create(batch)
            fresh = Department.objects.filter(unit=unit, name__in=[d.name for d in batch])
            departments.update({(d.unit_id, d.name): d for d in fresh})
            made.extend(batch)
    return made


def _seed_staff(plan: DemoPlan, units, password: str, created: Counter) -> dict[str, Person]:
    """Departments, people and their roles. The 三员 go through the services (their exclusivity and
    platform-unit rules are the point); everything else is inserted in bulk, one audit event per unit, after
    checking here the invariants the services would check (role held in the person's own unit, leader kind
    only for 签发人, department of the same unit)."""
    departments = _load_departments(units)
    usernames = [person.username for _, person in plan.people()]
    people: dict[str, Person] = {}
    for chunk in _chunks(usernames):
        people.update({p.username: p for p in Person.objects.filter(username__in=chunk)})
    held: set[tuple[int, int, str]] = set()
    for chunk in _chunks([p.pk for p in people.values()]):
        held.update(RoleAssignment.objects.filter(person_id__in=chunk).values_list("person_id", "unit_id", "role"))

    missing = [name for name in usernames if name not in people]
    # One hash for all new accounts, and none at all when nobody is new (the production hasher is slow).
    hashed = make_password(password) if missing else ""
    now = timezone.now()
    for unit_spec in plan.units:
        unit = units[unit_spec.fonds]
        bulk = [p for p in unit_spec.staff if not any(role in THREE_ADMINS for role, _ in p.roles)]
        admins = [p for p in unit_spec.staff if p not in bulk]
        new_departments = _bulk_departments(unit, unit_spec, departments)
        _bulk_people(unit, bulk, new_departments, departments, people, held, hashed, now, created)
        for spec in admins:
            _service_person(unit, spec, departments, people, held, hashed, now, created)
    return people


def _check_roles(spec: PersonSpec) -> None:
    for role, leader_kind in spec.roles:
        if (role == Role.SIGNER) != bool(leader_kind) or (leader_kind and leader_kind not in LeaderKind.values):
            raise ValueError(f"demo plan: bad leader kind for {spec.username} ({role}, {leader_kind!r})")
        if role in THREE_ADMINS:
            raise ValueError(f"demo plan: {spec.username} must get {role} through the services")


def _bulk_people(
    unit: Unit, specs: list[PersonSpec], new_departments, departments, people, held, hashed, now, created
) -> None:
    new_specs = [s for s in specs if s.username not in people]
    for spec in specs:
        _check_roles(spec)
    Person.objects.bulk_create(
        [
            Person(
                username=spec.username,
                name=spec.name,
                unit=unit,
                department=departments[(unit.pk, spec.department)] if spec.department else None,
                title=spec.title,
                phone=spec.phone,
                sort_order=spec.sort_order,
                password=hashed,
                password_changed_at=now,
                is_staff=any(role in STAFF_ROLES for role, _ in spec.roles),
            )
            for spec in new_specs
        ]
    )
    if new_specs:
        people.update({p.username: p for p in Person.objects.filter(username__in=[s.username for s in new_specs])})
    grants = [
        RoleAssignment(person=people[spec.username], unit=unit, role=role, leader_kind=leader_kind)
        for spec in specs
        for role, leader_kind in spec.roles
        # Someone an administrator has moved to another unit keeps what they have and gets nothing here.
        if people[spec.username].unit_id == unit.pk and (people[spec.username].pk, unit.pk, role) not in held
    ]
    RoleAssignment.objects.bulk_create(grants)
    held.update((g.person_id, unit.pk, g.role) for g in grants)
    # The staff flag follows the roles (as services.sync_staff_flag does) also for people created earlier.
    Person.objects.filter(pk__in={g.person_id for g in grants if g.role in STAFF_ROLES}, is_staff=False).update(
        is_staff=True
    )
    if not (new_departments or new_specs or grants):
        return
    created["departments"] += len(new_departments)
    created["people"] += len(new_specs)
    created["roles"] += len(grants)
    record(
        SYSTEM_ACTOR,
        "org.demo.seed_staff",
        unit,
        after={
            "departments": [d.name for d in new_departments],
            "people": [{"username": s.username, "name": s.name, "title": s.title} for s in new_specs],
            "roles": [{"person_id": g.person_id, "role": g.role, "leader_kind": g.leader_kind} for g in grants],
        },
        summary=f"演示数据：“{unit.name}”新设内设机构 {len(new_departments)} 个、新建人员 {len(new_specs)} 名、"
        f"授予角色 {len(grants)} 项",
    )


def _service_person(unit: Unit, spec: PersonSpec, departments, people, held, hashed, now, created) -> None:
    person = people.get(spec.username)
    if person is None:
        person = services.create_person(
            None,
            username=spec.username,
            name=spec.name,
            unit=unit,
            department=departments[(unit.pk, spec.department)] if spec.department else None,
            title=spec.title,
            phone=spec.phone,
            sort_order=spec.sort_order,
        )
        Person.objects.filter(pk=person.pk).update(password=hashed, password_changed_at=now)
        people[spec.username] = person
        created["people"] += 1
    elif person.role_assignments.filter(role__in=THREE_ADMINS).exists():
        return  # already a platform administrator (e.g. set up by bootstrap_admins): leave the 三员 alone
    for role, leader_kind in spec.roles:
        if (person.pk, unit.pk, role) in held:
            continue
        services.assign_role(None, person, unit, role, leader_kind)
        held.add((person.pk, unit.pk, role))
        created["roles"] += 1


def _seed_guidance(plan: DemoPlan, units, created: Counter) -> None:
    existing = set(UnitGuidance.objects.values_list("unit_id", "superior_id"))
    for link in plan.guidance:
        unit, superior = units[link.unit], units[link.superior]
        if (unit.pk, superior.pk) in existing:
            continue
        services.add_guidance(None, unit, superior, note=link.note)
        existing.add((unit.pk, superior.pk))
        created["guidance"] += 1


def _seed_delegations(plan: DemoPlan, units, people, today: date, created: Counter) -> None:
    for spec in plan.delegations:
        principal, deputy, unit = people[spec.principal], people[spec.deputy], units[spec.unit]
        # Any delegation of that role by the principal (even an old or revoked one) counts: re-seeding never
        # adds another, nor clashes with one set up by hand.
        if Delegation.objects.filter(principal=principal, unit=unit, role=spec.role).exists():
            continue
        if deputy.unit_id != unit.pk:
            continue  # the deputy has been moved to another unit since the first seed
        services.create_delegation(
            None,
            principal=principal,
            deputy=deputy,
            unit=unit,
            start_date=today,
            end_date=today + timedelta(days=spec.days),
            role=spec.role,
            reason=spec.reason,
        )
        created["delegations"] += 1
