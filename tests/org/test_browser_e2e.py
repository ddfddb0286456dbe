"""The organisation tree in headless Chromium: lazy expansion works under the strict CSP."""

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"


def test_tree_expands_lazily_without_csp_violations(live_server, org_tree, personas):
    from playwright.sync_api import sync_playwright

    username = personas.yj_staff.username  # read before the browser's event loop starts
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/accounts/login/?next=/org/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit], form input[type=submit]").last.click()
            page.wait_for_url("**/org/")
            page.get_by_role("button", name="展开 广东省人民政府").click()
            page.get_by_role("link", name="阳江市人民政府").first.wait_for()
            page.get_by_role("button", name="展开 阳江市人民政府").click()
            page.get_by_role("link", name="江城区人民政府").wait_for()
            assert page.get_by_text("本级部门和单位").first.is_visible()
            page.get_by_role("button", name="收起 阳江市人民政府").click()
            assert not page.get_by_role("link", name="江城区人民政府").is_visible()
            assert not [m for m in problems if "Content Security Policy" in m], problems
        finally:
            browser.close()
