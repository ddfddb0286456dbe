from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from oa.audit.models import AuditEvent
from oa.todo.models import State
from tests.todo.helpers import give_todo, login, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def me():
    return make_person("王小明")


@pytest.fixture
def my_client(client, me):
    return login(client, me)


def test_todo_page_lists_only_my_open_items_with_their_details(my_client, me):
    give_todo(me, title="关于报送防汛物资的通知", urgency="特急", deadline=timezone.now() - timedelta(hours=2))
    give_todo(make_person("别人"), title="别人的公文")

    page = my_client.get("/todo/").content.decode()

    assert "关于报送防汛物资的通知" in page
    assert "别人的公文" not in page
    assert "阳江市人民政府办公室" in page  # 来文单位
    assert "urgency-extra" in page and "deadline-red" in page and "已超期" in page
    assert 'href="/documents/1/"' in page  # one click to act


def test_tabs_separate_todo_toread_and_done(my_client, me):
    give_todo(me, title="待我审核")
    give_todo(me, kind="toread", step="阅知", title="请阅知")
    done = give_todo(me, title="已经办结")
    my_client.post(f"/todo/{done.pk}/done")

    assert "请阅知" not in my_client.get("/todo/?tab=todo").content.decode()
    toread = my_client.get("/todo/?tab=toread").content.decode()
    assert "请阅知" in toread and "待我审核" not in toread
    done_page = my_client.get("/todo/?tab=done").content.decode()
    assert "已经办结" in done_page and "待我审核" not in done_page
    assert my_client.get("/todo/?tab=whatever").status_code == 200


def test_list_is_paginated(my_client, me):
    for n in range(25):
        give_todo(me, title=f"第{n}号文", source_id=str(n))
    first = my_client.get("/todo/").content.decode()
    assert "第 1 / 2 页" in first
    assert my_client.get("/todo/?page=2").status_code == 200
    assert my_client.get("/todo/?page=abc").status_code == 200


def test_owner_completes_with_a_post_and_returns_to_the_list(my_client, me):
    item = give_todo(me)
    response = my_client.post(f"/todo/{item.pk}/done", {"next": "/todo/?tab=todo"})
    assert response.status_code == 302 and response["Location"] == "/todo/?tab=todo"
    item.refresh_from_db()
    assert item.state == State.DONE


def test_read_and_open_marks_read_then_opens_the_document(my_client, me):
    item = give_todo(me, kind="toread", step="阅知", url="/documents/9/")
    response = my_client.post(f"/todo/{item.pk}/read", {"open": "1"})
    assert response["Location"] == "/documents/9/"
    item.refresh_from_db()
    assert item.state == State.DONE


def test_next_cannot_send_the_user_off_site(my_client, me):
    item = give_todo(me)
    response = my_client.post(f"/todo/{item.pk}/done", {"next": "https://evil.example/"})
    assert response["Location"] == "/todo/"


def test_refusal_is_shown_not_raised(my_client, me):
    item = give_todo(me, manual_close=False, step="签发")
    response = my_client.post(f"/todo/{item.pk}/done", follow=True)
    assert response.status_code == 200
    assert "完成“签发”后自动办结" in response.content.decode()


def test_someone_elses_item_is_not_found_and_unchanged(my_client):
    other_item = give_todo(make_person("别人"))
    assert my_client.post(f"/todo/{other_item.pk}/done").status_code == 404
    assert my_client.post(f"/todo/{other_item.pk}/read").status_code == 404
    assert my_client.post("/todo/999999/done").status_code == 404
    other_item.refresh_from_db()
    assert other_item.state == State.OPEN
    assert not AuditEvent.objects.filter(action="todo.complete", result="success").exists()


def test_actions_need_post_and_csrf(me):
    item = give_todo(me)
    strict = login(Client(enforce_csrf_checks=True), me)
    assert strict.get(f"/todo/{item.pk}/done").status_code == 405
    assert strict.post(f"/todo/{item.pk}/done").status_code == 403
    item.refresh_from_db()
    assert item.state == State.OPEN


def test_counts_endpoint_for_resync(my_client, me, client):
    give_todo(me)
    response = my_client.get("/todo/counts")
    assert response.json() == {"todo": 1, "toread": 0, "done": 0}
    assert response["Cache-Control"] == "no-store"


def test_counts_endpoint_says_401_when_signed_out():
    response = Client().get("/todo/counts")
    assert response.status_code == 401
    assert response.json() == {"detail": "您已退出登录，请重新登录。", "login_url": "/accounts/login/"}


def test_pages_redirect_anonymous_to_login():
    anonymous = Client()
    for url in ("/todo/", "/todo/latest"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_latest_fragment_has_newest_open_items(my_client, me):
    give_todo(me, title="最新的请示", category="请示")
    fragment = my_client.get("/todo/latest").content.decode()
    assert "最新的请示" in fragment and "<html" not in fragment
