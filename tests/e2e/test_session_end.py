"""A tablet left open on the todo page: the live counter's requests do not keep the session alive, and when
the session has ended by idleness the page says so (instead of silently going on or reloading)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_login_todo import _sign_in, _todo

pytestmark = pytest.mark.e2e


def test_idle_session_ends_and_the_page_says_why(asgi_server, browser):
    account = asgi_server.hook("seed")
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    page = context.new_page()
    counts_requests = []
    page.on("request", lambda r: counts_requests.append(r.headers) if r.url.endswith("/todo/counts") else None)
    _sign_in(page, asgi_server.url, account["username"], account["password"])
    expect(page.locator("[data-live-status]")).to_have_attribute("data-live-status", "open")
    expect(page.locator("[data-session-ended]")).to_be_hidden()
    page.wait_for_timeout(300)  # the resync after connecting
    assert counts_requests and all(h.get("x-oa-background") == "1" for h in counts_requests)

    # Half an hour passes without the person touching anything; then new work arrives.
    assert asgi_server.hook("idle")["aged"] >= 1
    asgi_server.hook("todo", _todo("关于报送防汛值班表的通知", "201"))

    notice = page.locator("[data-session-ended]")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("没有操作")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-live-status", "offline")
    expect(page).to_have_url(f"{asgi_server.url}/todo/")  # the page stays put: the person may be reading it
    page.screenshot(path="/tmp/oa-session-ended-tablet.png")

    notice.get_by_role("link", name="重新登录").click()
    expect(page).to_have_url(f"{asgi_server.url}/accounts/login/?next=%2Ftodo%2F")
    expect(page.get_by_role("button", name="登 录")).to_be_visible()
    context.close()
