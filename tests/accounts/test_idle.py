"""Idle logout after 30 minutes; background polls do not keep a session alive."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

BACKGROUND = {"HTTP_X_OA_BACKGROUND": "1"}


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(personas, attempt, clock):
    assert attempt("yj_staff").status_code == 302
    return personas.yj_staff


def test_activity_keeps_the_session_alive(client, signed_in, clock):
    for _ in range(4):
        clock.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 200


def test_thirty_idle_minutes_sign_the_user_out(client, signed_in, clock, events):
    clock.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=30, seconds=1))
    response = client.get("/todo/", REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Ftodo%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "30 分钟没有操作" in page.content.decode()
    (event,) = events("idle_logout")
    assert event.actor_id == signed_in.pk
    assert event.client_address == "10.7.7.7"
    assert not events("logout")


def test_background_polls_do_not_count_as_activity(client, signed_in, clock):
    for _ in range(4):
        clock.shift(timedelta(minutes=7))
        assert client.get("/", **BACKGROUND).status_code == 200  # the session is still alive meanwhile
    clock.shift(timedelta(minutes=7))
    response = client.get("/", **BACKGROUND)  # 35 minutes after the last real request
    assert response.status_code == 401
    assert response.json()["login_url"] == "/accounts/login/"
    assert "没有操作" in response.json()["detail"]
    assert client.get("/").status_code == 302


def test_session_has_an_absolute_lifetime(client, signed_in, clock, settings, events):
    settings.SESSION_COOKIE_AGE = 3600
    for _ in range(3):
        clock.shift(timedelta(minutes=25))
        client.get("/")
    assert client.get("/").status_code == 302
    assert events("session_expired")


def test_timeout_is_configurable(client, signed_in, clock, settings):
    settings.IDLE_TIMEOUT_SECONDS = 300
    clock.shift(timedelta(minutes=5, seconds=1))
    assert client.get("/").status_code == 302


def test_websocket_consumers_can_ask_whether_the_session_is_over(client, signed_in, clock):
    from oa.accounts.middleware import session_end_reason

    assert session_end_reason(client.session) is None
    clock.shift(timedelta(minutes=31))
    assert session_end_reason(client.session) == "idle_logout"
