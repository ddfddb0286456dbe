"""Headless Chromium: the drafter keeps the flow page open while the leader signs elsewhere; the page shows the
new step and the leader's opinion without a reload, and what the drafter was typing survives the update."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_flow_page_updates_live_when_someone_acts(asgi_server, browser):
    made = asgi_server.hook("workflow_live_flow", {})
    base = asgi_server.url
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/documents/flow/{made['flow_id']}/")
    page.locator("input[name=username]").fill(made["username"])
    page.locator("input[name=password]").fill(made["password"])
    page.get_by_role("button", name="登 录").click()
    expect(page.locator("#flow-state")).to_have_text("签发")
    expect(page.locator("[data-flow-live]")).to_have_attribute("data-flow-live", "open")
    page.locator("input[aria-label=评论]").fill("请尽快签发")

    assert asgi_server.hook("workflow_leader_signs", {"flow_id": made["flow_id"]})["state"] == "numbering"

    expect(page.locator("#flow-state")).to_have_text("编号")
    expect(page.get_by_text("同意印发")).to_be_visible()
    expect(page.locator("[data-flow-live]")).to_have_attribute("data-flow-live", "updated")
    expect(page.locator("input[aria-label=评论]")).to_have_value("请尽快签发")
    assert not errors, errors
    context.close()
