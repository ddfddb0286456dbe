"""The body editor in a real browser (headless Chromium): level buttons insert and renumber prefixes, split
at the cursor, moving renumbers, the live preview follows, and the saved body is what the editor showed.
Also: no CSP violation (no inline script or style)."""

import pytest
from django.conf import settings as django_settings

from documents import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def page(live_server, personas, client, monkeypatch):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM is used next to playwright's loop
    # The live server's request threads must not keep their connections open (CONN_MAX_AGE on PostgreSQL):
    # the test database could not be dropped afterwards.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    client.force_login(personas.yj_staff)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        page.csp_errors = []
        page.on("console", lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
        yield page
        browser.close()


def test_block_editor_levels_split_move_and_save(page, live_server, personas, draft_data):
    from playwright.sync_api import expect

    doc = services.create_draft(
        personas.yj_staff,
        {
            **draft_data,
            "body": [
                {"kind": "paragraph", "text": "第一段。总体要求"},
            ],
        },
    )
    page.goto(f"{live_server.url}/documents/{doc.pk}/")
    blocks = page.locator("[data-block]")
    first = blocks.nth(0).locator("textarea")
    # split after "第一段。": the rest becomes a new paragraph
    first.evaluate("el => { el.focus(); el.setSelectionRange(4, 4); }")
    blocks.nth(0).locator("[data-action=split]").click()
    assert first.input_value() == "第一段。"
    assert blocks.nth(1).locator("textarea").input_value() == "总体要求"
    # make it a first-level heading: the prefix is inserted
    blocks.nth(1).locator("[data-set-kind=heading1]").click()
    assert blocks.nth(1).locator("textarea").input_value() == "一、总体要求"
    # type a second heading in the trailing empty block, then move it above the first heading
    last = blocks.nth(2)
    last.locator("[data-set-kind=heading1]").click()
    last.locator("textarea").fill("工作措施")
    last.locator("[data-action=up]").click()
    texts = [blocks.nth(i).locator("textarea").input_value() for i in range(blocks.count())]
    assert texts == ["第一段。", "一、工作措施", "二、总体要求"]
    # a second-level heading under it gets （一）
    blocks.nth(2).locator("[data-action=add]").click()
    blocks.nth(3).locator("[data-set-kind=heading2]").click()
    blocks.nth(3).locator("textarea").fill("压实责任")
    blocks.nth(3).locator("textarea").blur()
    assert blocks.nth(3).locator("textarea").input_value() == "（一）压实责任"
    # the live preview follows the form
    page.fill("[name=title]", "阳江市人民政府关于加强防汛工作的通知")
    expect(page.locator("[data-live-preview]")).to_contain_text("加强防汛")
    assert "二、总体要求" in page.locator("[data-live-preview]").inner_text()
    page.locator(".doc-submit button[type=submit]").click()
    page.wait_for_selector(".flash")
    doc.refresh_from_db()
    assert doc.title == "阳江市人民政府关于加强防汛工作的通知"
    assert doc.written_date == draft_data["written_date"]  # untouched fields survive the round trip
    assert doc.addressee_units("main") == draft_data["main_units"]
    assert doc.body == [
        {"kind": "paragraph", "text": "第一段。"},
        {"kind": "heading1", "text": "一、工作措施"},
        {"kind": "heading1", "text": "二、总体要求"},
        {"kind": "heading2", "text": "（一）压实责任"},
    ]
    assert page.csp_errors == []
