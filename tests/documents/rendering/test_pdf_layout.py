"""GB/T 9704-2012 layout, measured on the produced PDF."""

import re
from dataclasses import replace

import pypdf
import pytest

from documents.rendering import Block, RenderSpec

from .measure import (
    CHAR_4HAO,
    FILLER,
    LINE,
    TYPE_AREA_BOTTOM,
    TYPE_AREA_LEFT,
    TYPE_AREA_RIGHT,
    TYPE_AREA_TOP,
    TYPE_AREA_W,
    baseline,
    chars,
    lines_of,
    mm,
    render,
    text,
    three_page_doc,
)

RED = (1.0, 0.0, 0.0)


def red_rects(page):
    return [r for r in page.rects if tuple(r["non_stroking_color"] or ()) == RED and r["fill"]]


def test_red_rule_is_as_wide_as_the_type_area_and_4mm_under_the_doc_number():
    doc = three_page_doc()
    page = doc.pages[0]
    rules = red_rects(page)
    assert len(rules) == 1
    rule = rules[0]
    assert mm(rule["x1"] - rule["x0"]) == pytest.approx(TYPE_AREA_W, abs=0.2)
    assert mm(rule["x0"]) == pytest.approx(TYPE_AREA_LEFT, abs=0.2)
    number = [c for c in chars(page, size=16) if c["text"] in "〔〕"]
    number_bottom = mm(max(c["bottom"] for c in number))
    rule_middle = mm((rule["top"] + rule["bottom"]) / 2)
    assert rule_middle - number_bottom == pytest.approx(4.0, abs=0.5)


def test_issuer_mark_is_red_and_its_top_35mm_below_the_type_area_top():
    page = three_page_doc().pages[0]
    mark = [c for c in page.chars if c["size"] > 30]
    assert "".join(c["text"] for c in mark) == "阳江市人民政府文件"
    assert all(tuple(c["non_stroking_color"]) == RED for c in mark)
    assert mm(min(c["top"] for c in mark)) - TYPE_AREA_TOP == pytest.approx(35.0, abs=0.5)
    centre = mm((min(c["x0"] for c in mark) + max(c["x1"] for c in mark)) / 2)
    assert centre == pytest.approx(TYPE_AREA_LEFT + TYPE_AREA_W / 2, abs=1.0)


def test_top_margin_is_37mm_and_the_copy_number_sits_top_left():
    doc = three_page_doc()
    first = lines_of(doc.pages[0])[0]
    assert "".join(c["text"] for c in first[1]) == "000001"
    assert first[0] == pytest.approx(TYPE_AREA_TOP, abs=0.5)
    assert mm(first[1][0]["x0"]) == pytest.approx(TYPE_AREA_LEFT, abs=0.2)
    top_of_page_2 = lines_of(doc.pages[1])[0][0]
    assert top_of_page_2 == pytest.approx(TYPE_AREA_TOP, abs=0.5)


def test_a_full_page_holds_22_body_lines_on_the_type_area_grid():
    page = three_page_doc().pages[1]
    lines = lines_of(page)
    assert len(lines) == 22
    tops = [top for top, _ in lines]
    pitches = [b - a for a, b in zip(tops, tops[1:], strict=False)]
    assert all(p == pytest.approx(225 / 22, abs=0.05) for p in pitches)
    assert tops[-1] + 225 / 22 == pytest.approx(TYPE_AREA_BOTTOM, abs=0.5)


