"""会议 across units in headless Chromium: the organiser invites a whole 镇; its clerk signs for the 会议通知 in
the exchange inbox and nominates a colleague, who answers 请假 with a reason. The organiser's counts and
per-unit list (with the notice's exchange state) follow without a reload."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_meetings import _watch

pytestmark = pytest.mark.e2e


def _sign_in(context, base_url, username, password, next_path):
    page = context.new_page()
    problems = _watch(page)
    page.goto(f"{base_url}{next_path}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{base_url}{next_path}")
    page.wait_for_load_state("load")
    return page, problems


def _live(page):
    expect(page.locator("[data-mtg-live]")).to_have_attribute("data-mtg-live", "open")


def test_unit_signs_nominates_and_the_attendee_asks_leave_live(asgi_server, browser):
    s = asgi_server.hook("meetings_units_meeting")
    url, meeting_path = asgi_server.url, f"/meetings/{s['meeting']}/"
    size = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN"}

    org_context = browser.new_context(**size)
    org, org_problems = _sign_in(org_context, url, s["organiser"], s["password"], meeting_path)
    org.locator("select[name=units]").select_option(str(s["town"]))
    org.get_by_role("button", name="通知单位（由收发员报名）").click()
    expect(org.locator('[data-count="units_invited"]')).to_have_text("1")
    town_row = org.locator("[data-unit-invitation]", has_text="东平镇人民政府")
    expect(town_row.locator('[data-notice-kind="notice"]')).to_have_attribute("data-notice-state", "delivered")
    _live(org)

    clerk_context = browser.new_context(**size)
    clerk, clerk_problems = _sign_in(clerk_context, url, s["clerk"], s["password"], "/exchange/")
    row = clerk.locator("tr[data-delivery]", has_text="全区森林防火工作会议")
    row.get_by_role("button", name="签收").click()
    expect(clerk.locator("tr[data-delivery]", has_text="全区森林防火工作会议")).to_have_attribute(
        "data-state", "signed"
    )

    # No reload on the organiser's page: the socket brought the counts and the refreshed unit list.
    expect(org.locator('[data-count="units_signed"]')).to_have_text("1")
    expect(town_row.locator('[data-notice-kind="notice"]')).to_have_attribute("data-notice-state", "signed")

    invitation = asgi_server.hook("meetings_invitation_of", {"meeting": s["meeting"], "town": s["town"]})
    clerk.goto(f"{url}/meetings/invitations/{invitation['invitation']}/")
    clerk.locator("select[name=people]").select_option(str(s["attendee_id"]))
    clerk.get_by_role("button", name="提交报名").click()
    expect(clerk.locator("ul li", has_text="林镇科员")).to_be_visible()
    expect(org.locator('[data-count="units_nominated"]')).to_have_text("1")
    expect(org.locator('[data-count="pending"]')).to_have_text("1")
    expect(org.locator("[data-attendance]")).to_contain_text("林镇科员")

    attendee_context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
    attendee, attendee_problems = _sign_in(attendee_context, url, s["attendee"], s["password"], meeting_path)
    attendee.locator("input[name=response][value=leave]").check()
    attendee.locator("input[name=reason]").fill("参加全镇防汛检查")
    attendee.get_by_role("button", name="提交回执").click()
    expect(attendee.locator("[data-my-answer]")).to_have_attribute("data-my-answer", "leave")

    expect(org.locator('[data-count="leave"]')).to_have_text("1")
    expect(org.locator('[data-count="pending"]')).to_have_text("0")
    expect(org.locator("[data-attendance]")).to_contain_text("请假：参加全镇防汛检查")
    expect(town_row).to_contain_text("已报名")

    assert org_problems == [] and clerk_problems == [] and attendee_problems == []
    for context in (org_context, clerk_context, attendee_context):
        context.close()
