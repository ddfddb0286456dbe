"""The demo organisation written by ``manage.py seed_demo``.

Seeding takes several seconds, so it runs once for this module inside a transaction that is rolled back at
the end (other test modules never see the demo data); each test still gets its own savepoint.
"""

import io
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from oa.audit.models import AuditEvent
from oa.org import tree
from oa.org.demo import DEMO_PASSWORD
from oa.org.demo.plan import UNIT_ROLES, build_plan
from oa.org.demo.seed import seed
from oa.org.models import (
    THREE_ADMINS,
    Delegation,
    Department,
    LeaderKind,
    Level,
    Person,
    Role,
    RoleAssignment,
    Unit,
    UnitGuidance,
    UnitKind,
)
from oa.org.services import effective_holders


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(seeded, db):
    return seeded


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Unit, Department, Person, RoleAssignment, UnitGuidance, Delegation, AuditEvent)
    }


def test_seed_creates_a_realistic_five_level_organisation(demo):
    assert demo["units"] >= 200 and demo["people"] >= 1000
    per_level = Counter(Unit.objects.values_list("level", flat=True))
    assert set(per_level) == set(Level.values)
    assert all(per_level[level] >= 20 for level in Level.values), per_level
    assert Person.objects.filter(unit__isnull=False).count() >= 1000
    names = set(Unit.objects.values_list("name", flat=True))
    for expected in (
        "中共广东省委员会",
        "广东省人民代表大会常务委员会",
        "广东省人民政府",
        "中国人民政治协商会议广东省委员会",
        "广东省政务服务数据管理局",
        "广东省教育厅",
        "广东省财政厅",
        "广东省地质局",
        "阳江市人民政府办公室",
        "阳江市教育局",
        "江城区教育局",
        "江海区人民政府",
        "阳江市公安局江城分局",
        "江城区南恩街道办事处",
        "江城区埠场镇人民政府",
        "揭阳市人民政府",
    ):
        assert expected in names, expected


def test_every_unit_sits_validly_in_the_tree(demo):
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        if parent is None:
            assert unit.level == Level.PROVINCE
            assert (unit.path, unit.depth) == (f"/{unit.pk}/", 0)
        else:
            assert parent.level <= unit.level <= parent.level + 1, unit.name
            assert unit.path == f"{parent.path}{unit.pk}/", unit.name
            assert unit.depth == parent.depth + 1
        assert (unit.kind == UnitKind.VILLAGE_COMMITTEE) == (unit.level == Level.VILLAGE), unit.name
    # Recomputing every path from the parent links changes nothing.
    assert tree.rebuild_paths() == 0
    # A village is five levels below the province: 广东省人民政府 → 阳江市 → 江城区 → 埠场镇 → 村.
    village = Unit.objects.filter(level=Level.VILLAGE, name__startswith="埠场镇").first()
    chain = [u.name for u in tree.ancestors(village)]
    assert chain == ["广东省人民政府", "阳江市人民政府", "江城区人民政府", "江城区埠场镇人民政府"]


def test_fonds_numbers_and_codes_follow_the_real_style(demo):
    assert Unit.objects.values("fonds_number").distinct().count() == Unit.objects.count()
    codes = dict(Unit.objects.values_list("name", "code"))
    assert codes["广东省人民政府"] == "粤府"
    assert codes["广东省人民政府办公厅"] == "粤府办"
    assert codes["阳江市人民政府"] == "阳府"
    assert codes["阳江市人民政府办公室"] == "阳府办"
    assert codes["阳江市教育局"] == "阳教"
    assert codes["江门市人民政府"] == "江府"
    assert codes["揭阳市人民政府"] == "揭府"


def test_double_leadership_links_city_and_county_departments_upwards(demo):
    yj_edu = Unit.objects.get(name="阳江市教育局")
    assert yj_edu.parent.name == "阳江市人民政府"
    assert list(yj_edu.superiors.values_list("name", flat=True)) == ["广东省教育厅"]
    jc_edu = Unit.objects.get(name="江城区教育局")
    assert list(jc_edu.superiors.values_list("name", flat=True)) == ["阳江市教育局"]
    # A branch of a city bureau answers to its city bureau in the tree and to the district locally.
    branch = Unit.objects.get(name="阳江市公安局江城分局")
    assert branch.parent.name == "阳江市公安局"
    assert list(branch.superiors.values_list("name", flat=True)) == ["江城区人民政府"]


