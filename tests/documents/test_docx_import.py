"""Importing a body from .docx: paragraphs, headings (by style or by numbering prefix) and tables, in order."""

import pytest

from documents import services
from documents.docx_import import read_docx_body
from documents.models import DocumentVersion
from oa.core.errors import ServiceError

from .files import docx_bytes, upload

pytestmark = pytest.mark.django_db


def _build(document):
    document.add_paragraph("阳江市人民政府关于做好防汛工作的通知", style="Title")
    document.add_paragraph("为切实做好防汛工作，现通知如下。")
    document.add_paragraph("总体要求", style="Heading 1")  # by style, no prefix: one is added
    document.add_paragraph("（一）压实责任")  # by prefix
    document.add_paragraph("1.明确分工")
    document.add_paragraph("（1）市级层面")
    document.add_paragraph("")  # empty paragraphs are dropped
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["序号", "单位", "责任人"], ["1", "江城区", "张三"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("二、工作措施")
    document.add_paragraph("加强值班值守。")


def test_headings_paragraphs_and_tables_in_order():
    blocks = read_docx_body(upload("通知.docx", docx_bytes(_build)))
    assert blocks == [
        {"kind": "paragraph", "text": "阳江市人民政府关于做好防汛工作的通知"},
        {"kind": "paragraph", "text": "为切实做好防汛工作，现通知如下。"},
        {"kind": "heading1", "text": "一、总体要求"},
        {"kind": "heading2", "text": "（一）压实责任"},
        {"kind": "heading3", "text": "1.明确分工"},
        {"kind": "heading4", "text": "（1）市级层面"},
        {"kind": "table", "rows": [["序号", "单位", "责任人"], ["1", "江城区", "张三"]]},
        {"kind": "heading1", "text": "二、工作措施"},
        {"kind": "paragraph", "text": "加强值班值守。"},
    ]


def test_chinese_style_names_are_recognised():
    def build(document):
        style = document.styles.add_style("标题 2", 1)  # WPS/Word in Chinese name the styles this way
        document.add_paragraph("压实责任", style=style)

    assert read_docx_body(upload("a.docx", docx_bytes(build))) == [{"kind": "heading2", "text": "（一）压实责任"}]


def test_import_through_the_service_replaces_the_body_as_a_new_version(make_draft, personas):
    doc = make_draft()
    doc, version = services.update_draft(personas.yj_staff, doc, {}, docx=upload("b.docx", docx_bytes(_build)))
    assert version.number == 2
    assert doc.body[2] == {"kind": "heading1", "text": "一、总体要求"}
    assert DocumentVersion.objects.get(document=doc, number=1).snapshot["body"][1]["text"] == "一、总体要求"


def test_a_docx_with_no_text_is_refused():
    with pytest.raises(ServiceError, match="没有可导入的正文"):
        read_docx_body(upload("empty.docx", docx_bytes(lambda d: None)))


def test_a_pdf_named_docx_is_refused_for_import():
    from .files import pdf_bytes

    with pytest.raises(ServiceError, match="此处只接受 Word"):
        read_docx_body(upload("fake.docx", pdf_bytes()))
