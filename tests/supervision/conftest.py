"""督办 personas on top of tests/conftest.py's org tree:

阳江市人民政府 (raising unit): sup 督查员 刘督查, yj_mayor 市长 (leader), yj_staff
阳江市教育局 (lead unit):        edu_clerk 收发员, edu_head 签发人, edu_staff 科员
江城区人民政府 (cooperating):     jc_clerk 收发员
揭阳市人民政府:                   jy_staff (outsider)
"""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from oa.org.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory

TZ = ZoneInfo("Asia/Shanghai")
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def at(year, month, day, hour=9):
    """Freeze local time (tick=False: every call sees the same instant)."""
    return time_machine.travel(datetime(year, month, day, hour, 0, tzinfo=TZ), tick=False)


def client_for(person) -> Client:
    client = Client()
    client.force_login(person, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def sv(personas, org_tree):
    def person(username, name, unit, role=None, **kwargs):
        p = PersonFactory(username=username, name=name, unit=unit)
        if role:
            RoleAssignmentFactory(person=p, unit=unit, role=role, **kwargs)
        return p

    return SimpleNamespace(
        tree=org_tree,
        p=personas,
        sup=person("sup", "刘督查", org_tree.yj_gov, Role.SUPERVISOR),
        mayor=personas.yj_mayor,
        yj_staff=personas.yj_staff,
        edu_clerk=person("edu_clerk", "黄收发", org_tree.yj_edu, Role.CLERK),
        edu_head=person("edu_head", "林局长", org_tree.yj_edu, Role.SIGNER),
        edu_staff=person("edu_staff", "何科员", org_tree.yj_edu),
        jc_clerk=person("jc_clerk", "罗收发", org_tree.jc_gov, Role.CLERK),
        outsider=personas.jy_staff,
    )


@pytest.fixture
def raise_for(sv):
    """Raise an item as the 督查员 with sensible defaults."""
    from oa.supervision import services

    def make(**overrides):
        values = {
            "title": "推进城区学校学位扩容",
            "instruction": "请市教育局牵头，江城区配合，十月底前拿出方案。",
            "source_kind": "instruction",
            "leader": sv.mayor,
            "lead_unit": sv.tree.yj_edu,
            "cooperating_units": [sv.tree.jc_gov],
            "deadline": date(2026, 10, 30),
        }
        values.update(overrides)
        return services.raise_item(sv.sup, **values)

    return make
