"""Attachments are judged by content, within a size limit; every bad file is a clear error and nothing of
the save (document change, version, stored file) remains."""

import io
import os
import zipfile

import pytest

from documents import services
from documents.models import Attachment, Document, DocumentVersion
from documents.uploads import inspect_upload
from oa.core.errors import ServiceError

from .files import docx_bytes, ofd_bytes, pdf_bytes, png_bytes, upload, zip_bomb_bytes

pytestmark = pytest.mark.django_db


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files] if os.path.exists(root) else []


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("方案.docx", docx_bytes(), "docx"),
        ("扫描件.pdf", pdf_bytes(), "pdf"),
        ("版式.ofd", ofd_bytes(), "ofd"),
        ("照片.png", png_bytes(), "png"),
    ],
)
def test_real_files_are_accepted_and_recognised(name, data, kind):
    assert inspect_upload(upload(name, data)).kind == kind


def test_kind_comes_from_content_and_the_name_is_corrected():
    info = inspect_upload(upload("报告.pdf", png_bytes()))
    assert info.kind == "png" and info.name == "报告.png"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("假文件.docx", b"This is plain text pretending to be a Word file." * 10, "不是允许的类型"),
        ("压缩包.docx", b"PK\x03\x04" + b"garbage" * 50, "已损坏"),
        ("表格.docx", None, "缺少 word/document.xml"),
        ("坏.pdf", b"%PDF-1.7\n garbage with no end", "不是完整的 PDF"),
        ("坏.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "已损坏或格式不正确"),
        ("程序.exe", b"MZ\x90\x00" + b"\x00" * 100, "不是允许的类型"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, data, message):
    if data is None:  # a valid zip that is not a docx (e.g. an .xlsx)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
        data = out.getvalue()
    with pytest.raises(ServiceError, match=message):
        inspect_upload(upload(name, data))


def test_zip_bomb_is_refused():
    bomb = zip_bomb_bytes(64)
    assert len(bomb) < 1024 * 1024  # tiny on the wire
    with pytest.raises(ServiceError, match="压缩炸弹"):
        inspect_upload(upload("炸弹.docx", bomb))


def test_oversized_upload_is_refused_before_reading(settings):
    settings.UPLOAD_MAX_MB = 1
    with pytest.raises(ServiceError, match="过大.*上限为 1 MB"):
        inspect_upload(upload("大文件.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10)))


def test_bad_attachment_on_save_leaves_nothing_half_saved(make_draft, personas, settings):
    doc = make_draft()
    good = upload("方案.docx", docx_bytes())
    fake = upload("假的.docx", b"not a docx at all" * 20)
    with pytest.raises(ServiceError, match="假的.docx"):
        services.update_draft(personas.yj_staff, doc, {"title": "关于改了标题的通知"}, files=[good, fake])
    doc.refresh_from_db()
    assert doc.title == "阳江市人民政府关于做好2025年防汛工作的通知"
    assert doc.versions.count() == 1 and not Attachment.objects.exists()
    assert _stored_files(settings) == []


def test_failure_after_files_were_stored_removes_them(make_draft, personas, settings, monkeypatch):
    doc = make_draft()
    from documents.services import drafting

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while writing the version")

    monkeypatch.setattr(drafting, "new_version", broken)
    with pytest.raises(RuntimeError):
        services.update_draft(personas.yj_staff, doc, {}, files=[upload("a.pdf", pdf_bytes())])
    assert not Attachment.objects.exists() and _stored_files(settings) == []


def test_attachments_are_stored_under_a_random_name_and_versioned(make_draft, personas):
    doc = make_draft()
    version = services.add_attachments(personas.yj_staff, doc, [upload("../../etc/名单.pdf", pdf_bytes())])
    attachment = Attachment.objects.get()
    assert attachment.name == "名单.pdf" and attachment.kind == "pdf"
    assert "名单" not in attachment.file.name and ".." not in attachment.file.name
    assert version.snapshot["attachments"] == [{"id": attachment.pk, "name": "名单.pdf"}]


def test_classified_or_control_character_draft_with_files_stores_no_file(personas, org_tree, settings):
    with pytest.raises(ServiceError):
        services.create_draft(personas.yj_staff, {"title": "关于\x00的通知"}, files=[upload("a.pdf", pdf_bytes())])
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert _stored_files(settings) == []
