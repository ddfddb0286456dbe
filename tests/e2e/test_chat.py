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
    # the search result's box (checking it adds a "picked" chip with the same label)
    zhang_page.locator("input[data-name='李科员']").check()
    zhang_page.get_by_role("button", name="开始聊天").click()
    expect(zhang_page.locator("h1")).to_have_text("李科员")
    expect(zhang_page.locator("[data-live-status]")).to_have_attribute("data-live-status", "open")

    li_page.reload()
    li_page.get_by_role("link", name="张科员").click()
    expect(li_page.locator("h1")).to_have_text("张科员")

    _send(zhang_page, "你好，请把防汛值班表发我")
    mine = zhang_page.locator(".msg.is-mine", has_text="你好，请把防汛值班表发我")
    expect(mine).to_be_visible()
    expect(li_page.locator(".msg", has_text="你好，请把防汛值班表发我")).to_be_visible()
    # 李科员 has the conversation open: it is read, and 张科员 sees 已读 on his message.
    expect(mine.locator("[data-receipts]")).to_have_text("已读")

    _send(li_page, "收到，马上发")
    expect(zhang_page.locator(".msg:not(.is-mine)", has_text="收到，马上发")).to_be_visible()
    zhang_page.screenshot(path="/tmp/oa-chat-desktop.png")

    # Recall within two minutes: the other side sees 消息已撤回.
    mine.get_by_role("button", name="撤回").click()
    expect(li_page.locator(".msg.is-recalled .msg-body")).to_have_text("消息已撤回")
    expect(zhang_page.locator(".msg.is-recalled")).to_contain_text("消息已撤回")

    # 李科员 leaves for the 工作台; a new message raises the 消息 badge there, live.
    li_page.get_by_role("link", name="工作台").first.click()
    _send(zhang_page, "值班表在附件里")
    expect(li_page.locator('[data-count="messages"]')).to_have_text("1")
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


def _open_chat(browser, base_url: str, username: str, password: str, chat_title: str):
    context, page, problems = _sign_in(browser, base_url, {"username": username, "password": password})
    page.get_by_role("link", name=chat_title).first.click()
    expect(page.locator("h1")).to_have_text(chat_title)
    expect(page.locator("[data-live-status]")).to_have_attribute("data-live-status", "open")
    return context, page, problems


def test_a_received_document_shared_into_a_chat(asgi_server, browser):
    """陈科长 shares a 收文 from its page into a group: 林科员 (same unit) sees the card live and opens the
    document; 黄科员 (another unit, in the group) sees only 无权查看的公文 — no title anywhere on his page."""
    scenario = asgi_server.hook("share_setup")
    url, password, title = asgi_server.url, scenario["password"], scenario["title"]
    chat = scenario["group_title"]

    lin_ctx, lin_page, lin_problems = _open_chat(browser, url, scenario["colleague"], password, chat)
    huang_ctx, huang_page, huang_problems = _open_chat(browser, url, scenario["outsider"], password, chat)

    chen_ctx, chen_page, chen_problems = _sign_in(browser, url, {"username": scenario["sharer"], "password": password})
    chen_page.goto(f"{url}/documents/flow/{scenario['flow']}/")
    expect(chen_page.locator("h1")).to_have_text(title)
    picker = chen_page.locator("[data-share]")
    expect(picker).to_have_attribute("data-share-ready", "")
    picker.get_by_role("button", name="分享到会话").click()
    dialog = chen_page.get_by_role("dialog", name="分享到会话")
    expect(dialog).to_be_visible()
    dialog.get_by_label("搜索人员或群组").fill("防台风")
    expect(picker).to_have_attribute("data-share-loaded", "防台风")
    dialog.locator(f'[data-share-to="conversation:{scenario["group"]}"]').click()
    expect(dialog.locator("[data-share-status]")).to_contain_text(f"已分享到「{chat}」")

    card = lin_page.locator("a.msg-card", has_text=title)
    expect(card).to_be_visible()
    expect(card.locator(".msg-card-kind")).to_have_text("收文")

    hidden = huang_page.locator(".msg-card.is-hidden")
    expect(hidden).to_have_text("无权查看的公文")
    assert "海鸥" not in huang_page.content()
    huang_page.reload()  # and the same after a reload (the page, not the socket)
    expect(huang_page.locator(".msg-card.is-hidden")).to_have_text("无权查看的公文")
    assert "海鸥" not in huang_page.content()

    card.click()
    expect(lin_page).to_have_url(f"{url}/documents/flow/{scenario['flow']}/")
    expect(lin_page.locator("h1")).to_have_text(title)

    dialog.locator("[data-share-done]").click()  # the sharer follows the link to the conversation
    expect(chen_page.locator("a.msg-card", has_text=title)).to_be_visible()

    assert chen_problems == [] and lin_problems == [] and huang_problems == []
    for context in (chen_ctx, lin_ctx, huang_ctx):
        context.close()
