"""The demo plan is pure data: deterministic, keyed uniquely, and shaped so the seeder can write it."""

import io
import random
from collections import Counter

import pytest
from django.core.management import call_command

from oa.org.demo import names
from oa.org.demo.plan import UNIT_ROLES, build_plan
from oa.org.models import Level


def test_plan_is_deterministic_for_a_seed():
    first, second = build_plan(7), build_plan(7)
    assert [(u.fonds, u.name) for u in first.units] == [(u.fonds, u.name) for u in second.units]
    assert [(p.username, p.name, p.phone) for _, p in first.people()] == [
        (p.username, p.name, p.phone) for _, p in second.people()
    ]


def test_another_seed_changes_names_but_not_keys():
    first, other = build_plan(7), build_plan(8)
    assert [u.fonds for u in first.units] == [u.fonds for u in other.units]
    # Villages' made-up names follow the seed; people's names too.
    assert [p.name for _, p in first.people()] != [p.name for _, p in other.people()]


def test_keys_are_unique_and_parents_come_first():
    plan = build_plan()
    fonds = [u.fonds for u in plan.units]
    assert len(fonds) == len(set(fonds))
    usernames = [p.username for _, p in plan.people()]
    assert len(usernames) == len(set(usernames))
    seen = set()
    for unit in plan.units:
        assert unit.parent is None or unit.parent in seen, unit.name
        seen.add(unit.fonds)
        assert len(unit.fonds) <= 20 and len(unit.short_name) <= 40 and len(unit.code) <= 20


def test_every_planned_unit_staffs_every_document_role():
    for unit in build_plan().units:
        roles = Counter(role for person in unit.staff for role, _ in person.roles)
        assert set(UNIT_ROLES) <= set(roles), unit.name
        departments = {d.name for d in unit.departments}
        assert all(p.department is None or p.department in departments for p in unit.staff), unit.name


def test_plan_covers_the_places_of_our_plans():
    plan = build_plan()
    by_level = Counter(u.level for u in plan.units)
    assert set(by_level) == set(Level.values) and sum(by_level.values()) >= 200
    names_ = {u.name for u in plan.units}
    streets = {"南恩街道", "城南街道", "城北街道", "城东街道", "城西街道", "中洲街道", "岗列街道", "白沙街道"}
    assert {f"江城区{s}办事处" for s in streets} <= names_
    assert {"江城区埠场镇人民政府", "江城区双捷镇人民政府"} <= names_
    assert {f"江海区{s}办事处" for s in ("江南街道", "外海街道", "礼乐街道")} <= names_
    assert {"阳东区人民政府", "阳西县人民政府", "阳春市人民政府", "蓬江区人民政府"} <= names_
    assert "中共江门高新区工作委员会" in names_


def test_surnames_follow_guangdong_frequencies():
    rng = random.Random(1)
    drawn = Counter(names.surname(rng) for _ in range(5000))
    top = [s for s, _ in drawn.most_common(3)]
    assert top[0] == "陈" and set(top) <= {"陈", "李", "黄"}
    given = [names.given_name(rng) for _ in range(1000)]
    assert all(1 <= len(g) <= 2 for g in given)
    assert any(len(g) == 1 for g in given) and any(len(g) == 2 for g in given)


@pytest.mark.django_db
def test_demo_logins_command_without_demo_data_says_how_to_load_it():
    out = io.StringIO()
    call_command("demo_logins", "--url", "http://localhost:8000/", stdout=out)
    assert "http://localhost:8000/" in out.getvalue()
    assert "seed_demo" in out.getvalue()
