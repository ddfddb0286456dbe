"""Headless Chromium: a 档案员 opens the archive, files a finished 发文 as 永久, sees its DA/T 22 档号 on the
detail page, downloads the export package (manifest with a SHA-256 for every file, matching the bytes), and
records a 更正 — refused without a reason, then listed."""

import hashlib
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CODE = re.compile(r"^E2EA01-WS·2025-Y-BGS-\d{4}$")


def test_archivist_archives_sees_the_code_and_downloads_the_package(asgi_server, browser):
    setup = asgi_server.hook("archive_setup")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{asgi_server.url}/archive/")
    page.locator("input[name=username]").fill(setup["archivist"])
    page.locator("input[name=password]").fill(setup["password"])
    page.get_by_role("button", name="登 录").click()
    expect(page).to_have_url(f"{asgi_server.url}/archive/")

    row = page.locator(f"tr[data-candidate='document:{setup['document']}']")
    expect(row).to_contain_text(setup["title"])
    row.locator("select[name=retention]").select_option("Y")
    row.get_by_role("button", name="归档").click()

    code = page.locator("[data-archive-code]")
    expect(code).to_have_text(CODE)
    archive_code = code.inner_text()
    expect(page.locator("h1")).to_have_text(setup["title"])
    expect(page.locator("[data-verify]")).to_have_attribute("data-verify", "ok")
    expect(page.get_by_text(f"已归档，档号 {archive_code}")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载导出包").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as package:
        manifest = json.loads(package.read("manifest.json"))
        assert manifest["archive_code"] == archive_code
        assert manifest["files"], "the manifest lists the archived files"
        for entry in manifest["files"]:
            assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
            assert hashlib.sha256(package.read(entry["name"])).hexdigest() == entry["sha256"]
        assert {"metadata.json", "说明.txt", "corrections.json"} <= set(package.namelist())

    # 更正: without a reason it is refused with a clear message; with one it is listed, the 档号 unchanged.
    form = page.locator("form.archive-correct")
    form.locator("select[name=field]").select_option("title")
    form.locator("input[name=new_value]").fill("阳春市关于做好2025年秋冬季森林防火工作的通知")
    form.get_by_role("button", name="登记更正").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写更正原因")
    page.locator("form.archive-correct textarea[name=reason]").fill("题名漏写年度，据原件更正")
    page.locator("form.archive-correct").get_by_role("button", name="登记更正").click()
    expect(page.locator("tr[data-correction='1']")).to_contain_text("题名漏写年度，据原件更正")
    expect(page.locator("h1")).to_have_text("阳春市关于做好2025年秋冬季森林防火工作的通知")
    expect(page.locator("[data-archive-code]")).to_have_text(archive_code)
    assert not errors, errors
    context.close()
