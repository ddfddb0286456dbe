import pytest
from rest_framework.test import APIClient

from oa.todo.models import State
from tests.todo.helpers import give_todo, login, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def me():
    return make_person()


@pytest.fixture
def api(me):
    return login(APIClient(), me)


def test_lists_only_my_items_with_filters(api, me):
    give_todo(me, title="我的")
    give_todo(me, kind="toread", step="阅知", source_id="2")
    give_todo(make_person(), title="别人的")
    body = api.get("/api/todo/items/").json()
    assert body["count"] == 2
    assert {row["title"] for row in body["results"]} == {"我的", "关于做好2025年防汛工作的通知"}
    assert api.get("/api/todo/items/?kind=toread").json()["count"] == 1
    assert api.get("/api/todo/items/counts/").json() == {"todo": 1, "toread": 1, "done": 0}


def test_complete_and_read_through_the_api(api, me):
    todo = give_todo(me)
    toread = give_todo(me, kind="toread", step="阅知", source_id="2")
    assert api.post(f"/api/todo/items/{todo.pk}/complete/").json()["state"] == State.DONE
    assert api.post(f"/api/todo/items/{toread.pk}/read/").json()["state"] == State.DONE


def test_refusals_are_4xx_with_a_chinese_detail(api, me):
    locked = give_todo(me, manual_close=False, step="签发")
    response = api.post(f"/api/todo/items/{locked.pk}/complete/")
    assert response.status_code == 400 and "签发" in response.json()["detail"]
    foreign = give_todo(make_person())
    assert api.post(f"/api/todo/items/{foreign.pk}/complete/").status_code == 404
    assert api.get(f"/api/todo/items/{foreign.pk}/").status_code == 404
    assert APIClient().get("/api/todo/items/").status_code == 403
