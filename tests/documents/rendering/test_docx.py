"""DOCX export: opens with python-docx and carries the same structure as the PDF."""

import io
from dataclasses import replace

import docx
import pytest
from docx.oxml.ns import qn

from documents.rendering import render_docx

from .measure import three_page_doc


@pytest.fixture(scope="module")
def spec():
    return three_page_doc().spec


@pytest.fixture(scope="module")
def document(spec):
    return docx.Document(io.BytesIO(render_docx(spec)))


def test_page_setup_gives_the_156_by_225_type_area(document):
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert section.top_margin.mm == pytest.approx(37, abs=0.1)
    assert section.left_margin.mm == pytest.approx(28, abs=0.1)
    assert section.page_width.mm - section.left_margin.mm - section.right_margin.mm == pytest.approx(156, abs=0.1)
    assert section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm == pytest.approx(225, abs=0.1)
    line = document.styles["Normal"].paragraph_format.line_spacing.pt
    assert 22 * line <= 225 / 25.4 * 72 and 23 * line > 225 / 25.4 * 72  # exactly 22 lines fit


def test_same_paragraphs_as_the_document(document, spec):
    texts = [p.text for p in document.paragraphs]
    assert "阳江市人民政府文件" in texts
    assert spec.doc_number in texts
    assert any(t.replace("\n", "") == spec.title for t in texts)
    assert spec.main_recipients + "：" in texts
    body = [b.text for b in spec.body]
    start = texts.index(body[0])
    assert texts[start : start + len(body)] == body
    assert "附件：" + spec.attachments[0] in texts
    assert spec.signatures[0] in texts and spec.date_text in texts
    assert "（此件公开发布）" in texts
    imprint = [p.text for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    assert "抄送：市委各部门，市人大常委会办公室，市政协办公室。" in imprint
    assert "阳江市人民政府办公室\t2021年9月10日印发" in imprint


def test_fonts_styles_and_the_red_mark_and_rule(document, spec):
    by_text = {p.text: p for p in document.paragraphs}
    mark = by_text["阳江市人民政府文件"]
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    rfonts = mark.runs[0]._r.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    rule = by_text[spec.doc_number]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    heading = by_text[spec.body[0].text]
    assert heading.style.name == "一级标题"
    assert heading.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    paragraph = by_text[spec.body[1].text]
    assert paragraph._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    # Substitutes for machines without the GB2312 faces.
    font_table = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    assert "仿宋_GB2312" in font_table.blob.decode() and "仿宋" in font_table.blob.decode()


def test_imprint_rules_thick_and_thin(document):
    table = document.tables[-1]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    sizes = {side: borders.find(qn(f"w:{side}")).get(qn("w:sz")) for side in ("top", "insideH", "bottom")}
    assert sizes == {"top": "8", "insideH": "6", "bottom": "8"}  # eighths of a point: 0.35 mm / 0.25 mm


def test_odd_and_even_footers_with_page_fields(document):
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for p in (odd, even):
        xml = p._p.xml
        assert "PAGE" in xml and "— " in p.text and " —" in p.text
    assert odd.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert even.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.LEFT


def test_letter_has_no_number_on_the_first_page(spec):
    letter = docx.Document(io.BytesIO(render_docx(replace(spec, format="letter"))))
    section = letter.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" not in section.first_page_footer.paragraphs[0]._p.xml
