"""Reading positions back out of a rendered PDF (pdfplumber), in millimetres from the page's top-left corner.

The expected numbers are written out here from GB/T 9704-2012, not imported from the renderer, so a wrong
constant in the renderer makes the tests fail.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import pdfplumber

from documents.rendering import Block, RenderSpec, render_pdf

MM = 72 / 25.4  # points per mm
# GB/T 9704-2012
TYPE_AREA_LEFT, TYPE_AREA_TOP = 28.0, 37.0
TYPE_AREA_W, TYPE_AREA_H = 156.0, 225.0
TYPE_AREA_RIGHT = TYPE_AREA_LEFT + TYPE_AREA_W
TYPE_AREA_BOTTOM = TYPE_AREA_TOP + TYPE_AREA_H
LINE = TYPE_AREA_H / 22
CHAR_4HAO = 14 / MM  # one 4号 character, mm

FILLER = "安全生产责任重于泰山各地要压实属地管理责任"  # no punctuation: every full line holds exactly 28


@dataclass
class Rendered:
    spec: RenderSpec
    result: object
    pdf: pdfplumber.PDF

    @property
    def pages(self):
        return self.pdf.pages


def render(spec: RenderSpec) -> Rendered:
    result = render_pdf(spec)
    return Rendered(spec, result, pdfplumber.open(io.BytesIO(result.pdf)))


def mm(v: float) -> float:
    return v / MM


def chars(page, *, size: float | None = None, color=None):
    out = []
    for ch in page.chars:
        if size is not None and abs(ch["size"] - size) > 0.3:
            continue
        if color is not None and tuple(round(c, 2) for c in (ch["non_stroking_color"] or ())) != color:
            continue
        out.append(ch)
    return out


def baseline(page, ch) -> float:
    return mm(page.height - ch["matrix"][5])


def lines_of(page, *, size: float = 16.0):
    """Text lines as (top mm, [chars sorted by x]) for chars of ``size``, grouped by their shared baseline.

    The line's top is the em-box top of its 仿宋 glyphs (fallback glyphs from other fonts sit on the same
    baseline with slightly different em boxes).
    """
    rows: dict[float, list] = defaultdict(list)
    for ch in chars(page, size=size):
        rows[round(baseline(page, ch), 1)].append(ch)
    out = []
    for _, cs in sorted(rows.items()):
        main = [c for c in cs if "FangSong" in c["fontname"]] or cs
        out.append((mm(min(c["top"] for c in main)), sorted(cs, key=lambda c: c["x0"])))
    return out


def text(page) -> str:
    return page.extract_text() or ""


@lru_cache(maxsize=1)
def three_page_doc() -> Rendered:
    """A document whose body fills page 2 entirely (the pagination and grid measurements use it)."""
    body = [Block("heading1", "一、总体要求"), Block("paragraph", FILLER * 12)]
    body += [Block("paragraph", FILLER * 10) for _ in range(4)]
    spec = RenderSpec(
        copy_number="000001",
        urgency="特急",
        issuer_marks=("阳江市人民政府",),
        doc_number="阳府〔2021〕7号",
        title="阳江市人民政府关于进一步加强全市安全生产工作的通知",
        main_recipients="各县（市、区）人民政府，市政府各部门、各直属机构",
        body=tuple(body),
        attachments=("重点任务分工表",),
        signatures=("阳江市人民政府",),
        date_text="2021年9月10日",
        note="此件公开发布",
        cc="市委各部门，市人大常委会办公室，市政协办公室",
        printer="阳江市人民政府办公室",
        print_date_text="2021年9月10日",
    )
    return render(spec)
