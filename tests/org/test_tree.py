"""Tree rules: which parent a unit may have, moves, double leadership, paths."""

import pytest

from oa.audit.models import AuditEvent
from oa.core.errors import ServiceError
from oa.org import services, tree
from oa.org.models import Level, Unit, UnitKind
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def make(parent=None, level=None, kind=UnitKind.GOVERNMENT, name="测试单位", actor=None):
    n = Unit.objects.count() + 1
    return services.create_unit(
        actor,
        name=f"{name}{n}",
        short_name=f"简{n}",
        kind=kind,
        level=level if level is not None else (parent.level + 1 if parent else Level.PROVINCE),
        fonds_number=f"F{n:04d}",
        parent=parent,
    )


def test_root_path_and_child_path_follow_the_contract():
    province = make()
    city = make(province)
    dept = make(city, level=Level.CITY, kind=UnitKind.GOV_DEPARTMENT)
    assert province.path == f"/{province.pk}/" and province.depth == 0
    assert city.path == f"/{province.pk}/{city.pk}/" and city.depth == 1
    assert dept.path == f"{city.path}{dept.pk}/" and dept.depth == 2
    assert tree.ancestor_ids(dept) == [province.pk, city.pk]


def test_full_five_level_chain_is_accepted():
    province = make()
    city = make(province)
    county = make(city)
    town = make(county)
    village = make(town, kind=UnitKind.VILLAGE_COMMITTEE)
    assert [u.level for u in (province, city, county, town, village)] == [1, 2, 3, 4, 5]
    assert list(tree.ancestors(village)) == [province, city, county, town]


def test_same_level_department_under_its_government_is_accepted():
    province = make()
    city = make(province)
    bureau = make(city, level=Level.CITY, kind=UnitKind.GOV_DEPARTMENT, name="阳江市教育局")
    assert bureau.parent == city and bureau.level == Level.CITY


def test_village_directly_under_the_province_is_refused():
    province = make()
    with pytest.raises(ServiceError) as exc:
        make(province, level=Level.VILLAGE, kind=UnitKind.VILLAGE_COMMITTEE)
    assert "层级跳跃" in exc.value.message and "村(居)级" in exc.value.message
    assert exc.value.field == "parent"
    assert Unit.objects.count() == 1


def test_higher_level_under_lower_level_is_refused():
    province = make()
    city = make(province)
    with pytest.raises(ServiceError, match="层级倒置"):
        make(city, level=Level.PROVINCE)


def test_only_province_units_may_be_roots():
    with pytest.raises(ServiceError, match="只有省级单位可以没有上级单位"):
        make(None, level=Level.CITY)


def test_village_committee_kind_outside_village_level_is_refused():
    province = make()
    with pytest.raises(ServiceError, match="村\\(居\\)委会只能设在村\\(居\\)级"):
        make(province, level=Level.CITY, kind=UnitKind.VILLAGE_COMMITTEE)


def test_inactive_parent_is_refused():
    province = make()
    city = make(province)
    services.deactivate_unit(None, city)
    with pytest.raises(ServiceError, match="已停用"):
        make(city)


def test_duplicate_fonds_number_is_refused():
    province = make()
    with pytest.raises(ServiceError, match="全宗号"):
        services.create_unit(
            None,
            name="另一个",
            short_name="另",
            kind=UnitKind.GOVERNMENT,
            level=Level.PROVINCE,
            fonds_number=province.fonds_number,
        )


def test_moving_a_unit_under_its_own_descendant_is_refused():
    province = make()
    city = make(province)
    county = make(city)
    town = make(county)
    with pytest.raises(ServiceError, match="循环"):
        services.move_unit(None, county, town)
    with pytest.raises(ServiceError, match="不能隶属于自己"):
        services.move_unit(None, county, county)
    county.refresh_from_db()
    assert county.parent == city


