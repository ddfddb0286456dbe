"""The server runs under daphne (ASGI), where axes' middleware takes its async path."""

from asgiref.sync import async_to_sync
from django.test import AsyncClient

from tests.factories import PASSWORD


def test_lockout_page_under_asgi(personas, events):
    client = AsyncClient()

    async def post(password):
        return await client.post("/accounts/login/", {"username": "yj_staff", "password": password})

    for _ in range(4):
        assert async_to_sync(post)("Wrong-Passw0rd!").status_code == 200
    response = async_to_sync(post)("Wrong-Passw0rd!")
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已锁定" in body and "yj_staff" in body and "30 分钟" in body
    assert async_to_sync(post)(PASSWORD).status_code == 429
    assert len(events("account_locked")) == 1
    assert len(events("login_failed")) == 6
