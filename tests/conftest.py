import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Eager tasks run under Celery's process-global ``denied_join_result``; two threads running eager tasks
    at once (the concurrency tests) can restore it in the wrong order and leave it set, which makes every later
    ``.get()`` on an eager result refuse. Reset it after each test."""
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test runs its sockets on its own event loop. channels_redis keeps a receive lock per layer
    instance, bound to the loop that created it; a socket left open by an earlier test's (now dead) loop
    would keep it locked for every later test. A fresh layer per test, as each server process has one."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


# --- organisation personas (tests/factories.py) ---------------------------------------------------------
# A small real-shaped tree and the people every app's tests can use:
#   org_tree.gd_gov 广东省人民政府 ─┬─ gd_edu 广东省教育厅, gd_data 广东省政务服务和数据管理局 (runs the platform)
#                                  ├─ yj_gov 阳江市人民政府 ─┬─ yj_edu 阳江市教育局 (also guided by gd_edu)
#                                  │                          └─ jc_gov 江城区人民政府 ── cb_street 城北街道办事处
#                                  │                                                      └── village 北郊社区居民委员会
#                                  └─ jy_gov 揭阳市人民政府
#   personas: sysadmin / secadmin / auditor (三员, on gd_data), yj_admin (单位管理员 of 阳江市人民政府),
#   yj_clerk (收发员), yj_mayor (签发人·主要负责人), yj_vice (签发人·分管领导), yj_staff (no role),
#   jc_admin (单位管理员 of 江城区), jy_staff (揭阳, an outsider to 阳江).


@pytest.fixture
def org_tree(db):
    from types import SimpleNamespace

    from oa.org.models import Level, UnitGuidance, UnitKind
    from tests.factories import UnitFactory

    gov, dept = UnitKind.GOVERNMENT, UnitKind.GOV_DEPARTMENT
    gd_gov = UnitFactory(name="广东省人民政府", short_name="省政府", code="粤府", kind=gov)
    gd_edu = UnitFactory(
        name="广东省教育厅", short_name="省教育厅", code="粤教", kind=dept, parent=gd_gov, level=Level.PROVINCE
    )
    gd_data = UnitFactory(
        name="广东省政务服务和数据管理局",
        short_name="省政数局",
        code="粤政数",
        kind=dept,
        parent=gd_gov,
        level=Level.PROVINCE,
    )
    yj_gov = UnitFactory(name="阳江市人民政府", short_name="阳江市政府", code="阳府", kind=gov, parent=gd_gov)
    yj_edu = UnitFactory(
        name="阳江市教育局", short_name="市教育局", code="阳教", kind=dept, parent=yj_gov, level=Level.CITY
    )
    jc_gov = UnitFactory(name="江城区人民政府", short_name="江城区政府", code="江府", kind=gov, parent=yj_gov)
    cb_street = UnitFactory(name="城北街道办事处", short_name="城北街道", code="城北办", kind=gov, parent=jc_gov)
    village = UnitFactory(name="北郊社区居民委员会", short_name="北郊社区", code="北郊居", parent=cb_street)
    jy_gov = UnitFactory(name="揭阳市人民政府", short_name="揭阳市政府", code="揭府", kind=gov, parent=gd_gov)
    UnitGuidance.objects.create(unit=yj_edu, superior=gd_edu, note="业务指导")
    return SimpleNamespace(
        gd_gov=gd_gov,
        gd_edu=gd_edu,
        gd_data=gd_data,
        yj_gov=yj_gov,
        yj_edu=yj_edu,
        jc_gov=jc_gov,
        cb_street=cb_street,
        village=village,
        jy_gov=jy_gov,
    )


@pytest.fixture
def personas(org_tree):
    from types import SimpleNamespace

    from oa.org.models import LeaderKind, Role
    from tests.factories import DepartmentFactory, PersonFactory, RoleAssignmentFactory

    office = DepartmentFactory(unit=org_tree.yj_gov, name="办公室")

    def person(username, name, unit, role=None, title="科员", **role_kwargs):
        p = PersonFactory(
            username=username, name=name, unit=unit, title=title, department=office if unit == org_tree.yj_gov else None
        )
        if role:
            RoleAssignmentFactory(person=p, unit=unit, role=role, **role_kwargs)
            p.refresh_from_db()
        return p

    data = org_tree.gd_data
    return SimpleNamespace(
        office=office,
        sysadmin=person("sysadmin", "赵系统", data, Role.SYSTEM_ADMIN, title="系统管理员"),
        secadmin=person("secadmin", "钱安全", data, Role.SECURITY_ADMIN, title="安全管理员"),
        auditor=person("auditor", "孙审计", data, Role.AUDIT_ADMIN, title="审计管理员"),
        yj_admin=person("yj_admin", "李管理", org_tree.yj_gov, Role.UNIT_ADMIN, title="信息科科长"),
        yj_clerk=person("yj_clerk", "周收发", org_tree.yj_gov, Role.CLERK, title="收发员"),
        yj_mayor=person(
            "yj_mayor", "吴市长", org_tree.yj_gov, Role.SIGNER, title="市长", leader_kind=LeaderKind.PRINCIPAL
        ),
        yj_vice=person(
            "yj_vice", "郑副市长", org_tree.yj_gov, Role.SIGNER, title="副市长", leader_kind=LeaderKind.DEPUTY
        ),
        yj_staff=person("yj_staff", "王科员", org_tree.yj_gov),
        jc_admin=person("jc_admin", "冯区管理", org_tree.jc_gov, Role.UNIT_ADMIN, title="区府办副主任"),
        jy_staff=person("jy_staff", "陈揭阳", org_tree.jy_gov),
    )
