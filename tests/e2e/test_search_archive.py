"""Headless Chromium: a 档案员 runs an advanced archive search (words + 文种 + year), sees highlighted hits and
facet counts, previews one, exports CSV; a person of another unit searching the same words sees none of them."""

import csv
import io

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

WANTED = {"阳江市关于推进漠阳江碧道建设的通知", "阳江市关于碧道沿线环境整治的通知"}


def _login(browser, server, username, password, path):
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}{path}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{server.url}{path}")
    return context, page, errors


def test_archivist_searches_previews_and_exports_and_another_unit_sees_none(asgi_server, browser):
    setup = asgi_server.hook("search_archive_setup")
    context, page, errors = _login(browser, asgi_server, setup["archivist"], setup["password"], "/search/archive/")

    page.locator("#a-q").fill("碧道")
    page.locator("#a-type").select_option("通知")
    page.locator("#a-yf").fill("2024")
    page.locator("#a-yt").fill("2024")
    page.get_by_role("button", name="检索").click()

    expect(page.locator("[data-total]")).to_have_text("2")
    titles = page.locator(".hit .hit-title")
    expect(titles).to_have_count(2)
    assert set(titles.all_inner_texts()) == WANTED  # the 2023 notice and the 函 are filtered out
    expect(page.locator(".hit-title mark").first).to_have_text("碧道")
    expect(page.locator(".hit-snippet mark").first).to_have_text("碧道")
    expect(page.locator(".hit .hit-box").first).to_have_text("归档")
    facets = page.locator(".search-facets")
    expect(facets.locator("[data-facet=doc_type] li", has_text="通知").locator(".count")).to_have_text("2")
    expect(facets.locator("[data-facet=year] li", has_text="2024").locator(".count")).to_have_text("2")
    expect(facets.locator("[data-facet=box] li", has_text="归档").locator(".count")).to_have_text("2")
    expect(facets.locator("[data-facet=retention] li", has_text="永久").locator(".count")).to_have_text("1")
    expect(facets.locator("[data-facet=retention] li", has_text="30年").locator(".count")).to_have_text("1")

    first = page.locator(".hit").first
    title = first.locator(".hit-title").inner_text()
    first.get_by_role("link", name="预览").click()
    expect(page.locator("h1.preview-title")).to_have_text(title)
    expect(page.locator("[data-box]")).to_have_text("归档")
    expect(page.locator("[data-archive-code]")).to_contain_text("WS·2024")
    expect(page.locator(".preview-body")).to_contain_text("加快推进漠阳江碧道建设")
    page.go_back()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0][:2] == ["发文字号", "标题"] and rows[0][-1] == "档号"
    assert {row[1] for row in rows[1:]} == WANTED
    assert all(row[6] == "归档" and "WS·2024" in row[8] for row in rows[1:])
    assert not errors, errors
    context.close()

    # Another unit's person: the same words find only their own unit's document, none of the archive's.
    context, page, errors = _login(browser, asgi_server, setup["outsider"], setup["password"], "/search/")
    page.locator("#search-q").fill("碧道")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("[data-total]")).to_have_text("1")
    expect(page.locator(".hit .hit-title")).to_have_text("揭阳市关于榕江碧道建设的通知")
    for wanted in WANTED:
        expect(page.get_by_text(wanted)).to_have_count(0)
    assert page.goto(f"{asgi_server.url}/search/archive/").status == 403  # the archive search is for 档案员
    assert not errors, errors
    context.close()
