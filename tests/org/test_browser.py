"""Organisation browser: tree by level with lazy children, search, unit page; query counts pinned."""

import pytest
from django.utils import timezone

from oa.org import services
from oa.org.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse(client, personas):
    client.force_login(personas.yj_staff)
    return client


def test_browser_needs_login(client, org_tree):
    response = client.get("/org/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_browser_shows_roots_and_lazy_toggles(browse, org_tree):
    response = browse.get("/org/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "广东省人民政府" in body
    assert f'data-children-url="/org/units/{org_tree.gd_gov.pk}/children/"' in body
    assert "江城区人民政府" not in body and "阳江市教育局" not in body  # loaded on demand
    assert "org/tree.js" in body and "<script>" not in body and "style=" not in body


def test_children_fragment_groups_by_level(browse, org_tree):
    body = browse.get(f"/org/units/{org_tree.yj_gov.pk}/children/").content.decode()
    assert "<html" not in body
    assert (
        body.index("本级部门和单位")
        < body.index("阳江市教育局")
        < body.index("县(区)级")
        < body.index("江城区人民政府")
    )
    assert f'data-children-url="/org/units/{org_tree.jc_gov.pk}/children/"' in body
    leaf = browse.get(f"/org/units/{org_tree.cb_street.pk}/children/").content.decode()
    assert "北郊社区居民委员会" in leaf and "data-children-url" not in leaf


def test_search_by_name_short_name_and_code(browse, org_tree):
    body = browse.get("/org/", {"q": "阳府"}).content.decode()
    assert "阳江市人民政府" in body
    body = browse.get("/org/", {"q": "城北"}).content.decode()
    assert "城北街道办事处" in body and "省政府 › 阳江市政府 › 江城区政府" in body
    body = browse.get("/org/", {"q": "不存在的单位"}).content.decode()
    assert "没有找到" in body
    body = browse.get("/org/", {"level": "5"}).content.decode()
    assert "北郊社区居民委员会" in body and "江城区人民政府" not in body


def test_unit_page_shows_departments_people_roles_and_double_leadership(browse, personas, org_tree):
    body = browse.get(f"/org/units/{org_tree.yj_gov.pk}/").content.decode()
    for text in (
        "阳江市人民政府",
        "阳府",
        "办公室",
        "吴市长",
        "市长",
        "签发人·主要负责人",
        "签发人·分管领导",
        "收发员",
        "阳江市教育局",
        "江城区人民政府",
        "市",
    ):
        assert text in body, text
    edu = browse.get(f"/org/units/{org_tree.yj_edu.pk}/").content.decode()
    assert "双重领导" in edu and "广东省教育厅" in edu
    assert "省政府" in edu  # breadcrumb
    province_edu = browse.get(f"/org/units/{org_tree.gd_edu.pk}/").content.decode()
    assert "业务指导" in province_edu and "阳江市教育局" in province_edu


def test_unit_page_shows_todays_delegation(browse, personas, org_tree):
    today = timezone.localdate()
    services.create_delegation(
        None,
        principal=personas.yj_mayor,
        deputy=personas.yj_vice,
        unit=org_tree.yj_gov,
        start_date=today,
        end_date=today,
        reason="出差",
    )
    body = browse.get(f"/org/units/{org_tree.yj_gov.pk}/").content.decode()
    assert "郑副市长 代理 吴市长 行使签发人" in body


def test_manage_link_only_for_managers(client, personas, org_tree):
    client.force_login(personas.yj_staff)
    assert "/admin/org/unit/" not in client.get(f"/org/units/{org_tree.yj_gov.pk}/").content.decode()
    client.force_login(personas.yj_admin)
    assert (
        f"/admin/org/unit/{org_tree.yj_gov.pk}/change/"
        in client.get(f"/org/units/{org_tree.yj_gov.pk}/").content.decode()
    )


def test_unknown_unit_is_404(browse):
    assert browse.get("/org/units/999999/").status_code == 404
    assert browse.get("/org/units/999999/children/").status_code == 404


def test_unit_page_query_count_does_not_grow_with_people(browse, org_tree, personas, django_assert_max_num_queries):
    unit = org_tree.jc_gov
    dept = services.create_department(None, unit, "办公室")
    for i in range(40):
        person = PersonFactory(unit=unit, department=dept if i % 2 else None)
        if i % 5 == 0:
            RoleAssignmentFactory(person=person, role=Role.CLERK)
    for _ in range(30):
        UnitFactory(parent=unit)
    with django_assert_max_num_queries(16):
        response = browse.get(f"/org/units/{unit.pk}/")
    assert response.status_code == 200


def test_children_fragment_query_count_is_constant(browse, org_tree, django_assert_max_num_queries):
    for _ in range(60):
        UnitFactory(parent=org_tree.cb_street)
    with django_assert_max_num_queries(6):
        response = browse.get(f"/org/units/{org_tree.cb_street.pk}/children/")
    assert response.content.decode().count('class="tree-node') == 61
