"""The synthetic organisation generator behind ``manage.py generate_org`` and ``bench/org_tree.py``."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from oa.audit.models import AuditEvent
from oa.org import tree
from oa.org.demo import generator
from oa.org.models import Department, LeaderKind, Level, Person, Role, RoleAssignment, Unit, UnitKind


def _assert_valid_tree():
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        if parent is None:
            assert unit.level == Level.PROVINCE and unit.path == f"/{unit.pk}/" and unit.depth == 0
        else:
            assert parent.level <= unit.level <= parent.level + 1
            assert unit.path == f"{parent.path}{unit.pk}/" and unit.depth == parent.depth + 1
        assert (unit.kind == UnitKind.VILLAGE_COMMITTEE) == (unit.level == Level.VILLAGE)
    assert tree.rebuild_paths() == 0


@pytest.mark.parametrize("total", [5, 6, 37, 200, 2000, 20000])
def test_level_counts_cover_all_levels_and_add_up(total):
    counts = generator.level_counts(total)
    assert sum(counts) == total and all(c >= 1 for c in counts)


def test_fewer_than_five_units_cannot_cover_five_levels():
    with pytest.raises(ValueError):
        generator.level_counts(4)


def test_generation_is_deterministic_and_needs_no_database():
    first = generator.generate(units=120, people=300, seed=5)
    again = generator.generate(units=120, people=300, seed=5)
    other = generator.generate(units=120, people=300, seed=6)
    assert [(u.pk, u.name, u.path) for u in first.units] == [(u.pk, u.name, u.path) for u in again.units]
    assert [p.name for p in first.people] == [p.name for p in again.people]
    assert [p.name for p in first.people] != [p.name for p in other.people]


@pytest.mark.django_db
def test_small_generated_tree_is_valid_with_the_requested_counts():
    units_before, people_before = Unit.objects.count(), Person.objects.count()
    org = generator.create(units=150, people=400, seed=3, fonds_prefix="T")
    assert Unit.objects.count() - units_before == 150
    assert Person.objects.count() - people_before == 400
    assert Counter(Unit.objects.values_list("level", flat=True)) == Counter(
        dict(zip(Level.values, generator.level_counts(150), strict=True))
    )
    _assert_valid_tree()
    assert Department.objects.count() == len(org.departments) > 0
    # Every unit with people has a principal signer, held in its own unit.
    for unit in Unit.objects.filter(people__isnull=False).distinct():
        assert RoleAssignment.objects.filter(
            unit=unit, role=Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL, person__unit=unit
        ).exists()
    # Nobody can sign in as a generated person unless a password was asked for.
    assert not Person.objects.get(username="t" + f"{org.people[0].pk:07d}").has_usable_password()
    assert AuditEvent.objects.filter(action="org.generate").count() == 1


@pytest.mark.django_db
def test_generating_twice_appends_a_second_valid_tree_and_refuses_reused_prefix():
    generator.create(units=40, people=60, seed=1, fonds_prefix="A")
    generator.create(units=40, people=60, seed=1, fonds_prefix="B")
    assert Unit.objects.filter(parent__isnull=True).count() == 2
    _assert_valid_tree()
    with pytest.raises(ValueError, match="全宗号"):
        generator.create(units=40, people=60, seed=1, fonds_prefix="A")
    # New rows after bulk inserts with explicit keys still get fresh keys.
    unit = Unit.objects.create(name="新单位", short_name="新", kind=UnitKind.GOVERNMENT, level=1, fonds_number="X1")
    assert unit.pk > max(Unit.objects.exclude(pk=unit.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_generate_org_command_prints_progress_and_rejects_bad_sizes():
    out = io.StringIO()
    call_command("generate_org", "--units", "30", "--people", "50", "--seed", "2", "--fonds-prefix", "C", stdout=out)
    assert "完成" in out.getvalue() and "单位：30/30" in out.getvalue()
    assert Unit.objects.filter(fonds_number__startswith="C").count() == 30
    with pytest.raises(CommandError):
        call_command("generate_org", "--units", "3", "--people", "5", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command(
            "generate_org", "--units", "30", "--people", "5", "--fonds-prefix", "bad-prefix!", stdout=io.StringIO()
        )