def test_every_unit_has_people_for_every_document_role(demo):
    held = defaultdict(set)
    for unit_id, role, leader_kind, person_unit in RoleAssignment.objects.values_list(
        "unit_id", "role", "leader_kind", "person__unit_id"
    ):
        if role not in THREE_ADMINS:
            assert person_unit == unit_id  # roles are held in one's own unit
        held[unit_id].add((role, leader_kind))
    for unit in Unit.objects.all():
        roles = {role for role, _ in held[unit.pk]}
        assert set(UNIT_ROLES) <= roles, unit.name
        assert (Role.SIGNER, LeaderKind.PRINCIPAL) in held[unit.pk], unit.name
        assert (Role.SIGNER, LeaderKind.DEPUTY) in held[unit.pk], unit.name
    for office in Unit.objects.filter(name__endswith="人民政府办公室"):
        assert (Role.SUPERVISOR, "") in held[office.pk], office.name
    # Departments and titles are filled in.
    assert Department.objects.filter(name="办公室").count() > 100
    titles = set(Person.objects.values_list("title", flat=True))
    assert {"局长", "副局长", "办公室主任", "镇长", "村委会主任", "厅长", "市长"} <= titles


def test_three_platform_administrators_hold_exactly_one_role_each(demo):
    data_bureau = Unit.objects.get(name="广东省政务服务数据管理局")
    expected = {"sysadmin": Role.SYSTEM_ADMIN, "secadmin": Role.SECURITY_ADMIN, "auditadmin": Role.AUDIT_ADMIN}
    for username, role in expected.items():
        person = Person.objects.get(username=username)
        assert person.unit == data_bureau
        assert list(person.role_assignments.values_list("role", "unit_id")) == [(role, data_bureau.pk)]
        assert person.is_staff
    assert RoleAssignment.objects.filter(role__in=THREE_ADMINS).count() == 3


def test_the_delegation_example_is_in_force(demo):
    office = Unit.objects.get(name="阳江市人民政府办公室")
    delegation = Delegation.objects.get()
    assert (delegation.principal.username, delegation.deputy.username) == ("demo_leader", "demo_deputy")
    holders = {p.username for p in effective_holders(office, Role.SIGNER)}
    assert {"demo_leader", "demo_deputy"} <= holders


def test_names_are_plausible_chinese_names(demo):
    names = list(Person.objects.exclude(name="").values_list("name", flat=True))
    assert all(2 <= len(name) <= 4 for name in names)
    surnames = Counter(name[0] for name in names)
    assert surnames.most_common(1)[0][0] == "陈"  # the commonest surname in Guangdong
    assert len(set(names)) > len(names) * 0.6  # varied, though some repeat as in life


def test_demo_logins_sign_in_with_the_documented_password(demo):
    request = RequestFactory().post("/accounts/login/")
    for login in build_plan().demo_logins:
        person = Person.objects.get(username=login.username)
        validate_password(DEMO_PASSWORD, person)  # the documented password passes the policy
        assert authenticate(request, username=login.username, password=DEMO_PASSWORD) == person
    assert authenticate(request, username="demo_clerk", password="wrong-Password-1") is None
    # Rank-and-file demo people share the password too.
    assert Person.objects.filter(username__startswith="u441702_").first().check_password(DEMO_PASSWORD)


def test_demo_clerk_signs_in_through_the_login_page(demo, client):
    response = client.post("/accounts/login/", {"username": "demo_clerk", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"  # straight to the workbench, no forced password change
    assert client.session["_auth_user_id"] == str(Person.objects.get(username="demo_clerk").pk)


def test_seeding_again_changes_nothing(demo):
    before = _counts()
    roles_before = set(RoleAssignment.objects.values_list("person__username", "unit__fonds_number", "role"))
    assert seed() == Counter()
    assert _counts() == before
    assert set(RoleAssignment.objects.values_list("person__username", "unit__fonds_number", "role")) == roles_before


def test_seed_demo_command_reports_nothing_to_add_on_a_seeded_database(demo):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "无需新增" in out.getvalue()


def test_demo_logins_command_prints_url_and_accounts(demo):
    out = io.StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8000/", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    clerk = Person.objects.get(username="demo_clerk")
    for username in ("demo_clerk", "demo_leader", "demo_village", "sysadmin", "secadmin", "auditadmin"):
        assert username in text
    assert clerk.name in text and "阳江市人民政府办公室" in text and "收发员" in text
    assert DEMO_PASSWORD in text
    assert "代理" in text