def test_a_full_line_holds_28_characters_spanning_the_type_area():
    page = three_page_doc().pages[1]
    full = [cs for _, cs in lines_of(page) if len(cs) == 28]
    assert len(full) >= 15  # every line but paragraph ends and first lines (indented two characters)
    counts = sorted({len(cs) for _, cs in lines_of(page)})
    assert max(counts) == 28
    for cs in full:
        assert mm(cs[0]["x0"]) == pytest.approx(TYPE_AREA_LEFT, abs=0.2)
        assert mm(cs[-1]["x1"]) == pytest.approx(TYPE_AREA_RIGHT, abs=1.0)  # the last glyph ends at the edge
        pitch = (mm(cs[-1]["x0"]) - mm(cs[0]["x0"])) / 27
        assert pitch == pytest.approx(TYPE_AREA_W / 28, abs=0.01)
    first_lines = [cs for _, cs in lines_of(page) if len(cs) == 26]
    assert first_lines and all(
        mm(cs[0]["x0"]) == pytest.approx(TYPE_AREA_LEFT + 2 * 156 / 28, abs=0.2) for cs in first_lines
    )


def test_body_text_is_3hao_and_the_title_2hao_centred_one_line_under_the_rule():
    page = three_page_doc().pages[0]
    title = [c for c in page.chars if abs(c["size"] - 22) < 0.1]
    assert "".join(c["text"] for c in title) == "阳江市人民政府关于进一步加强全市安全生产工作的通知"
    rule = red_rects(page)[0]
    first_title_top = mm(min(c["top"] for c in title))
    assert LINE * 0.9 <= first_title_top - mm(rule["bottom"]) <= 2 * LINE
    rows = {}
    for c in title:
        rows.setdefault(round(baseline(page, c)), []).append(c)
    assert len(rows) == 2  # a long title goes over two lines
    for cs in rows.values():
        centre = mm((min(c["x0"] for c in cs) + max(c["x1"] for c in cs)) / 2)
        assert centre == pytest.approx(TYPE_AREA_LEFT + TYPE_AREA_W / 2, abs=2.0)


def test_page_numbers_alternate_right_and_left_7mm_under_the_type_area():
    doc = three_page_doc()
    for n, page in enumerate(doc.pages[:3], start=1):
        number = [c for c in chars(page, size=14) if mm(c["top"]) > TYPE_AREA_BOTTOM]
        assert "".join(c["text"] for c in number).replace(" ", "") == f"—{n}—"
        middle = mm((number[0]["top"] + number[0]["bottom"]) / 2)
        assert middle - TYPE_AREA_BOTTOM == pytest.approx(7.0, abs=1.0)
        if n % 2:
            assert mm(max(c["x1"] for c in number)) == pytest.approx(TYPE_AREA_RIGHT - CHAR_4HAO, abs=0.5)
        else:
            assert mm(min(c["x0"] for c in number)) == pytest.approx(TYPE_AREA_LEFT + CHAR_4HAO, abs=0.5)


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_extracted_text_equals_the_document_text():
    doc = three_page_doc()
    spec = doc.spec
    pages = [_flat(text(p)) for p in doc.pages]
    # Drop the page numbers, then read the pages in order.
    whole = "".join(re.sub(rf"—{n}—$", "", t) for n, t in enumerate(pages, start=1))
    expected_flow = (
        _flat(spec.title)
        + spec.main_recipients
        + "："
        + "".join(b.text for b in spec.body)
        + "附件："
        + spec.attachments[0]
        + spec.signatures[0]
        + spec.date_text
        + "（"
        + spec.note
        + "）"
    )
    assert expected_flow in whole
    assert whole.startswith("000001特急阳江市人民政府文件阳府〔2021〕7号")
    assert whole.endswith("抄送：市委各部门，市人大常委会办公室，市政协办公室。阳江市人民政府办公室2021年9月10日印发")


