"""Fonts (embedding, fallback, a clear error when missing) and the text setting rules."""

from dataclasses import replace

import pytest

from documents.rendering import Block, FontMissingError, RenderSpec, render_docx, render_pdf
from documents.rendering import fonts as fontmod
from documents.rendering.fonts import FontSet
from documents.rendering.textflow import NO_LINE_START, Run, break_lines
from documents.rendering.titles import split_title

CELL = 156 / 28


def test_missing_font_names_the_font_and_the_debian_package(monkeypatch, tmp_path):
    monkeypatch.setenv("OA_FONT_FANGSONG", str(tmp_path / "nope.ttf"))
    with pytest.raises(FontMissingError) as err:
        render_pdf(RenderSpec(title="测试", body=(Block("paragraph", "正文"),)))
    message = err.value.message
    assert "仿宋" in message and "fonts-cwtex-fs" in message and "OA_FONT_FANGSONG" in message


def test_missing_font_without_override_is_reported_too(monkeypatch):
    role = fontmod.ROLES["kai"]
    monkeypatch.setitem(
        fontmod.ROLES, "kai", replace(role, paths=("/nonexistent/gkai00mp.ttf",), family="No Such Kai Family")
    )
    with pytest.raises(FontMissingError) as err:
        fontmod.locate("kai")
    assert "楷体" in err.value.message and "fonts-arphic-gkai00mp" in err.value.message


def test_a_font_reportlab_cannot_embed_is_refused_clearly(monkeypatch, tmp_path):
    bogus = tmp_path / "cff.otf"
    bogus.write_bytes(b"OTTO" + b"\0" * 200)  # an OpenType/CFF header: reportlab cannot embed it
    monkeypatch.setenv("OA_FONT_HEI", str(bogus))
    with pytest.raises(FontMissingError) as err:
        fontmod.load("hei")
    assert "TrueType" in err.value.message and "fonts-wqy-zenhei" in err.value.message


def test_simplified_characters_missing_from_cwtex_fall_back_per_character():
    fonts = FontSet()
    fangsong = fonts.fonts["fangsong"]
    assert ord("关") not in fangsong.cmap  # cwTeX 仿宋 is drawn for Traditional Chinese
    assert fonts.font_for("fangsong", "关").role == "kai"
    assert fonts.font_for("fangsong", "安").role == "fangsong"
    common = "关于进一步加强为发报区县产实压认贯彻"
    assert all(ord(ch) in fonts.font_for("fangsong", ch).cmap for ch in common)


def test_docx_export_does_not_need_the_pdf_fonts(monkeypatch, tmp_path):
    monkeypatch.setenv("OA_FONT_FANGSONG", str(tmp_path / "nope.ttf"))
    assert render_docx(RenderSpec(title="测试", body=(Block("paragraph", "正文"),)))[:2] == b"PK"


def _lines(text, width=156.0, first=2 * CELL):
    return [
        ln.text
        for _, ln in break_lines(
            [Run(text, "fangsong")], FontSet(), size=16, cell=CELL, width=width, first_indent=first
        )
    ]


def test_no_closing_punctuation_at_the_start_of_a_line():
    # 26 characters fill the first line (indented two); the 27th is a comma that must not open line two.
    text = "安" * 26 + "，" + "全" * 30 + "。" + "生" * 10
    lines = _lines(text)
    assert "".join(lines) == text
    assert all(line[0] not in NO_LINE_START for line in lines[1:])
    assert lines[0] == "安" * 25  # the last character moved down with its comma
    assert lines[1].startswith("安，")


def test_no_opening_bracket_at_the_end_of_a_line():
    text = "安" * 25 + "（全）" + "生" * 10
    lines = _lines(text)
    assert not lines[0].endswith("（")
    assert "".join(lines) == text


def test_latin_words_and_numbers_are_not_split():
    text = "安" * 24 + "2021年" + "全" * 30
    lines = _lines(text)
    assert "2021" in lines[0] or lines[1].startswith("2021")
    assert "".join(lines) == text


def test_long_title_splits_at_word_boundaries_in_balanced_lines():
    title = "阳江市人民政府办公室关于印发阳江市安全生产专项整治三年行动实施方案的通知"
    parts = split_title(title, 20)
    assert "".join(parts) == title
    assert len(parts) == 2 and all(len(p) <= 20 for p in parts)
    assert abs(len(parts[0]) - len(parts[1])) <= 6
    assert not parts[1].startswith("的")
    assert split_title("关于做好防汛工作的通知", 20) == ["关于做好防汛工作的通知"]


def test_a_long_address_is_split_rather_than_leaving_a_wide_gap():
    text = "请发送至" + "邮" * 18 + "anquan@yangjiang.gov.cn，谢谢。"
    lines = _lines(text)
    assert "".join(lines) == text
    assert len(lines[0]) > 24  # the address starts on the first line
