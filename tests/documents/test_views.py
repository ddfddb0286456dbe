"""Drafting pages: they load, save through the services, and a draft is invisible (404) outside its unit."""

import pytest
from django.urls import reverse

from documents.models import Document, UnitTemplate

from .files import docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, personas):
    client.force_login(personas.yj_staff)
    return client


def _post_data(org_tree, **extra):
    data = {
        "doc_type": "通知",
        "secrecy": "",
        "urgency": "",
        "copy_number": "",
        "issuers": [str(org_tree.yj_gov.pk), ""],
        "signers": "",
        "title": "阳江市人民政府关于做好防汛工作的通知",
        "main_units": [str(org_tree.jc_gov.pk)],
        "main_recipients_text": "",
        "attachment_note": "",
        "signature": "",
        "written_date": "2025-05-06",
        "note": "",
        "cc_text": "",
        "printer": "阳江市人民政府办公室",
        "print_date": "2025-05-07",
        "publicity": "主动公开",
        "block-0-kind": "paragraph",
        "block-0-text": "现将有关事项通知如下。",
        "block-1-kind": "heading1",
        "block-1-text": "总体要求",
        "block-2-kind": "table",
        "block-2-text": "单位 | 责任人\n江城区 | 张三",
        "block-3-kind": "paragraph",
        "block-3-text": "",
    }
    data.update(extra)
    return data


