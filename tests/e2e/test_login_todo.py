"""A person signs in through the login form, finds the work handed to them, and sees the 工作台 badge
count change live when new work arrives — in headless Chromium against daphne."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SCREENS = {"desktop": (1024, 768), "tablet-portrait": (768, 1024)}


def _todo(title: str, source_id: str, **extra) -> dict:
    return {
        "kind": "todo",
        "title": title,
        "step": "签发",
        "url": f"/documents/{source_id}/",
        "source_app": "documents",
        "source_id": source_id,
        "category": "通知",
        "sender": "阳江市人民政府办公室",
        **extra,
    }


def _watch_console(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def _sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/todo/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/todo/")
    page.screenshot(path="/tmp/oa-login-desktop.png")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{base_url}/todo/")


def test_login_then_todo_page_and_live_badge(asgi_server, browser):
    account = asgi_server.hook("seed")
    asgi_server.hook("todo", _todo("关于做好2025年防汛防风工作的通知", "101", urgency="特急", deadline_in_days=-1))

    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    problems = _watch_console(page)
    _sign_in(page, asgi_server.url, account["username"], account["password"])

    row = page.locator("tr.todo-row", has_text="关于做好2025年防汛防风工作的通知")
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name="签发")).to_have_attribute("href", "/documents/101/")
    expect(page.locator(".nav-badge")).to_have_text("1")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-live-status", "open")

    # New work for this person, created in the server process: the badge and the tab count follow live.
    asgi_server.hook("todo", _todo("关于召开全市安全生产工作会议的通知", "102", category="会议", deadline_in_days=2))
    expect(page.locator(".nav-badge")).to_have_text("2")
    expect(page.locator('.tab-count[data-count="todo"]')).to_have_text("2")
    expect(page.locator("[data-live-hint]")).to_be_visible()

    # The 工作台 shows the counters and refreshes its latest items by itself.
    page.get_by_role("link", name="工作台").first.click()
    expect(page.locator('.counter-num[data-count="todo"]')).to_have_text("2")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-live-status", "open")
    third = _todo("关于报送第三季度统计数据的函", "103", category="函", urgency="加急", deadline_in_days=10)
    asgi_server.hook("todo", third)
    expect(page.locator('.counter-num[data-count="todo"]')).to_have_text("3")
    expect(page.locator("#latest-items")).to_contain_text("关于报送第三季度统计数据的函")

    for name, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        for path, label in (("/", "home"), ("/todo/", "todo")):
            page.goto(f"{asgi_server.url}{path}")
            expect(page.locator(".nav-badge")).to_be_visible()
            page.screenshot(path=f"/tmp/oa-{label}-{name}.png")
        # Nothing overflows sideways on the page itself (the nav bar scrolls inside itself on portrait).
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Signing out closes the socket and lands on the login page.
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{asgi_server.url}/accounts/login/")
    expect(page.get_by_text("您已安全退出。")).to_be_visible()

    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert problems == []
    context.close()