def test_fonts_are_embedded_as_subsets():
    reader = pypdf.PdfReader(__import__("io").BytesIO(three_page_doc().result.pdf))
    seen = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            seen[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile2", "/FontFile", "/FontFile3"))
    assert seen, "no fonts found"
    assert all(seen.values()), seen
    assert all(re.match(r"^/?[A-Z]{6}\+", name) for name in seen), seen
    assert any("FangSong" in n for n in seen) and any("Sungti" in n or "Bousung" in n for n in seen)


def _seal_geometry(doc):
    slot = doc.result.seal_slots[0]
    page = doc.pages[slot.page - 1]
    lines = lines_of(page)
    date = next((top, cs) for top, cs in lines if "".join(c["text"] for c in cs) == doc.spec.date_text)
    signature = next((top, cs) for top, cs in lines if "".join(c["text"] for c in cs) == doc.spec.signatures[0])
    return slot, page, lines, signature, date


def test_seal_slot_presses_on_signature_and_date_within_one_line_of_the_text():
    doc = three_page_doc()
    assert len(doc.result.seal_slots) == 1
    slot, page, lines, signature, date = _seal_geometry(doc)
    r = slot.diameter_mm / 2
    assert slot.diameter_mm == 42.0
    # Inside the type area.
    assert TYPE_AREA_LEFT <= slot.x_mm - r and slot.x_mm + r <= TYPE_AREA_RIGHT
    assert TYPE_AREA_TOP <= slot.y_mm - r and slot.y_mm + r <= TYPE_AREA_BOTTOM
    # The date is right-indented four characters and the signature centred over it; the seal centred on both.
    date_chars = date[1]
    assert mm(date_chars[-1]["x1"]) == pytest.approx(TYPE_AREA_RIGHT - 4 * 156 / 28, abs=1.2)
    date_centre = mm((date_chars[0]["x0"] + date_chars[-1]["x1"]) / 2)
    sig_chars = signature[1]
    sig_centre = mm((sig_chars[0]["x0"] + sig_chars[-1]["x1"]) / 2)
    assert sig_centre == pytest.approx(date_centre, abs=1.0)
    assert slot.x_mm == pytest.approx(date_centre, abs=1.0)
    # Signature and date lie inside the seal, below its centre (居印章中心偏下).
    assert slot.y_mm < mm(sig_chars[0]["bottom"]) and mm(date_chars[0]["bottom"]) < slot.y_mm + r
    # Its top is within one line below the last line of text above (the 附件说明 here).
    above = [top for top, cs in lines if top < signature[0] - 1]
    text_above_bottom = max(above) + 16 / 72 * 25.4
    gap = (slot.y_mm - r) - text_above_bottom
    assert 0 <= gap <= LINE


@pytest.mark.parametrize("paragraphs", range(1, 9))
def test_no_seal_stands_on_a_page_without_body_text(paragraphs):
    spec = replace(
        three_page_doc().spec,
        body=tuple(Block("paragraph", FILLER * 5) for _ in range(paragraphs)),
        note="",
        cc="",
        printer="",
        print_date_text="",
    )
    doc = render(spec)
    slot = doc.result.seal_slots[0]
    page = doc.pages[slot.page - 1]
    seal_top = slot.y_mm - slot.diameter_mm / 2
    above = ["".join(c["text"] for c in cs) for top, cs in lines_of(page) if top < seal_top]
    assert any(t in FILLER * 6 for t in above if len(t) > 1), above  # a line of 正文 above the seal


def test_joint_issuance_one_seal_per_issuer_at_most_three_a_row_in_order():
    issuers = ("阳江市人民政府", "阳江市教育局", "阳江市财政局", "阳江市公安局")
    spec = replace(
        three_page_doc().spec, issuer_marks=issuers[:2], signatures=issuers, body=(Block("paragraph", FILLER * 3),)
    )
    doc = render(spec)
    slots = doc.result.seal_slots
    assert [s.issuer for s in slots] == list(issuers)
    rows = {}
    for s in slots:
        rows.setdefault(round(s.y_mm), []).append(s)
    assert [len(r) for _, r in sorted(rows.items())] == [3, 1]
    for s in slots:
        r = s.diameter_mm / 2
        assert TYPE_AREA_LEFT <= s.x_mm - r and s.x_mm + r <= TYPE_AREA_RIGHT
        assert TYPE_AREA_TOP <= s.y_mm - r and s.y_mm + r <= TYPE_AREA_BOTTOM
    for i, a in enumerate(slots):
        for b in slots[i + 1 :]:
            assert ((a.x_mm - b.x_mm) ** 2 + (a.y_mm - b.y_mm) ** 2) ** 0.5 > a.diameter_mm  # never touching
    first_row = sorted(rows.items())[0][1]
    assert [s.x_mm for s in first_row] == sorted(s.x_mm for s in first_row)
    # The joint mark: both names in red, 文件 once, to their right.
    page = doc.pages[0]
    mark = "".join(c["text"] for c in sorted(chars(page, color=RED), key=lambda c: (c["x0"] > 120 * 72 / 25.4,)))
    assert "阳江市人民政府" in mark.replace(" ", "") and "文件" in mark


def test_imprint_rules_thick_thin_thick_with_the_last_on_the_type_area_bottom():
    doc = three_page_doc()
    last = doc.pages[-1]
    assert doc.result.page_count % 2 == 0  # 版记 on the back of the last sheet
    rules = sorted(
        (r for r in last.rects if tuple(r["non_stroking_color"] or ()) in ((0.0, 0.0, 0.0), (0,)) and r["fill"]),
        key=lambda r: r["top"],
    )
    assert len(rules) == 3
    assert [round(mm(r["bottom"] - r["top"]), 2) for r in rules] == [0.35, 0.25, 0.35]
    assert all(mm(r["x1"] - r["x0"]) == pytest.approx(TYPE_AREA_W, abs=0.2) for r in rules)
    assert mm(rules[-1]["bottom"]) == pytest.approx(TYPE_AREA_BOTTOM, abs=0.1)
    cc = [c for c in chars(last, size=14) if rules[0]["bottom"] < c["top"] < rules[1]["top"]]
    assert mm(min(c["x0"] for c in cc)) == pytest.approx(TYPE_AREA_LEFT + CHAR_4HAO, abs=0.3)  # 左空一字
    # A 版记 page with nothing else on it carries no page number.
    assert not [c for c in last.chars if mm(c["top"]) > TYPE_AREA_BOTTOM]


def test_upward_document_has_doc_number_left_and_signer_right():
    spec = replace(
        three_page_doc().spec, upward=True, signers=("王五", "李四", "赵六"), body=(Block("paragraph", "请予批示。"),)
    )
    page = render(spec).pages[0]
    lines = {"".join(c["text"] for c in cs): cs for _, cs in lines_of(page)}
    number = lines.get("阳府〔2021〕7号赵六") or lines["阳府〔2021〕7号"]
    assert mm(number[0]["x0"]) == pytest.approx(TYPE_AREA_LEFT + 156 / 28, abs=0.3)  # 左空一字
    signer = next(cs for t, cs in lines.items() if t.startswith("签发人："))
    assert mm(signer[-1]["x1"]) <= TYPE_AREA_RIGHT - 156 / 28 + 0.5  # 右空一字
    assert "李四" in "".join(c["text"] for c in signer)
    kai = [c for c in signer if c["text"] in "王五李四"]
    assert all("Kai" in c["fontname"] for c in kai)


def test_letter_format_double_rules_mark_30mm_from_the_top_and_no_number_on_page_one():
    spec = replace(
        three_page_doc().spec,
        format="letter",
        issuer_marks=("阳江市人民政府办公室",),
        doc_number="阳府办函〔2021〕12号",
        title="关于商请支持安全生产工作的函",
        body=(Block("paragraph", FILLER * 3),),
        cc="",
        printer="",
        print_date_text="",
    )
    doc = render(spec)
    page = doc.pages[0]
    mark = [c for c in chars(page, color=RED) if c["size"] > 20]
    assert "".join(c["text"] for c in mark) == "阳江市人民政府办公室"
    assert mm(min(c["top"] for c in mark)) == pytest.approx(30.0, abs=0.5)
    rules = sorted(red_rects(page), key=lambda r: r["top"])
    assert len(rules) == 4
    assert all(mm(r["x1"] - r["x0"]) == pytest.approx(170.0, abs=0.2) for r in rules)
    heights = [mm(r["bottom"] - r["top"]) for r in rules]
    assert heights[0] > heights[1] and heights[2] < heights[3]  # 上粗下细, then 上细下粗
    assert mm(rules[-1]["bottom"]) == pytest.approx(297 - 20, abs=0.2)
    assert not [c for c in page.chars if mm(c["top"]) > 262 and c["text"] == "—"]
    number = "".join(c["text"] for c in chars(page, size=16) if mm(c["x0"]) > 120)
    assert "阳府办函〔2021〕12号" in number


def test_minutes_format_mark_and_attendance():
    spec = replace(
        three_page_doc().spec,
        format="minutes",
        issuer_marks=("阳江市人民政府常务会议",),
        doc_number="〔2021〕5号",
        title="",
        main_recipients="",
        signatures=(),
        body=(Block("paragraph", "会议研究了安全生产工作。"),),
        attendees="王五，李四",
        absentees="赵六",
    )
    doc = render(spec)
    page = doc.pages[0]
    assert "".join(c["text"] for c in chars(page, color=RED)) == "阳江市人民政府常务会议纪要"
    flat = _flat(text(page))
    assert "出席：王五，李四请假：赵六" in flat
    assert doc.result.seal_slots == ()


def test_order_format_mark_and_signature_stamp_slot():
    spec = replace(
        three_page_doc().spec,
        format="order",
        issuer_marks=("阳江市人民政府",),
        doc_number="第12号",
        title="",
        main_recipients="",
        signatures=("市长",),
        signers=("王五",),
        attachments=(),
        body=(Block("paragraph", "现予公布，自2022年1月1日起施行。"),),
    )
    doc = render(spec)
    page = doc.pages[0]
    mark = [c for c in chars(page, color=RED)]
    assert "".join(c["text"] for c in mark) == "阳江市人民政府令"
    assert mm(min(c["top"] for c in mark)) - TYPE_AREA_TOP == pytest.approx(20.0, abs=0.5)
    assert not red_rects(page)
    (slot,) = doc.result.seal_slots
    assert slot.kind == "signature" and slot.issuer == "王五"
    assert "市长" in _flat(text(page)) and "第12号" in _flat(text(page))


def test_watermark_is_drawn_but_not_extractable():
    spec = replace(three_page_doc().spec, watermark="预览 张三 2024-05-01 10:30", body=(Block("paragraph", "正文。"),))
    doc = render(spec)
    for page in doc.pages:
        assert "张三" not in text(page)
        assert len(page.curves) > 10  # the outlines
    assert "正文。" in _flat(text(doc.pages[0]))
    plain = render(replace(spec, watermark=""))
    assert not plain.pages[0].curves


def test_control_characters_and_latin_text_are_handled():
    spec = RenderSpec(title="测试", body=(Block("paragraph", "第一段\x07含有PDF文件和2021年的数字。"),))
    doc = render(spec)
    flat = _flat(text(doc.pages[0]))
    assert "第一段含有PDF文件和2021年的数字。" in flat


def test_heading_fonts_hei_kai_fangsong():
    spec = RenderSpec(
        title="测试",
        body=(
            Block("heading1", "一、总体要求"),
            Block("heading2", "（一）加强领导。各地要加强领导。"),
            Block("heading3", "1.明确责任"),
            Block("paragraph", "正文段落"),
        ),
    )
    page = render(spec).pages[0]
    by_text = {"".join(c["text"] for c in cs): cs for _, cs in lines_of(page)}
    assert all("ZenHei" in c["fontname"] for c in by_text["一、总体要求"])
    run_in = by_text["（一）加强领导。各地要加强领导。"]
    assert all("Kai" in c["fontname"] for c in run_in[:7])
    assert any("FangSong" in c["fontname"] for c in run_in[7:])
    assert any("FangSong" in c["fontname"] for c in by_text["1.明确责任"])
