import pytest
from django.test import Client

from oa.web.navigation import MAIN_NAV
from tests.factories import UnitFactory
from tests.todo.helpers import give_todo, login, make_person

pytestmark = pytest.mark.django_db

NAV_LABELS = ["工作台", "发文", "收文", "公文交换", "督查督办", "会议", "消息", "检索", "档案", "组织机构"]


@pytest.fixture
def me():
    return make_person("陈主任", unit=UnitFactory())


@pytest.fixture
def my_client(client, me):
    return login(client, me)


def test_navigation_has_every_module_in_order_and_each_opens(my_client):
    assert [item.label for item in MAIN_NAV] == NAV_LABELS
    page = my_client.get("/").content.decode()
    positions = [page.index(f'<span class="nav-label">{label}</span>') for label in NAV_LABELS]
    assert positions == sorted(positions)
    for item in MAIN_NAV:
        assert f'href="{item.url}"' in page
        response = my_client.get(item.url)
        if item.key == "archive":  # only 档案员 and leaders read the archive; others are told who can
            assert response.status_code == 403 and "档案员" in response.content.decode()
        else:
            assert response.status_code == 200, item.label


def test_module_placeholder_says_it_is_coming_and_marks_its_nav_entry(my_client):
    page = my_client.get("/m/supervision/").content.decode()
    assert "即将上线" in page and "督查督办" in page
    assert 'class="nav-link is-active" data-nav="supervision"' in page
    assert my_client.get("/m/nonsense/").status_code == 404


def test_home_shows_counts_latest_items_shortcuts_and_placeholders(my_client, me):
    give_todo(me, title="关于开展安全生产大检查的通知")
    give_todo(me, kind="toread", step="阅知", source_id="2")
    page = my_client.get("/").content.decode()
    assert '<span class="counter-num" data-count="todo">1</span>' in page
    assert '<span class="counter-num" data-count="toread">1</span>' in page
    assert "关于开展安全生产大检查的通知" in page
    for shortcut in ("拟稿", "收文登记", "验章"):
        assert shortcut in page
    # 督办 is live (loaded as a fragment); meetings and messages are still announced as coming.
    assert "supervision/home-card/" in page
    assert page.count("即将上线") == 2
    assert 'class="nav-link is-active" data-nav="home"' in page


def test_header_shows_name_unit_logout_form_and_unread_badge(my_client, me):
    give_todo(me)
    give_todo(me, kind="toread", step="阅知", source_id="2")
    page = my_client.get("/").content.decode()
    assert "陈主任" in page
    assert 'action="/accounts/logout/"' in page and 'method="post"' in page
    assert 'data-count="unread" title="待办与待阅">2</span>' in page
    assert 'data-live-socket="/ws/todo/"' in page


def test_badge_hidden_when_nothing_is_waiting(my_client):
    page = my_client.get("/").content.decode()
    assert 'data-count="unread" title="待办与待阅" hidden>0</span>' in page


def test_pages_use_no_inline_script_or_style_and_only_local_assets(my_client):
    for url in ("/", "/todo/", "/m/archive/"):
        page = my_client.get(url).content.decode()
        assert "<style" not in page and " style=" not in page
        assert "<script>" not in page and "<script " in page
        assert "http://" not in page.replace("http://testserver", "") and "https://" not in page


def test_anonymous_is_sent_to_login():
    for url in ("/", "/m/incoming/", "/todo/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_vendored_libraries_are_served_locally(my_client):
    for path in ("/static/vendor/htmx.min.js", "/static/vendor/alpine-csp.min.js", "/static/web/live.js"):
        response = my_client.get(path)
        assert response.status_code == 200, path
