"""REST API: listing and filtering, details, changes through the services, Chinese 4xx, schema."""

import pytest

from oa.audit.models import AuditEvent
from oa.org.models import Level, Role, Unit, UnitKind
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, personas):
    client.force_login(personas.yj_staff)
    return client


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_anonymous_gets_403_in_chinese(client, org_tree):
    response = client.get("/api/units/")
    assert response.status_code == 403
    assert "登录" in response.json()["detail"] or "认证" in response.json()["detail"]


def test_unit_list_filters(api, org_tree):
    assert names(api.get("/api/units/", {"parent": "root"})) == ["广东省人民政府"]
    assert set(names(api.get("/api/units/", {"level": Level.CITY}))) == {
        "阳江市人民政府",
        "阳江市教育局",
        "揭阳市人民政府",
    }
    assert names(api.get("/api/units/", {"kind": UnitKind.VILLAGE_COMMITTEE})) == ["北郊社区居民委员会"]
    assert names(api.get("/api/units/", {"q": "阳府"})) == ["阳江市人民政府"]
    children = names(api.get("/api/units/", {"parent": org_tree.yj_gov.pk}))
    assert set(children) == {"阳江市教育局", "江城区人民政府"}
    row = api.get("/api/units/", {"q": "江城区"}).json()["results"][0]
    assert row["has_children"] is True and row["level_display"] == "县(区)" and row["path"] == org_tree.jc_gov.path


def test_bad_filter_value_is_a_400_not_a_500(api):
    response = api.get("/api/units/", {"level": "abc"})
    assert response.status_code == 400
    assert "不是有效的编号" in str(response.json())


def test_unit_detail_shows_ancestors_and_double_leadership(api, org_tree):
    body = api.get(f"/api/units/{org_tree.yj_edu.pk}/").json()
    assert [a["name"] for a in body["ancestors"]] == ["广东省人民政府", "阳江市人民政府"]
    assert [s["name"] for s in body["superiors"]] == ["广东省教育厅"]
    assert body["kind_display"] == "政府部门" and body["code"] == "阳教"


def test_unit_not_found_is_404_in_chinese(api):
    response = api.get("/api/units/999999/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_children_endpoint(api, org_tree):
    body = api.get(f"/api/units/{org_tree.cb_street.pk}/children/").json()
    assert [r["name"] for r in body["results"]] == ["北郊社区居民委员会"]


def test_create_unit_through_the_api(client, personas, org_tree):
    client.force_login(personas.sysadmin)
    response = client.post(
        "/api/units/",
        {
            "name": "阳江市财政局",
            "short_name": "市财政局",
            "code": "阳财",
            "kind": "gov_department",
            "level": 2,
            "fonds_number": "YJ-CZ",
            "parent": org_tree.yj_gov.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["path"] == f"{org_tree.yj_gov.path}{body['id']}/"
    assert AuditEvent.objects.filter(action="org.unit.create", object_id=str(body["id"])).exists()


def test_invalid_tree_is_a_400_with_the_chinese_reason(client, personas, org_tree):
    client.force_login(personas.sysadmin)
    response = client.post(
        "/api/units/",
        {
            "name": "某村委会",
            "short_name": "某村",
            "kind": "village_committee",
            "level": 5,
            "fonds_number": "V-1",
            "parent": org_tree.gd_gov.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "层级跳跃" in response.json()["detail"] and response.json()["field"] == "parent"


def test_missing_fields_are_a_400_in_chinese(client, personas):
    client.force_login(personas.sysadmin)
    response = client.post("/api/units/", {}, content_type="application/json")
    assert response.status_code == 400
    assert "该字段是必填项" in str(response.json())


def test_ordinary_person_cannot_create_units(api, org_tree):
    response = api.post(
        "/api/units/",
        {
            "name": "某局",
            "short_name": "某局",
            "kind": "gov_department",
            "level": 2,
            "fonds_number": "X-1",
            "parent": org_tree.yj_gov.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]
    assert not Unit.objects.filter(fonds_number="X-1").exists()


def test_patch_move_deactivate_through_the_api(client, personas, org_tree):
    client.force_login(personas.sysadmin)
    response = client.patch(
        f"/api/units/{org_tree.jc_gov.pk}/", {"short_name": "江城区府"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["short_name"] == "江城区府"
    response = client.post(
        f"/api/units/{org_tree.jc_gov.pk}/move/", {"parent": org_tree.jy_gov.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["path"] == f"{org_tree.jy_gov.path}{org_tree.jc_gov.pk}/"
    response = client.post(f"/api/units/{org_tree.jc_gov.pk}/deactivate/")
    assert response.status_code == 400 and "下级单位" in response.json()["detail"]
    response = client.post(f"/api/units/{org_tree.village.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = client.post(
        f"/api/units/{org_tree.jc_gov.pk}/move/", {"parent": org_tree.village.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "循环" in response.json()["detail"]


def test_put_is_not_offered(client, personas, org_tree):
    client.force_login(personas.sysadmin)
    assert client.put(f"/api/units/{org_tree.jc_gov.pk}/", {}, content_type="application/json").status_code == 405


def test_people_list_filter_detail_and_roles(api, personas, org_tree):
    body = api.get("/api/people/", {"unit": org_tree.yj_gov.pk}).json()
    assert {"吴市长", "周收发", "王科员"} <= set(r["name"] for r in body["results"])
    assert all(r["unit_name"] == "阳江市人民政府" for r in body["results"])
    assert [r["name"] for r in api.get("/api/people/", {"q": "副市长"}).json()["results"]] == ["郑副市长"]
    body = api.get("/api/people/", {"department": personas.office.pk}).json()
    assert body["count"] >= 1 and all(r["department_name"] == "办公室" for r in body["results"])
    detail = api.get(f"/api/people/{personas.yj_mayor.pk}/").json()
    assert detail["title"] == "市长" and "password" not in detail
    roles = api.get(f"/api/people/{personas.yj_mayor.pk}/roles/").json()
    assert roles == [
        {
            "id": roles[0]["id"],
            "unit": org_tree.yj_gov.pk,
            "unit_name": "阳江市人民政府",
            "role": Role.SIGNER,
            "role_display": "签发人",
            "leader_kind": "principal",
            "leader_kind_display": "主要负责人",
            "granted_at": roles[0]["granted_at"],
        }
    ]


def test_people_list_query_count_does_not_grow(api, org_tree, django_assert_max_num_queries):
    for _ in range(30):
        PersonFactory(unit=org_tree.jc_gov)
    with django_assert_max_num_queries(6):
        response = api.get("/api/people/", {"unit": org_tree.jc_gov.pk})
    assert response.json()["count"] >= 30


def test_departments_list(api, personas, org_tree):
    body = api.get("/api/departments/", {"unit": org_tree.yj_gov.pk}).json()
    assert [r["name"] for r in body["results"]] == ["办公室"]


def test_schema_endpoint(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/units/{id}/move/" in text and "机关代字" in text


def test_swagger_ui_is_served_offline(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "drf_spectacular_sidecar" in body and "cdn" not in body.lower()


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/units/" in out.read_text()
