"""Django admin: who gets in, and saves going through the services (validation + audit)."""

import pytest

from oa.audit.models import AuditEvent
from oa.org.models import Level, Person, Role, RoleAssignment, Unit, UnitKind

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/org/unit/",
    "/admin/org/unit/add/",
    "/admin/org/department/",
    "/admin/org/person/",
    "/admin/org/person/add/",
    "/admin/org/roleassignment/",
    "/admin/org/delegation/",
    "/admin/org/unitguidance/",
]


def login(client, person):
    client.force_login(person)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_system_admin_opens_organisation_pages(client, personas, url):
    assert login(client, personas.sysadmin).get(url).status_code == 200


def test_unit_change_page_loads(client, personas, org_tree):
    response = login(client, personas.sysadmin).get(f"/admin/org/unit/{org_tree.yj_edu.pk}/change/")
    assert response.status_code == 200
    assert "阳江市教育局" in response.content.decode()


def test_person_change_page_loads(client, personas):
    response = login(client, personas.yj_admin).get(f"/admin/org/person/{personas.yj_staff.pk}/change/")
    assert response.status_code == 200


def test_security_admin_opens_the_role_pages_but_cannot_edit_units(client, personas, org_tree):
    login(client, personas.secadmin)
    assert client.get("/admin/org/roleassignment/add/").status_code == 200
    assert client.get("/admin/org/unit/").status_code == 200  # to pick units and people
    assert client.get("/admin/org/unit/add/").status_code == 403


def test_system_admin_cannot_open_the_role_grant_page(client, personas):
    assert login(client, personas.sysadmin).get("/admin/org/roleassignment/add/").status_code == 403


def test_audit_admin_sees_no_organisation_admin(client, personas):
    login(client, personas.auditor)
    assert client.get("/admin/org/unit/").status_code == 403
    assert client.get("/admin/org/person/").status_code == 403
    index = client.get("/admin/").content.decode()
    assert "/admin/org/unit/" not in index


def test_ordinary_people_are_sent_to_the_admin_login(client, personas):
    response = login(client, personas.yj_staff).get("/admin/org/unit/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_unit_admin_lists_only_their_subtree(client, personas, org_tree):
    body = login(client, personas.jc_admin).get("/admin/org/unit/").content.decode()
    assert "城北街道办事处" in body and "江城区人民政府" in body
    assert "揭阳市人民政府" not in body and "阳江市教育局" not in body
    assert client.get(f"/admin/org/unit/{org_tree.jy_gov.pk}/change/").status_code == 302  # not found → list


def test_adding_a_unit_goes_through_the_service(client, personas, org_tree):
    response = login(client, personas.sysadmin).post(
        "/admin/org/unit/add/",
        {
            "name": "阳江市财政局",
            "short_name": "市财政局",
            "code": "阳财",
            "kind": UnitKind.GOV_DEPARTMENT,
            "level": Level.CITY,
            "region": "",
            "fonds_number": "YJ-CZ",
            "parent": org_tree.yj_gov.pk,
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(fonds_number="YJ-CZ")
    assert unit.path == f"{org_tree.yj_gov.path}{unit.pk}/"
    assert AuditEvent.objects.filter(action="org.unit.create", actor=personas.sysadmin).exists()


def test_invalid_tree_shows_the_chinese_message_on_the_form(client, personas, org_tree):
    response = login(client, personas.sysadmin).post(
        "/admin/org/unit/add/",
        {
            "name": "某村委会",
            "short_name": "某村",
            "code": "",
            "kind": UnitKind.VILLAGE_COMMITTEE,
            "level": Level.VILLAGE,
            "region": "",
            "fonds_number": "V-1",
            "parent": org_tree.gd_gov.pk,
            "sort_order": 0,
        },
    )
    assert response.status_code == 200
    assert "层级跳跃" in response.content.decode()
    assert not Unit.objects.filter(fonds_number="V-1").exists()


def test_moving_a_unit_in_the_admin_rewrites_paths(client, personas, org_tree):
    login(client, personas.sysadmin)
    data = {
        "name": org_tree.jc_gov.name,
        "short_name": org_tree.jc_gov.short_name,
        "code": org_tree.jc_gov.code,
        "kind": org_tree.jc_gov.kind,
        "level": org_tree.jc_gov.level,
        "region": "",
        "fonds_number": org_tree.jc_gov.fonds_number,
        "parent": org_tree.jy_gov.pk,
        "sort_order": 0,
    }
    response = client.post(f"/admin/org/unit/{org_tree.jc_gov.pk}/change/", data)
    assert response.status_code == 302
    org_tree.village.refresh_from_db()
    assert org_tree.village.path.startswith(org_tree.jy_gov.path)


def test_units_cannot_be_deleted_in_the_admin_only_deactivated(client, personas, org_tree):
    login(client, personas.sysadmin)
    assert client.get(f"/admin/org/unit/{org_tree.village.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/org/unit/", {"action": "deactivate_units", "_selected_action": [org_tree.village.pk]}
    )
    assert response.status_code == 302
    org_tree.village.refresh_from_db()
    assert org_tree.village.is_active is False


def test_granting_in_the_admin_enforces_the_rules(client, personas, org_tree):
    login(client, personas.secadmin)
    response = client.post(
        "/admin/org/roleassignment/add/",
        {
            "person": personas.sysadmin.pk,
            "unit": org_tree.gd_data.pk,
            "role": Role.AUDIT_ADMIN,
            "leader_kind": "",
        },
    )
    assert response.status_code == 200 and "三员互斥" in response.content.decode()
    response = client.post(
        "/admin/org/roleassignment/add/",
        {
            "person": personas.yj_staff.pk,
            "unit": org_tree.yj_gov.pk,
            "role": Role.REVIEWER,
            "leader_kind": "",
        },
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(person=personas.yj_staff, role=Role.REVIEWER).exists()


def test_revoking_in_the_admin(client, personas, org_tree):
    assignment = personas.yj_clerk.role_assignments.get()
    login(client, personas.yj_admin)
    response = client.post(f"/admin/org/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="org.role.revoke", actor=personas.yj_admin).exists()


def test_adding_a_person_with_password_in_the_admin(client, personas, org_tree):
    login(client, personas.yj_admin)
    response = client.post(
        "/admin/org/person/add/",
        {
            "username": "zhangsan",
            "name": "张三",
            "unit": org_tree.yj_gov.pk,
            "department": personas.office.pk,
            "title": "科员",
            "phone": "",
            "sort_order": 0,
            "password1": "Yj-Gov-2025!x",
            "password2": "Yj-Gov-2025!x",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(username="zhangsan")
    assert person.check_password("Yj-Gov-2025!x") and person.department == personas.office
