"""会议 in headless Chromium against daphne: the organiser creates a meeting and invites a colleague, who
answers 参加 in another browser; the organiser's count changes without a reload. Then the colleague signs in
on a tablet-size screen (768×1024) through the link behind the room screen's QR code."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Shanghai")


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _sign_in(page, base_url, username, password, next_path):
    page.goto(f"{base_url}{next_path}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


def test_meeting_answer_updates_organiser_live_and_tablet_sign_in(asgi_server, browser):
    organiser = asgi_server.hook("seed")
    invitee = asgi_server.hook("person", {"username": "e2e_meeting_staff", "name": "王会议"})

    org_context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    org_page = org_context.new_page()
    org_problems = _watch(org_page)
    _sign_in(org_page, asgi_server.url, organiser["username"], organiser["password"], "/meetings/new/")
    start = datetime.now(TZ).replace(second=0, microsecond=0) + timedelta(minutes=10)
    org_page.locator("input[name=title]").fill("全市防汛防风工作视频会议")
    org_page.locator("select[name=kind]").select_option("工作会议")
    org_page.locator("input[name=start]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    org_page.locator("input[name=end]").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    org_page.locator("input[name=online_url]").fill("https://meet.example.gov.cn/r/2025")
    org_page.locator("textarea[name=agenda]").fill("通报汛情|市水务局")
    org_page.get_by_role("button", name="保存").click()
    expect(org_page.locator("h1")).to_contain_text("全市防汛防风工作视频会议")
    meeting_path = org_page.url.removeprefix(asgi_server.url)

    org_page.locator("input[name=usernames]").fill(invitee["username"])
    org_page.get_by_role("button", name="通知人员").click()
    expect(org_page.locator('[data-count="pending"]')).to_have_text("1")
    expect(org_page.locator('[data-count="attend"]')).to_have_text("0")
    expect(org_page.locator("[data-mtg-live]")).to_have_attribute("data-mtg-live", "open")

    staff_context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN", has_touch=True)
    staff_page = staff_context.new_page()
    staff_problems = _watch(staff_page)
    _sign_in(staff_page, asgi_server.url, invitee["username"], invitee["password"], meeting_path)
    staff_page.locator("input[name=response][value=attend]").check()
    staff_page.get_by_role("button", name="提交回执").click()
    expect(staff_page.locator("[data-my-answer]")).to_have_attribute("data-my-answer", "attend")

    # No reload on the organiser's page: the socket brought the new counts and the board.
    expect(org_page.locator('[data-count="attend"]')).to_have_text("1")
    expect(org_page.locator('[data-count="pending"]')).to_have_text("0")
    expect(org_page.locator("[data-attendance]")).to_contain_text("参加")

    # The room screen shows a QR code; its link is what the tablet opens.
    screen = org_context.new_page()
    screen.goto(f"{asgi_server.url}{meeting_path}screen/")
    expect(screen.locator("[data-qr] svg")).to_be_visible()
    signin_url = screen.locator("[data-signin-url]").get_attribute("href")
    staff_page.goto(signin_url)
    button = staff_page.get_by_role("button", name="确认签到（王会议）")
    expect(button).to_be_visible()
    staff_page.wait_for_load_state("load")  # stylesheets in before measuring
    assert staff_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button.click()
    expect(staff_page.locator('[data-signin-result="ok"]')).to_be_visible()
    staff_page.screenshot(path="/tmp/oa-meetings-signin-tablet.png")
    expect(org_page.locator('[data-count="signed_in"]')).to_have_text("1")
    expect(screen.locator("[data-signed-in]")).to_have_text("1")

    assert org_problems == [] and staff_problems == []
    org_context.close()
    staff_context.close()
