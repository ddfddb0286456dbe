"""Words that appear only in an attachment find its document, and the snippet says which attachment. Files are
read by the indexing task (after commit), within limits: a broken or hostile file is indexed without its text."""

import hashlib
import io
import logging
import zipfile
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from documents.models import Attachment
from search import attachments, services

from .archive_helpers import receive, sent_document


def make_docx(paragraphs, table=None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(pages) -> bytes:
    """A small valid PDF, one line of (Latin) text per page."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
        content = len(objects)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_xlsx(strings) -> bytes:
    buffer = io.BytesIO()
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>',
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            '<c r="A1" t="inlineStr"><is><t>行内文字闸坡</t></is></c></row></sheetData></worksheet>',
        )
    return buffer.getvalue()


def attach(document, name, data, kind, position=0) -> Attachment:
    with transaction.atomic():
        return Attachment.objects.create(
            document=document,
            file=ContentFile(data, name=name),
            name=name,
            kind=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            position=position,
            uploaded_by=document.drafter,
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    attachments._CACHE.clear()
    return settings


@pytest.fixture
def document(embedded, media, personas):
    return sent_document(personas.yj_staff, "阳江市关于开展防汛检查的通知", "请各地做好防汛检查工作。")


def test_a_word_only_in_a_docx_attachment_finds_the_document_and_names_the_attachment(document, personas):
    attach(
        document,
        "责任人名单.docx",
        make_docx(["各镇街防汛责任人名单", "海陵岛 闸坡镇 责任人 林某"], [["单位", "联系人"], ["北惯镇", "陈某"]]),
        "docx",
    )
    services.reindex_all()
    result = services.search(personas.yj_staff, {"q": "闸坡镇"})
    assert [h.key for h in result.hits] == [f"doc:{document.pk}"]
    hit = result.hits[0]
    assert hit.snippet_from == "附件《责任人名单.docx》" and "<mark>闸坡镇</mark>" in hit.snippet_html
    assert services.search(personas.yj_staff, {"q": "北惯镇"}).total == 1  # table cells too
    # A word of the body: the snippet is from the body.
    assert services.search(personas.yj_staff, {"q": "防汛检查"}).hits[0].snippet_from == ""
    assert services.search(personas.jy_staff, {"q": "闸坡镇"}).total == 0


def test_pdf_xlsx_txt_and_csv_attachments_are_read(document, personas):
    attach(document, "survey.pdf", make_pdf(["Binhai wetland survey", "Mangrove restoration plan"]), "pdf", 1)
    attach(document, "台账.xlsx", make_xlsx(["渔港改造台账", "漠阳江碧道"]), "xlsx", 2)
    attach(document, "说明.txt", "关于红树林保护的补充说明".encode("gb18030"), "txt", 3)
    attach(document, "清单.csv", "名称,数量\n救生衣,200\n".encode("utf-8-sig"), "csv", 4)
    services.reindex_all()
    for q, source in [
        ("wetland", "附件《survey.pdf》"),
        ("mangrove", "附件《survey.pdf》"),
        ("渔港改造", "附件《台账.xlsx》"),
        ("闸坡", "附件《台账.xlsx》"),
        ("红树林", "附件《说明.txt》"),
        ("救生衣", "附件《清单.csv》"),
    ]:
        result = services.search(personas.yj_staff, {"q": q})
        assert [h.key for h in result.hits] == [f"doc:{document.pk}"], q
        assert result.hits[0].snippet_from == source, q


def test_a_received_copy_is_found_by_the_senders_attachment(document, org_tree):
    from .archive_helpers import clerk_of

    attach(document, "名单.docx", make_docx(["溪头镇防汛物资储备点"]), "docx")
    received = receive(org_tree.jc_gov, document.title, source=document)
    services.reindex_all()
    result = services.search(clerk_of(org_tree.jc_gov), {"q": "溪头镇"})
    assert [h.key for h in result.hits] == [f"in:{received.pk}"] and result.hits[0].snippet_from == "附件《名单.docx》"


def test_files_are_read_by_the_indexing_task_after_commit_not_in_the_request(
    embedded, media, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = sent_document(personas.yj_staff, "阳江市关于开展防汛检查的通知", "请各地做好防汛检查工作。")
    with mock.patch("search.attachments.extract", wraps=attachments.extract) as extract:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            attach(document, "名单.docx", make_docx(["沙扒湾旅游安全"]), "docx")
        extract.assert_not_called()
        for callback in callbacks:
            callback()
        assert extract.call_count == 1
        # The consistency check compares fingerprints without reading any file.
        assert services.check_index().ok
        assert extract.call_count == 1
    assert services.search(personas.yj_staff, {"q": "沙扒湾"}).total == 1


def test_broken_and_hostile_files_are_indexed_without_their_text(document, personas, media, caplog):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<" + b"a" * (60 * 1024 * 1024))  # expands far past the part limit
    attach(document, "broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 500, "pdf", 1)
    attach(document, "bomb.docx", bomb.getvalue(), "docx", 2)
    attach(document, "不是文档.docx", b"PK\x03\x04 not a zip at all", "docx", 3)
    attach(document, "照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "png", 4)
    with caplog.at_level(logging.WARNING, logger="search.attachments"):
        services.reindex_all()
    assert services.search(personas.yj_staff, {"q": "防汛检查"}).total == 1  # the document is indexed
    logged = caplog.text
    assert "broken.pdf" in logged and "bomb.docx" in logged and "不是文档.docx" in logged
    assert "照片.png" not in logged  # images have no text to read: nothing to complain about
    assert services.check_index().ok


def test_size_page_and_character_limits(document, personas, media):
    media.SEARCH_ATTACHMENT_MAX_PAGES = 1
    media.SEARCH_ATTACHMENT_MAX_CHARS = 40
    media.SEARCH_ATTACHMENT_MAX_BYTES = 5000
    attach(document, "pages.pdf", make_pdf(["Firstpage words", "Secondpage words"]), "pdf", 1)
    attach(document, "long.txt", ("开头词语" + "填充" * 100 + "结尾词语").encode(), "txt", 2)
    attach(document, "big.txt", ("巨大文件" + "x" * 6000).encode(), "txt", 3)
    services.reindex_all()

    def found(q):
        return services.search(personas.yj_staff, {"q": q}).total

    assert (found("firstpage"), found("secondpage")) == (1, 0)
    assert (found("开头词语"), found("结尾词语")) == (1, 0)
    assert found("巨大文件") == 0


def test_a_slow_extraction_stops_at_its_time_budget(media, monkeypatch):
    clock = iter([0, 5, 30, 40])  # started, first piece, the reader's check, second piece
    monkeypatch.setattr(attachments.time, "monotonic", lambda: next(clock))
    out = attachments._Collector()  # budget: 20 s
    out.add("第一段")
    assert out.full
    out.add("第二段")
    assert out.text() == "第一段"