def test_pages_load(staff, make_draft):
    doc = make_draft()
    for url in (
        reverse("documents:index"),
        reverse("documents:create"),
        reverse("documents:edit", args=[doc.pk]),
        reverse("documents:versions", args=[doc.pk]),
        reverse("documents:diff", args=[doc.pk]),
        reverse("documents:changes", args=[doc.pk]),
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
    index = staff.get(reverse("documents:index")).content.decode()
    assert doc.title in index


def test_editor_shows_fields_blocks_and_checker_findings(staff, make_draft):
    doc = make_draft(title="关于防汛的意见")  # wrong 文种 ending: a red finding
    page = staff.get(reverse("documents:edit", args=[doc.pk])).content.decode()
    assert 'name="block-1-kind"' in page and "一、总体要求" in page
    assert "doc-finding-error" in page and "标题应以文种“通知”结尾" in page
    assert "documents/editor.js" in page
    assert 'type="date" name="written_date" value="2025-05-06"' in page  # ISO, as <input type=date> needs


def test_create_through_the_form(staff, org_tree, personas):
    response = staff.post(reverse("documents:create"), _post_data(org_tree))
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:edit", args=[doc.pk])
    assert doc.body == [
        {"kind": "paragraph", "text": "现将有关事项通知如下。"},
        {"kind": "heading1", "text": "一、总体要求"},
        {"kind": "table", "rows": [["单位", "责任人"], ["江城区", "张三"]]},
    ]
    assert doc.drafter == personas.yj_staff and doc.addressee_units("main") == [org_tree.jc_gov]


def test_joint_issuers_keep_the_posted_order(staff, org_tree):
    staff.post(
        reverse("documents:create"),
        _post_data(org_tree, issuers=[str(org_tree.yj_edu.pk), str(org_tree.yj_gov.pk), ""]),
    )
    assert Document.objects.get().ordered_issuers() == [org_tree.yj_edu, org_tree.yj_gov]


def test_classified_form_post_is_refused_and_nothing_saved(staff, org_tree):
    response = staff.post(reverse("documents:create"), _post_data(org_tree, secrecy="机密"))
    assert response.status_code == 400
    assert "涉密网络" in response.content.decode()
    assert not Document.objects.exists()


def test_control_character_in_body_post_is_refused_and_kept_for_correction(staff, org_tree):
    response = staff.post(reverse("documents:create"), _post_data(org_tree, **{"block-0-text": "坏\x07字符"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "U+0007" in page and "总体要求" in page  # the posted body is shown again, not lost
    assert not Document.objects.exists()


def test_edit_with_attachment_and_docx_import(staff, org_tree, make_draft):
    doc = make_draft()
    data = _post_data(org_tree, base_version="1", attachment_note="名单")
    data["attachments"] = [upload("名单.pdf", pdf_bytes())]
    data["import_docx"] = upload("正文.docx", docx_bytes(lambda d: d.add_paragraph("一、导入的标题")))
    response = staff.post(reverse("documents:edit", args=[doc.pk]), data)
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.body == [{"kind": "heading1", "text": "一、导入的标题"}]
    assert [a.name for a in doc.active_attachments()] == ["名单.pdf"]
    attachment = doc.active_attachments()[0]
    download = staff.get(reverse("documents:attachment", args=[doc.pk, attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_fake_docx_attachment_in_form_is_refused(staff, org_tree, make_draft):
    doc = make_draft()
    data = _post_data(org_tree, base_version="1", title="关于改了的通知")
    data["attachments"] = [upload("方案.docx", b"just text" * 30)]
    response = staff.post(reverse("documents:edit", args=[doc.pk]), data)
    assert response.status_code == 400 and "不是允许的类型" in response.content.decode()
    doc.refresh_from_db()
    assert doc.title != "关于改了的通知" and doc.versions.count() == 1


def test_stale_form_is_refused(staff, org_tree, make_draft, personas):
    from documents import services

    doc = make_draft()
    services.update_draft(personas.yj_clerk, doc, {"note": "收发员改过"})
    response = staff.post(reverse("documents:edit", args=[doc.pk]), _post_data(org_tree, base_version="1"))
    assert response.status_code == 400 and "请刷新页面" in response.content.decode()


@pytest.mark.parametrize("name", ["edit", "versions", "diff", "changes", "preview", "preview_pdf", "export_docx"])
def test_other_units_get_404(client, personas, make_draft, name):
    doc = make_draft()
    client.force_login(personas.jy_staff)
    assert client.get(reverse(f"documents:{name}", args=[doc.pk])).status_code == 404
    assert doc.title not in client.get(reverse("documents:index")).content.decode()


def test_other_units_cannot_post_either(client, personas, make_draft, org_tree):
    doc = make_draft()
    client.force_login(personas.jy_staff)
    assert client.post(reverse("documents:edit", args=[doc.pk]), _post_data(org_tree)).status_code == 404
    assert client.post(reverse("documents:restore", args=[doc.pk, 1])).status_code == 404
    assert client.post(reverse("documents:assign_number", args=[doc.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, make_draft):
    doc = make_draft()
    response = client.get(reverse("documents:edit", args=[doc.pk]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_diff_and_restore_pages(staff, make_draft, personas):
    from documents import services

    doc = make_draft()
    services.update_draft(personas.yj_clerk, doc, {"title": "阳江市人民政府关于切实做好2025年防汛工作的通知"})
    page = staff.get(reverse("documents:diff", args=[doc.pk]), {"from": 1, "to": 2}).content.decode()
    assert '<ins class="doc-ins author-0" title="周收发 插入">切实</ins>' in page
    changes = staff.get(reverse("documents:changes", args=[doc.pk]), {"from": 1, "to": 2}).content.decode()
    assert "周收发" in changes and "插入 2 字" in changes
    response = staff.post(reverse("documents:restore", args=[doc.pk, 1]))
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "阳江市人民政府关于做好2025年防汛工作的通知" and doc.versions.count() == 3


def test_clerk_numbers_from_the_editor(client, personas, make_draft):
    doc = make_draft()
    client.force_login(personas.yj_clerk)
    assert "编发文字号" in client.get(reverse("documents:edit", args=[doc.pk])).content.decode()
    client.post(reverse("documents:assign_number", args=[doc.pk]))
    doc.refresh_from_db()
    assert doc.doc_number.startswith("阳府〔") and doc.doc_number.endswith("〕1号")


def test_unit_admin_edits_the_template_and_others_cannot(client, personas, org_tree):
    url = reverse("documents:unit_template", args=[org_tree.yj_gov.pk])
    client.force_login(personas.yj_staff)
    assert client.get(url).status_code == 404
    client.force_login(personas.yj_admin)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "issuer_mark": "阳江市人民政府办公室",
            "issuer_mark_suffix": "文件",
            "code_override": "阳府办",
            "default_printer": "阳江市人民政府办公室",
        },
    )
    assert response.status_code == 302
    template = UnitTemplate.objects.get(unit=org_tree.yj_gov)
    assert (template.issuer_mark, template.code_override) == ("阳江市人民政府办公室", "阳府办")
    bad = client.post(
        url, {"issuer_mark": "", "issuer_mark_suffix": "文件", "code_override": "阳府办〔", "default_printer": ""}
    )
    assert bad.status_code == 400 and "机关代字不能含有括号" in bad.content.decode()
    # an admin of a lower unit cannot edit the city's template
    client.force_login(personas.jc_admin)
    assert client.get(url).status_code == 404
    assert client.get(reverse("documents:unit_template", args=[org_tree.jc_gov.pk])).status_code == 200
