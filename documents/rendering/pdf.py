"""Draws a Layout with reportlab: text on the computed positions, rules as filled rectangles, the watermark."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from . import geometry as g
from .fonts import FontSet
from .layout import Layout, TextItem
from .spec import RenderSpec
from .watermark import draw_watermark_form


def _y(top_mm: float) -> float:
    return (g.PAGE_H - top_mm) * mm


def draw(layout: Layout, spec: RenderSpec, fonts: FontSet) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(
        buf,
        pagesize=(g.PAGE_W * mm, g.PAGE_H * mm),
        pageCompression=1,
        invariant=1,
        initialFontName=fonts.fonts["fangsong"].name,  # else an unembedded Helvetica is referenced
        initialFontSize=g.SIZE_3,
    )
    title = spec.title or "公文"
    c.setTitle(title)
    c.setCreator("OA 公文排版 (GB/T 9704-2012)")
    watermark = draw_watermark_form(c, spec.watermark, fonts) if spec.watermark.strip() else None
    for page in layout.pages:
        if watermark:
            c.doForm(watermark)  # first, so the document's text stays on top of it
        for rect in page.rects:
            if rect.stroke_only:
                c.setStrokeColorRGB(*rect.color)
                c.setLineWidth(0.5)
                c.rect(rect.x * mm, _y(rect.top + rect.height), rect.width * mm, rect.height * mm, stroke=1, fill=0)
            else:
                c.setFillColorRGB(*rect.color)
                c.rect(rect.x * mm, _y(rect.top + rect.height), rect.width * mm, rect.height * mm, stroke=0, fill=1)
        for item in page.texts:
            _draw_text(c, item, fonts)
        c.showPage()
    c.save()
    return buf.getvalue()


def _draw_text(c: canvas.Canvas, item: TextItem, fonts: FontSet) -> None:
    glyphs = item.line.glyphs
    if not glyphs:
        return
    # Tr, Tz and the stroke colour outlive a text object: a faux-bold or compressed line is drawn inside q/Q.
    special = bool(item.bold) or item.hscale != 1.0
    if special:
        c.saveState()
    t = c.beginText()
    t.setFillColorRGB(*item.color)
    if item.bold:
        t.setStrokeColorRGB(*item.color)
        c.setLineWidth(item.bold)
        t.setTextRenderMode(2)
    scale = item.hscale
    if scale != 1.0:
        t.setHorizScale(scale * 100)
    y = _y(item.baseline)
    i = 0
    n = len(glyphs)
    while i < n:
        first = glyphs[i]
        font = first.font
        size = first.size
        # A run: same font, every step from one glyph to the next equals natural advance + one constant spacing.
        j = i + 1
        spacing = None
        while j < n and glyphs[j].font is font and glyphs[j].size == size:
            # Tz scales advance and Tc alike, and glyph x positions are unscaled: the spacing is scale-free.
            cs = (glyphs[j].x - glyphs[j - 1].x) * mm - fonts.advance(font, glyphs[j - 1].ch) * size
            if spacing is None:
                spacing = cs
            elif abs(cs - spacing) > 1e-3:
                break
            j += 1
        t.setFont(font.name, size)
        t.setCharSpace(spacing or 0.0)
        t.setTextOrigin((item.x + first.x * scale) * mm, y)
        t.textOut("".join(gl.ch for gl in glyphs[i:j]))
        i = j
    c.drawText(t)
    if special:
        c.restoreState()
