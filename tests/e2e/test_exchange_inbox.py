"""Headless Chromium: a clerk's exchange inbox shows a newly arrived document without a reload, and the sender's
催收 from the tracking board, then signs for it; after a reload the page is whole."""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, LiveServer, _free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def exchange_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("exchange-e2e")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oa.test_settings",
        "OA_VAR_DIR": str(var),
        "OA_DB_ENGINE": "sqlite",
        "OA_SQLITE_PATH": str(var / "e2e.sqlite3"),
        "OA_REDIS_URL": "",
        "OA_E2E_TOKEN": token,
    }
    log = open(var / "daphne.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "tests.exchange.server_app:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + float(os.environ.get("OA_E2E_START_SECONDS", "300"))
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((var / "daphne.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield LiveServer(url, token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _hook(server, name, payload=None):
    request = urllib.request.Request(
        f"{server.url}/__exchange__/{name}",
        data=json.dumps(payload).encode() if payload is not None else b"",
        headers={"X-E2E-Token": server.token, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_inbox_updates_live_when_a_document_arrives(exchange_server, browser):
    setup = _hook(exchange_server, "setup")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{exchange_server.url}/exchange/")
    page.locator("input[name=username]").fill(setup["username"])
    page.locator("input[name=password]").fill(setup["password"])
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{exchange_server.url}/exchange/")
    expect(page.locator("tr.empty")).to_have_text("暂无来文。")
    page.wait_for_function("() => document.querySelector('[data-live-state]').dataset.state === 'open'")

    _hook(exchange_server, "dispatch", {"document": setup["document"], "county": setup["county"]})

    row = page.locator("tr[data-delivery]", has_text="关于做好秋冬季森林防火工作的通知")
    expect(row).to_be_visible()  # no reload: the push triggered a resync
    expect(row.locator(".state")).to_have_text("已送达")

    # The sender's clerk 催收 on the tracking board; the recipient's open inbox shows it without a reload.
    sender_context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    board = sender_context.new_page()
    board.on("pageerror", lambda e: errors.append(str(e)))
    board.goto(f"{exchange_server.url}/exchange/sent/{setup['document']}/")
    board.locator("input[name=username]").fill(setup["sender_username"])
    board.locator("input[name=password]").fill(setup["password"])
    board.get_by_role("button", name="登 录").click()
    expect(board).to_have_url(f"{exchange_server.url}/exchange/sent/{setup['document']}/")
    board.get_by_role("button", name="催收", exact=True).click()
    expect(board.locator(".messages")).to_contain_text("已催收")
    expect(board.locator("tr[data-delivery] [data-urge]")).to_contain_text("已催收 1 次")
    expect(row.locator("[data-urge]")).to_have_text("已催收 1 次")  # live, on the recipient's page
    sender_context.close()
    page.reload()
    row = page.locator("tr[data-delivery]", has_text="关于做好秋冬季森林防火工作的通知")
    row.get_by_role("button", name="签收").click()
    expect(page.locator("tr[data-delivery] .state")).to_have_text("已签收")
    expect(page.locator("tr[data-delivery] [data-urge]")).to_be_hidden()
    assert not errors, errors
    context.close()
