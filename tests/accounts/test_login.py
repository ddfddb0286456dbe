"""Sign in and out: pages in Chinese, every outcome audited with the client address."""

from oa.audit.models import Result
from tests.factories import PASSWORD, PersonFactory


def test_login_page_is_chinese_and_served_without_inline_code(client, login_url):
    response = client.get(login_url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户登录" in body and "用户名" in body and "密码" in body
    assert "<script>" not in body and "style=" not in body  # CSP forbids inline code
    assert "accounts/accounts.css" in body


def test_successful_login_is_audited_with_client_address(personas, attempt, events):
    response = attempt("yj_staff", address="10.1.2.3")
    assert response.status_code == 302
    assert response["Location"] == "/"
    (event,) = events("login")
    assert event.actor_id == personas.yj_staff.pk
    assert event.client_address == "10.1.2.3"
    assert event.result == Result.SUCCESS


def test_wrong_password_is_refused_and_audited(client, personas, attempt, events):
    response = attempt("yj_staff", "Wrong-Passw0rd!", address="10.9.9.9")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    (event,) = events("login_failed")
    assert event.actor_id is None  # nobody proved to be yj_staff
    assert event.actor_name == "yj_staff"
    assert event.object_id == str(personas.yj_staff.pk)
    assert event.client_address == "10.9.9.9"
    assert event.result == Result.FAILURE
    assert "密码错误" in event.summary
    assert not events("login")


def test_unknown_username_is_audited_with_the_same_message_to_the_user(db, attempt, events):
    response = attempt("nobody-here", "Whatever-123!")
    assert "用户名或密码不正确" in response.content.decode()
    (event,) = events("login_failed")
    assert event.actor_name == "nobody-here"
    assert "账号不存在" in event.summary


def test_disabled_account_cannot_sign_in(personas, attempt, events):
    personas.yj_staff.is_active = False
    personas.yj_staff.save(update_fields=["is_active"])
    response = attempt("yj_staff")
    assert response.status_code == 200
    (event,) = events("login_failed")
    assert "停用" in event.summary


def test_superuser_flag_cannot_be_used_to_sign_in(db, client, attempt, events):
    PersonFactory(username="root", is_superuser=True, is_staff=True)
    response = attempt("root")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    (event,) = events("login_failed")
    assert event.result == Result.DENIED
    assert "超级用户" in event.summary


def test_superuser_cannot_sign_in_through_the_django_admin_either(db, client, events):
    PersonFactory(username="root", is_superuser=True, is_staff=True)
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert len(events("login_failed")) == 1


def test_next_parameter_is_followed_only_within_the_site(personas, client, login_url):
    response = client.post(login_url + "?next=/todo/", {"username": "yj_staff", "password": PASSWORD, "next": "/todo/"})
    assert response["Location"] == "/todo/"
    client.post("/accounts/logout/")
    response = client.post(login_url, {"username": "yj_staff", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_logout_requires_post_and_closes_the_session(personas, client, attempt, events):
    attempt("yj_staff")
    assert client.get("/").status_code == 200

    response = client.get("/accounts/logout/")  # a link or an <img> must not sign anyone out
    assert response.status_code == 200
    assert "确定要退出登录吗" in response.content.decode()
    assert client.get("/").status_code == 200
    assert not events("logout")

    response = client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302
    (event,) = events("logout")
    assert event.actor_id == personas.yj_staff.pk
    assert event.client_address == "10.1.2.3"
    follow = client.get(response["Location"])
    assert "您已安全退出" in follow.content.decode()


def test_logout_post_needs_the_csrf_token(personas):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.yj_staff)
    response = browser.post("/accounts/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert browser.get("/").status_code == 200  # still signed in


def test_signed_in_user_visiting_login_goes_home(personas, client, login_url):
    client.force_login(personas.yj_staff)
    response = client.get(login_url)
    assert response.status_code == 302 and response["Location"] == "/"
