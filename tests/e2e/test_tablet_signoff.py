"""领导签批 on a tablet (768×1024, touch): the leader opens the queue, the next document opens by itself,
draws a signature with pointer events on the pad, approves, and the handwriting is in the 发文稿纸 PDF."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_tablet_handwritten_signoff_lands_in_processing_sheet(asgi_server, browser):
    account = asgi_server.hook("seed")
    made = asgi_server.hook("signoff_flow", {})
    base = asgi_server.url
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/documents/sign/")
    page.locator("input[name=username]").fill(account["username"])
    page.locator("input[name=password]").fill(account["password"])
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{base}/documents/flow/{made['flow_id']}/sign/")

    # The URL changes as soon as the page commits; its script (which runs only once the page's stylesheet is in)
    # attaches the pad's listeners a moment later. Measuring before that measured unstyled buttons.
    pad = page.locator("#sign-pad[data-ready='1']")
    expect(pad).to_be_attached()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.sign-btn')).minHeight === '48px'"
    )

    # touch targets: every button of the pad is at least 44 px both ways
    for button in page.locator(".sign-btn").all():
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    # The page preview above the pad keeps its A4 box while it loads: the pad must not move when it arrives.
    before = pad.bounding_box()
    page.wait_for_function("() => document.getElementById('sign-page-img').complete")
    assert pad.bounding_box()["y"] == pytest.approx(before["y"], abs=1)
    # Below the page preview on a portrait tablet: the leader scrolls down to it.
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x0, y0 = box["x"] + 30, box["y"] + 40
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 25):
        page.mouse.move(x0 + i * 12, y0 + (30 if i % 2 else 0) + i * 3)
    page.mouse.up()
    # a stray stroke, undone
    page.mouse.move(x0, y0 + 150)
    page.mouse.down()
    page.mouse.move(x0 + 200, y0 + 160)
    page.mouse.up()
    page.get_by_role("button", name="撤销").click()

    page.locator("[data-opinion='同意']").click()
    page.get_by_role("button", name="签批提交").click()
    expect(page.get_by_text("没有待签批的公文")).to_be_visible()

    data = page.request.get(f"{base}/api/flows/{made['flow_id']}/").json()
    signoff = [t for t in data["tasks"] if t["step"] == "signoff" and t["decision"] == "approve"]
    assert data["state"] == "numbering" and signoff and signoff[0]["has_handwriting"]
    assert signoff[0]["opinion"] == "同意"

    sheet = page.request.get(f"{base}/documents/flow/{made['flow_id']}/sheet.pdf")
    assert sheet.status == 200 and sheet.body().startswith(b"%PDF")
    assert b"/Subtype /Image" in sheet.body()
    assert not [e for e in errors if "preview" not in e], errors
    context.close()
