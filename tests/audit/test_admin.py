"""The Django admin shows the audit tables read-only, and only to the 审计管理员."""

import pytest
from django.contrib.admin.sites import site

from oa.audit.models import AuditEvent, Checkpoint, VerificationRun
from oa.audit.services import record
from tests.audit.conftest import login


@pytest.fixture
def staff_auditor(personas):
    auditor = personas.auditor
    auditor.is_staff = True
    auditor.save()
    return auditor


@pytest.fixture
def superuser(personas):
    admin = personas.sysadmin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


def test_nobody_may_add_change_or_delete_not_even_a_superuser_auditor(rf, staff_auditor):
    staff_auditor.is_superuser = True
    staff_auditor.save()
    request = rf.get("/")
    request.user = staff_auditor
    for model in (AuditEvent, Checkpoint, VerificationRun):
        model_admin = site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        assert not model_admin.get_actions(request)


def test_auditor_lists_filters_and_searches_events_in_admin(client, staff_auditor, db):
    record("张三", "todo.create", None, summary="张三成功的操作")
    record("张三", "todo.complete", None, summary="张三失败的操作", result="failure")
    record("李四", "todo.create", None, summary="李四的操作")
    login(client, staff_auditor)
    response = client.get("/admin/audit/auditevent/", {"q": "张三", "result__exact": "success"})
    assert response.status_code == 200
    assert "张三成功的操作" in response.text
    assert "张三失败的操作" not in response.text and "李四的操作" not in response.text
    by_action = client.get("/admin/audit/auditevent/", {"action__exact": "todo.complete"}).text
    assert "张三失败的操作" in by_action and "李四的操作" not in by_action
    assert AuditEvent.objects.filter(action="audit.view_trail", actor=staff_auditor).exists()


def test_admin_change_and_delete_pages_refuse_writes(client, staff_auditor, events):
    login(client, staff_auditor)
    event = AuditEvent.objects.get(seq=1)
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    page = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"summary": "改"}).status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(seq=1).summary == "第1号测试事件"


def test_superuser_who_is_not_auditor_does_not_see_the_trail_in_admin(client, superuser, events):
    login(client, superuser)
    assert client.get("/admin/audit/auditevent/").status_code == 403
    assert "/admin/audit/" not in client.get("/admin/").text