def test_move_rewrites_the_whole_subtree_and_is_audited():
    province = make()
    yangjiang = make(province, name="阳江市")
    jieyang = make(province, name="揭阳市")
    county = make(yangjiang)
    town = make(county)
    village = make(town, kind=UnitKind.VILLAGE_COMMITTEE)

    services.move_unit(None, county, jieyang)

    for unit in (county, town, village):
        unit.refresh_from_db()
    assert county.parent == jieyang
    assert county.path == f"{jieyang.path}{county.pk}/"
    assert town.path == f"{county.path}{town.pk}/"
    assert village.path == f"{town.path}{village.pk}/"
    assert (county.depth, town.depth, village.depth) == (2, 3, 4)
    assert set(tree.descendants(yangjiang)) == set()
    assert set(tree.descendants(jieyang)) == {county, town, village}
    event = AuditEvent.objects.filter(action="org.unit.move").get()
    assert event.actor_name == "系统"
    assert event.before["parent_id"] == yangjiang.pk and event.after["parent_id"] == jieyang.pk


def test_move_to_a_level_that_does_not_fit_is_refused():
    province = make()
    city = make(province)
    county = make(city)
    other_province = make()
    with pytest.raises(ServiceError, match="层级跳跃"):
        services.move_unit(None, county, other_province)


def test_level_change_must_keep_children_valid():
    province = make()
    city = make(province)
    make(city)  # a county
    with pytest.raises(ServiceError, match="下级单位"):
        services.update_unit(None, city, level=Level.PROVINCE)


def test_double_leadership_to_a_higher_level_department():
    province = make()
    edu_dept = make(province, level=Level.PROVINCE, kind=UnitKind.GOV_DEPARTMENT, name="广东省教育厅")
    city = make(province)
    city_edu = make(city, level=Level.CITY, kind=UnitKind.GOV_DEPARTMENT, name="阳江市教育局")
    link = services.add_guidance(None, city_edu, edu_dept, note="业务指导")
    assert list(city_edu.superiors.all()) == [edu_dept]
    assert link.note == "业务指导"
    assert AuditEvent.objects.filter(action="org.guidance.add").exists()


def test_double_leadership_refusals():
    province = make()
    edu_dept = make(province, level=Level.PROVINCE, kind=UnitKind.GOV_DEPARTMENT)
    city = make(province)
    city_edu = make(city, level=Level.CITY, kind=UnitKind.GOV_DEPARTMENT)
    county = make(city)
    other_city_dept = make(city, level=Level.CITY, kind=UnitKind.GOV_DEPARTMENT)

    with pytest.raises(ServiceError, match="自己"):
        services.add_guidance(None, city_edu, city_edu)
    with pytest.raises(ServiceError, match="同级或更高层级"):
        services.add_guidance(None, city_edu, county)
    with pytest.raises(ServiceError, match="隶属上级"):
        services.add_guidance(None, city_edu, city)
    with pytest.raises(ServiceError, match="下级单位"):
        services.add_guidance(None, city, city_edu)
    services.add_guidance(None, city_edu, other_city_dept)
    with pytest.raises(ServiceError, match="循环"):
        services.add_guidance(None, other_city_dept, city_edu)
    services.add_guidance(None, city_edu, edu_dept)
    with pytest.raises(ServiceError, match="已接受"):
        services.add_guidance(None, city_edu, edu_dept)


def test_rebuild_paths_repairs_bulk_loaded_units():
    province = UnitFactory()
    city = Unit.objects.create(
        name="市", short_name="市", kind=UnitKind.GOVERNMENT, level=Level.CITY, fonds_number="B1", parent=province
    )
    county = Unit.objects.create(
        name="县", short_name="县", kind=UnitKind.GOVERNMENT, level=Level.COUNTY, fonds_number="B2", parent=city
    )
    assert tree.rebuild_paths() == 2
    county.refresh_from_db()
    assert county.path == f"/{province.pk}/{city.pk}/{county.pk}/" and county.depth == 2
    assert tree.rebuild_paths() == 0
