"""Two people chat in two browser contexts (headless Chromium against daphne): start a conversation by
picking a person, messages arrive live both ways, the sender sees 已读, a recall shows 消息已撤回 on the other
side, the 消息 badge follows unread messages on other pages, and search inside the conversation finds what
is still there."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_login_todo import _watch_console

pytestmark = pytest.mark.e2e


def _sign_in(browser, base_url: str, account: dict):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    problems = _watch_console(page)
    page.goto(f"{base_url}/messages/")
    page.locator("input[name=username]").fill(account["username"])
    page.locator("input[name=password]").fill(account["password"])
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{base_url}/messages/")
    return context, page, problems


def _send(page, text: str) -> None:
    box = page.locator("[data-composer] textarea")
    box.fill(text)
    box.press("Enter")


def test_two_people_chat_live(asgi_server, browser):
    asgi_server.hook("seed")
    zhang = asgi_server.hook("person", {"username": "e2e_zhang", "name": "张科员"})
    li = asgi_server.hook("person", {"username": "e2e_li", "name": "李科员"})
    url = asgi_server.url

    zhang_ctx, zhang_page, zhang_problems = _sign_in(browser, url, zhang)
    li_ctx, li_page, li_problems = _sign_in(browser, url, li)

    # 张科员 picks 李科员 on the 发起会话 page and starts a one-to-one conversation.
    zhang_page.get_by_role("link", name="发起会话").click()
    zhang_page.locator("#people-q").fill("李科员")
    zhang_page.locator("#people-q").press("Enter")
    zhang_page.get_by_label("李科员").check()
    zhang_page.get_by_role("button", name="开始聊天").click()
    expect(zhang_page.locator("h1")).to_have_text("李科员")
    expect(zhang_page.locator("[data-live-status]")).to_have_attribute("data-live-status", "open")

    li_page.reload()
    li_page.get_by_role("link", name="张科员").click()
    expect(li_page.locator("h1")).to_have_text("张科员")

    _send(zhang_page, "你好，请把防汛值班表发我")
    mine = zhang_page.locator(".msg.is-mine", has_text="你好，请把防汛值班表发我")
    expect(mine).to_be_visible()
    expect(li_page.locator(".msg", has_text="你好，请把防汛值班表发我")).to_be_visible(timeout=5000)
    # 李科员 has the conversation open: it is read, and 张科员 sees 已读 on his message.
    expect(mine.locator("[data-receipts]")).to_have_text("已读", timeout=5000)

    _send(li_page, "收到，马上发")
    expect(zhang_page.locator(".msg:not(.is-mine)", has_text="收到，马上发")).to_be_visible(timeout=5000)
    zhang_page.screenshot(path="/tmp/oa-chat-desktop.png")

    # Recall within two minutes: the other side sees 消息已撤回.
    mine.get_by_role("button", name="撤回").click()
    expect(li_page.locator(".msg.is-recalled .msg-body")).to_have_text("消息已撤回", timeout=5000)
    expect(zhang_page.locator(".msg.is-recalled")).to_contain_text("消息已撤回")

    # 李科员 leaves for the 工作台; a new message raises the 消息 badge there, live.
    li_page.get_by_role("link", name="工作台").first.click()
    _send(zhang_page, "值班表在附件里")
    expect(li_page.locator('[data-count="messages"]')).to_have_text("1", timeout=5000)
    li_page.get_by_role("link", name="消息").first.click()
    expect(li_page.locator(".chat-unread").first).to_have_text("1")

    li_page.set_viewport_size({"width": 768, "height": 1024})
    li_page.get_by_role("link", name="张科员").click()
    expect(li_page.locator(".msg", has_text="值班表在附件里")).to_be_visible()
    li_page.wait_for_load_state("load")  # stylesheets in before measuring
    li_page.screenshot(path="/tmp/oa-chat-tablet.png")
    assert li_page.evaluate("document.documentElement.scrollWidth") <= 768

    # Search inside the conversation: the recalled message is not found, the later one is.
    li_page.locator("[data-chat-search] input[name=q]").fill("值班表")
    li_page.get_by_role("button", name="查找").click()
    expect(li_page.locator(".search-hit")).to_have_count(1)
    expect(li_page.locator(".search-hit")).to_contain_text("值班表在附件里")

    assert zhang_problems == [] and li_problems == []
    zhang_ctx.close()
    li_ctx.close()
