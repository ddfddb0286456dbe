"""The live counter's resync (/todo/counts) is a background request: it never keeps a session alive."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from oa.accounts.middleware import LAST_ACTIVITY_KEY
from tests.todo.helpers import login, make_person

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
BACKGROUND = {"HTTP_X_OA_BACKGROUND": "1"}


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def browsing(client, clock):
    login(client, make_person())
    assert client.get("/").status_code == 200  # stamps the session's activity
    return client


def test_counts_with_the_background_header_do_not_refresh_the_idle_timer(browsing, clock):
    stamped = browsing.session[LAST_ACTIVITY_KEY]
    clock.shift(timedelta(minutes=20))
    assert browsing.get("/todo/counts", **BACKGROUND).status_code == 200
    assert browsing.session[LAST_ACTIVITY_KEY] == stamped

    clock.shift(timedelta(minutes=11))  # 31 minutes after the last real request
    response = browsing.get("/todo/counts", **BACKGROUND)
    assert response.status_code == 401
    assert "30 分钟没有操作" in response.json()["detail"]
    assert response.json()["login_url"] == "/accounts/login/"


def test_counts_without_the_header_are_activity(browsing, clock):
    stamped = browsing.session[LAST_ACTIVITY_KEY]
    clock.shift(timedelta(minutes=20))
    assert browsing.get("/todo/counts").status_code == 200
    assert browsing.session[LAST_ACTIVITY_KEY] > stamped
    clock.shift(timedelta(minutes=11))
    assert browsing.get("/todo/counts", **BACKGROUND).status_code == 200


def test_the_live_script_sends_the_background_header_on_its_resync():
    script = (ROOT / "static/web/live.js").read_text()
    fetches = re.findall(r"fetch\(countsUrl, \{[^}]*headers: (\w+)", script)
    assert fetches == ["headers"], "the counts request must use the headers object below"
    assert re.search(r'var headers = \{[^}]*"X-OA-Background": "1"', script)
    assert "response.status === 401" in script and "sessionOver(" in script


def test_the_home_page_refresh_of_latest_items_is_a_background_request(browsing):
    page = browsing.get("/").content.decode()
    latest = re.search(r'<div id="latest-items"[^>]*>', page).group(0)
    assert 'hx-get="/todo/latest"' in latest
    assert """hx-headers='{"X-OA-Background": "1"}'""" in latest
