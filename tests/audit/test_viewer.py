"""The audit trail viewer at /audit/: only the 审计管理员, filtered, paginated, itself audited."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from oa.audit.models import AuditEvent, Result, VerificationRun
from oa.audit.services import record
from tests.audit.conftest import login, tamper

URL = "/audit/"


def test_url_name():
    assert reverse("audit:trail") == URL


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["yj_staff", "sysadmin", "secadmin"])
def test_everyone_but_the_auditor_gets_403_in_chinese_and_the_attempt_is_recorded(client, personas, who):
    person = getattr(personas, who)
    response = login(client, person).get(URL, REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 403
    assert "只有审计管理员可以查看审计日志" in response.text
    denied = AuditEvent.objects.get(actor=person, result=Result.DENIED)
    assert denied.client_address == "10.20.30.40"
    assert login(client, person).post(reverse("audit:verify")).status_code == 403
    assert not VerificationRun.objects.exists()


def test_auditor_sees_events_and_viewing_is_audited_with_client_address(client, personas, events):
    response = login(client, personas.auditor).get(URL, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    assert "第3号测试事件" in response.text
    viewed = AuditEvent.objects.get(action="audit.view_trail")
    assert viewed.actor == personas.auditor
    assert viewed.actor_name == "孙审计"
    assert viewed.client_address == "192.0.2.7"
    assert "查看审计日志" in viewed.summary


def test_filters(client, personas, db):
    with time_machine.travel(datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC), tick=False):
        record("系统", "org.unit_create", None, summary="很久以前的操作")
    record(personas.yj_clerk, "todo.create", None, summary="周收发的操作")
    record(personas.yj_staff, "todo.complete", None, summary="王科员的操作", result=Result.FAILURE)
    login(client, personas.auditor)

    def shown(**params):
        text = client.get(URL, params).text
        return {s for s in ("周收发的操作", "王科员的操作", "很久以前的操作") if s in text}

    assert shown() == {"周收发的操作", "王科员的操作", "很久以前的操作"}
    assert shown(actor="周收发") == {"周收发的操作"}
    assert shown(action="todo.") == {"周收发的操作", "王科员的操作"}
    assert shown(result="failure") == {"王科员的操作"}
    today = timezone.localdate()
    assert shown(date_from=str(today), date_to=str(today)) == {"周收发的操作", "王科员的操作"}
    assert shown(date_from="2024-01-01", date_to="2024-01-31") == {"很久以前的操作"}
    assert shown(date_to="2024-01-09") == set()
    assert "起始日期不能晚于截止日期" in client.get(URL, {"date_from": str(today), "date_to": "2000-01-01"}).text


def test_object_filter(client, personas, db):
    record("系统", "org.unit_update", personas.yj_staff.unit, summary="改单位")
    record("系统", "org.unit_update", None, summary="无对象")
    login(client, personas.auditor)
    text = client.get(URL, {"object": "阳江市"}).text
    assert "改单位" in text and "无对象" not in text
    text = client.get(URL, {"object": str(personas.yj_staff.unit.pk)}).text
    assert "改单位" in text and "无对象" not in text


def test_pagination(client, personas, db):
    for i in range(60):
        record("系统", "test.bulk", None, summary=f"批量事件{i:02d}")
    login(client, personas.auditor)
    first = client.get(URL, {"action": "test.bulk"}).text
    assert "批量事件59" in first and "批量事件05" not in first
    second = client.get(URL, {"action": "test.bulk", "page": 2}).text
    assert "批量事件05" in second and "批量事件59" not in second
    assert "第 2 / 2 页" in second


def test_verify_now_runs_as_a_task_and_shows_the_result(client, personas, events, django_capture_on_commit_callbacks):
    login(client, personas.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:verify"))
    run = VerificationRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?run={run.pk}")
    run.refresh_from_db()
    assert run.status == VerificationRun.Status.INTACT
    assert "审计链完整" in run.message
    status = client.get(reverse("audit:verify_status", args=[run.pk])).json()
    assert status["finished"] and status["percent"] == 100 and status["status"] == "intact"
    page = client.get(response["Location"]).text
    assert "审计链完整" in page
    assert AuditEvent.objects.filter(action="audit.verify", actor=personas.auditor).exists()


def test_verify_now_names_the_first_broken_event(client, personas, events, django_capture_on_commit_callbacks):
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = 2", ["改"])
    login(client, personas.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("audit:verify"))
    run = VerificationRun.objects.get()
    assert run.status == VerificationRun.Status.BROKEN and run.first_broken_seq == 2
    assert "第 2 条" in client.get(URL).text


def test_running_verification_shows_progress(client, personas, events):
    login(client, personas.auditor)
    run = VerificationRun.objects.create(requested_by=personas.auditor, status="running", checked=2, total=8)
    page = client.get(URL, {"run": run.pk}).text
    assert "已校验 2 / 8 条" in page and 'data-status-url="/audit/verify/' in page
    assert client.get(reverse("audit:verify_status", args=[run.pk])).json()["percent"] == 25
