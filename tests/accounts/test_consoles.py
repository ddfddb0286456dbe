"""三员: three consoles, each open to its own role only; the superuser flag opens none of them."""

import pytest

from oa.audit.models import Result
from oa.org.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory

CONSOLES = {
    "sysadmin": "/accounts/admin/system/",
    "secadmin": "/accounts/admin/security/",
    "auditor": "/accounts/admin/audit/",
}


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor", "yj_admin", "yj_staff"])
@pytest.mark.parametrize("owner, url", list(CONSOLES.items()))
def test_each_console_is_open_to_its_role_only(personas, client, events, who, owner, url):
    client.force_login(getattr(personas, who))
    response = client.get(url)
    if who == owner:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        body = response.content.decode()
        assert "无权访问" in body and "三员" in body
        refused = events(result=Result.DENIED)[-1]
        assert refused.actor_id == getattr(personas, who).pk
        assert url in refused.summary


def test_consoles_need_a_signed_in_user(db, client):
    for url in CONSOLES.values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_superuser_flag_opens_no_console(personas, client):
    root = PersonFactory(username="root", unit=personas.sysadmin.unit, is_superuser=True, is_staff=True)
    client.force_login(root)  # cannot sign in through the login page at all; even with a session:
    for url in CONSOLES.values():
        assert client.get(url).status_code == 403


def test_security_console_flags_broken_separation(personas, client):
    RoleAssignmentFactory(person=personas.sysadmin, role=Role.AUDIT_ADMIN)
    PersonFactory(username="root", is_superuser=True)
    client.force_login(personas.secadmin)
    body = client.get("/accounts/admin/security/").content.decode()
    assert "违反三员分立" in body and "sysadmin" in body
    assert "超级用户标志" in body and "root" in body


def test_security_console_lists_three_admins_and_recent_failures(personas, client, attempt):
    attempt("yj_staff", "Wrong-Passw0rd!", address="10.3.3.3")
    client.force_login(personas.secadmin)
    body = client.get("/accounts/admin/security/").content.decode()
    for name in ("sysadmin", "secadmin", "auditor"):
        assert name in body
    assert "10.3.3.3" in body


def test_system_console_lists_and_finds_accounts(personas, client):
    client.force_login(personas.sysadmin)
    body = client.get("/accounts/admin/system/").content.decode()
    assert "yj_staff" in body and "jy_staff" in body
    assert "AnonymousUser" not in body  # django-guardian's placeholder row is nobody's account
    assert f"/people/{personas.yj_staff.pk}/active/" in body
    assert f"/people/{personas.auditor.pk}/active/" not in body  # 三员 accounts: the 安全管理员's business
    body = client.get("/accounts/admin/system/", {"q": "揭阳"}).content.decode()
    assert "jy_staff" in body and "yj_staff" not in body


def test_system_admin_disables_and_reenables_an_account(personas, client, attempt, events):
    client.force_login(personas.sysadmin)
    url = f"/accounts/admin/system/people/{personas.yj_staff.pk}/active/"
    response = client.post(url, {"active": "0"}, follow=True)
    assert "已停用" in response.content.decode()
    personas.yj_staff.refresh_from_db()
    assert not personas.yj_staff.is_active
    assert events("org.person.deactivate")

    assert attempt("yj_staff", c=client.__class__()).status_code == 200  # cannot sign in any more

    client.post(url, {"active": "1"})
    personas.yj_staff.refresh_from_db()
    assert personas.yj_staff.is_active


def test_system_admin_cannot_disable_another_administrator(personas, client):
    client.force_login(personas.sysadmin)
    response = client.post(f"/accounts/admin/system/people/{personas.auditor.pk}/active/", {"active": "0"}, follow=True)
    assert "安全管理员" in response.content.decode()
    personas.auditor.refresh_from_db()
    assert personas.auditor.is_active


def test_disabling_is_refused_to_other_roles(personas, client):
    client.force_login(personas.secadmin)
    response = client.post(f"/accounts/admin/system/people/{personas.yj_staff.pk}/active/", {"active": "0"})
    assert response.status_code == 403
    personas.yj_staff.refresh_from_db()
    assert personas.yj_staff.is_active


def test_audit_console_links_to_the_trail(personas, client):
    client.force_login(personas.auditor)
    body = client.get("/accounts/admin/audit/").content.decode()
    assert "审计日志" in body
    assert "任何设置都不能关闭审计" in body


def test_consoles_for_gives_each_admin_exactly_their_own(personas):
    from oa.accounts.views import consoles_for

    assert [c["url"] for c in consoles_for(personas.sysadmin)] == ["/accounts/admin/system/"]
    assert [c["label"] for c in consoles_for(personas.secadmin)] == ["安全管理员"]
    assert [c["key"] for c in consoles_for(personas.auditor)] == ["audit"]
    assert consoles_for(personas.yj_admin) == []
