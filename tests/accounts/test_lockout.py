"""Five failures lock an account for 30 minutes; the 安全管理员 can lift the lock earlier."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from oa.accounts import lockout
from oa.audit.models import Result

WRONG = "Wrong-Passw0rd!"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def fail(attempt, username, times, address="10.20.30.40"):
    responses = [attempt(username, WRONG, address=address) for _ in range(times)]
    return responses[-1]


def test_fifth_failure_locks_the_account_and_says_for_how_long(personas, attempt, events, clock):
    last_before_lock = fail(attempt, "yj_staff", 4)
    assert last_before_lock.status_code == 200

    response = attempt("yj_staff", WRONG)
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已锁定" in body and "30 分钟" in body and "安全管理员" in body

    (locked,) = events("account_locked")
    assert locked.object_id == str(personas.yj_staff.pk)
    assert locked.client_address == "10.20.30.40"
    assert len(events("login_failed")) == 5


def test_locked_account_refuses_even_the_right_password_and_audits_it(personas, client, attempt, events, clock):
    fail(attempt, "yj_staff", 5)
    clock.shift(timedelta(minutes=10))
    response = attempt("yj_staff")  # correct password
    assert response.status_code == 429
    assert "20 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refused = events("login_failed")[-1]
    assert refused.result == Result.DENIED and "锁定" in refused.summary
    assert len(events("account_locked")) == 1  # locking is recorded once, not on every refused attempt


def test_lock_is_per_username_whatever_the_address(personas, attempt, clock):
    for i in range(5):
        attempt("yj_staff", WRONG, address=f"10.0.0.{i + 1}")
    assert attempt("yj_staff", address="10.0.0.99").status_code == 429
    # another account behind the same address is unaffected
    assert attempt("yj_clerk", address="10.0.0.1").status_code == 302


def test_lock_ends_after_thirty_minutes(personas, attempt, clock):
    fail(attempt, "yj_staff", 5)
    clock.shift(timedelta(minutes=29))
    assert attempt("yj_staff").status_code == 429
    clock.shift(timedelta(minutes=1, seconds=1))
    assert attempt("yj_staff").status_code == 302


def test_attempts_while_locked_do_not_extend_the_lock(personas, attempt, clock):
    fail(attempt, "yj_staff", 5)
    clock.shift(timedelta(minutes=20))
    fail(attempt, "yj_staff", 3)
    clock.shift(timedelta(minutes=10, seconds=1))
    assert attempt("yj_staff").status_code == 302


def test_success_resets_the_failure_count(personas, client, attempt, clock):
    fail(attempt, "yj_staff", 4)
    assert attempt("yj_staff").status_code == 302
    client.post("/accounts/logout/")
    fail(attempt, "yj_staff", 4)
    assert attempt("yj_staff").status_code == 302


def test_security_admin_unlocks_an_account(personas, client, attempt, events, clock):
    fail(attempt, "yj_staff", 5)
    client.force_login(personas.secadmin)
    page = client.get("/accounts/admin/security/")
    assert page.status_code == 200
    assert "yj_staff" in page.content.decode()

    response = client.post("/accounts/admin/security/unlock/", {"username": "yj_staff"}, follow=True)
    assert "已解锁账号" in response.content.decode()
    (unlocked,) = events("account_unlocked")
    assert unlocked.actor_id == personas.secadmin.pk
    assert unlocked.object_id == str(personas.yj_staff.pk)
    assert not lockout.lock_status("yj_staff").locked

    client.logout()
    assert attempt("yj_staff").status_code == 302


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "yj_admin"])
def test_only_the_security_admin_can_unlock(personas, client, attempt, events, clock, who):
    fail(attempt, "yj_staff", 5)
    client.force_login(getattr(personas, who))
    response = client.post("/accounts/admin/security/unlock/", {"username": "yj_staff"})
    assert response.status_code == 403
    assert lockout.lock_status("yj_staff").locked
    assert not events("account_unlocked")
    assert events(result=Result.DENIED, actor=getattr(personas, who))


def test_unlocking_an_account_that_is_not_locked_says_so(personas, client):
    client.force_login(personas.secadmin)
    response = client.post("/accounts/admin/security/unlock/", {"username": "yj_staff"}, follow=True)
    assert "当前未被锁定" in response.content.decode()


def test_one_address_trying_many_usernames_is_stopped(personas, settings, attempt, events, clock):
    settings.LOCKOUT_ADDRESS_FAILURES = 6
    for name in ["yj_staff", "yj_clerk", "yj_mayor", "yj_vice", "jc_admin", "jy_staff"]:
        attempt(name, WRONG, address="10.66.66.66")
    response = attempt("yj_admin", address="10.66.66.66")  # right password, but the address is spraying
    assert response.status_code == 429
    assert "地址登录失败次数过多" in response.content.decode()
    assert events("login_failed")[-1].result == Result.DENIED
    # other addresses are not affected
    assert attempt("yj_admin", address="10.1.1.1").status_code == 302


def test_lock_status_counts_rows_from_several_clients(personas, attempt, clock):
    attempt("yj_staff", WRONG, address="10.0.0.1")
    attempt("yj_staff", WRONG, address="10.0.0.1")
    clock.shift(timedelta(minutes=10))
    for _ in range(3):
        attempt("yj_staff", WRONG, address="10.0.0.2")
    status = lockout.lock_status("yj_staff")
    assert status.locked and status.failures == 5
    # the two early failures leave the window 30 minutes after they happened, which ends the lock
    assert status.unlock_at == timezone.now() - timedelta(minutes=10) + timedelta(minutes=30)
    clock.shift(timedelta(minutes=20, seconds=1))
    assert not lockout.lock_status("yj_staff").locked


def test_pruning_keeps_what_lockout_still_needs(personas, attempt, clock):
    from oa.accounts.tasks import prune_login_records

    fail(attempt, "yj_staff", 5)
    prune_login_records()
    assert lockout.lock_status("yj_staff").locked
    clock.shift(timedelta(minutes=31))
    result = prune_login_records()
    assert result["attempts"] >= 1 and result["failure_logs"] == 0
    clock.shift(timedelta(days=181))
    assert prune_login_records()["failure_logs"] == 5
