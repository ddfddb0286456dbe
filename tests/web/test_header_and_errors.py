"""The header's account and administration links, and the Chinese error pages."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.todo.helpers import login

pytestmark = pytest.mark.django_db

CONSOLE_LINKS = {
    "system": '<a class="user-link" href="/accounts/admin/system/" data-console="system">系统管理员控制台</a>',
    "security": '<a class="user-link" href="/accounts/admin/security/" data-console="security">安全管理员控制台</a>',
    "audit": '<a class="user-link" href="/accounts/admin/audit/" data-console="audit">审计管理员控制台</a>',
}
ADMIN_LINK = 'href="/admin/" data-admin-link'
PASSWORD_LINK = '<a class="user-link" href="/accounts/password/">修改密码</a>'


def header_of(client) -> str:
    page = client.get("/").content.decode()
    return page[page.index('<header class="topbar">') : page.index("</header>")]


@pytest.mark.parametrize("who, console", [("sysadmin", "system"), ("secadmin", "security"), ("auditor", "audit")])
def test_each_of_the_three_admins_sees_only_their_console(personas, client, who, console):
    header = header_of(login(client, getattr(personas, who)))
    assert CONSOLE_LINKS[console] in header
    assert [key for key, link in CONSOLE_LINKS.items() if link in header] == [console]
    assert ADMIN_LINK in header and PASSWORD_LINK in header


def test_an_ordinary_clerk_sees_no_console_and_no_admin_link(personas, client):
    header = header_of(login(client, personas.yj_clerk))
    assert "data-console" not in header and "控制台" not in header
    assert ADMIN_LINK not in header
    assert PASSWORD_LINK in header


def test_a_unit_admin_gets_the_django_admin_but_no_console(personas, client):
    header = header_of(login(client, personas.yj_admin))
    assert ADMIN_LINK in header and "data-console" not in header


def test_header_links_cost_an_ordinary_user_no_query(personas, client):
    login(client, personas.yj_clerk)
    client.get("/")  # warm up: session, content types
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not [q["sql"] for q in queries if "org_roleassignment" in q["sql"]]


def test_header_links_cost_an_administrator_one_role_query_per_page(personas, client):
    login(client, personas.secadmin)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert CONSOLE_LINKS["security"] in client.get("/").content.decode()
    assert len([q for q in queries if "org_roleassignment" in q["sql"]]) == 1


# --- error pages ----------------------------------------------------------------------------------------


def assert_chinese_page_without_inline_code(body: str):
    assert '<html lang="zh-Hans">' in body
    assert "<style" not in body and " style=" not in body
    assert not re.search(r"<script(?![^>]*\ssrc=)", body), "inline script"
    assert "Traceback" not in body and "Django" not in body


@pytest.mark.urls("tests.web.error_urls")
def test_404_page_is_chinese_and_keeps_the_layout(personas, client, settings):
    settings.DEBUG = False
    login(client, personas.yj_staff)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_chinese_page_without_inline_code(body)
    assert "页面不存在" in body and "返回工作台" in body
    assert 'aria-label="主导航"' in body  # the signed-in person keeps the navigation
    # Our own messages are meant for users; Django's English ones are not shown.
    assert "没有这个模块。" in client.get("/m/nonsense/").content.decode()
    english = client.get("/__errors__/404-english/").content.decode()
    assert "No Document" not in english and "您要找的页面不存在" in english


@pytest.mark.urls("tests.web.error_urls")
def test_404_page_for_an_anonymous_visitor_offers_login(db, settings):
    settings.DEBUG = False
    response = Client().get("/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in body
    assert 'href="/accounts/login/"' in body and "主导航" not in body


@pytest.mark.urls("tests.web.error_urls")
def test_403_page_is_chinese_and_shows_the_refusal(personas, client, settings):
    settings.DEBUG = False
    login(client, personas.yj_staff)
    response = client.get("/__errors__/403/")
    assert response.status_code == 403
    body = response.content.decode()
    assert_chinese_page_without_inline_code(body)
    assert "无权访问" in body and "只有收发员可以登记来文。" in body
    plain = client.get("/__errors__/403-plain/")
    assert plain.status_code == 403 and "您没有访问此页面或执行此操作的权限" in plain.content.decode()


@pytest.mark.urls("tests.web.error_urls")
def test_500_page_is_static_chinese_and_needs_no_request(personas, settings):
    settings.DEBUG = False
    client = login(Client(raise_request_exception=False), personas.yj_staff)
    response = client.get("/__errors__/500/")
    assert response.status_code == 500
    body = response.content.decode()
    assert_chinese_page_without_inline_code(body)
    assert "系统出错了" in body and "boom" not in body
    assert personas.yj_staff.name not in body  # rendered without any context: nothing about the user


def test_500_template_renders_without_any_context():
    from django.template import loader

    body = loader.get_template("500.html").render()
    assert "系统出错了" in body and "/static/web/base.css" in body
