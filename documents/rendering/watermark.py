"""The preview watermark (viewer's name and time) drawn as glyph outlines, not as text.

As vector paths it cannot be selected or extracted, so copying text out of a preview gives the document's own
text, while a screenshot still shows who looked at it and when. One PDF form carries the tiled outlines and every
page refers to it, so the file grows by one copy only.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import FILL_NON_ZERO

from . import geometry as g
from .fonts import FontSet

_lock = threading.Lock()
SIZE = 15.0  # pt
ANGLE = 30.0
STEP_X, STEP_Y = 95.0, 55.0  # mm between tiles
GREY = (0.84, 0.84, 0.84)  # drawn under the text, so light grey needs no transparency


@lru_cache(maxsize=4)
def _font(path: str, index: int) -> TTFont:
    return TTFont(path, fontNumber=index, lazy=True)


class _Collect(BasePen):
    """Records a glyph outline as (op, points) in font units, shifted by ``dx``."""

    def __init__(self, glyph_set, ops: list, dx: float):
        super().__init__(glyph_set)
        self.ops = ops
        self.dx = dx

    def _moveTo(self, pt):
        self.ops.append(("m", ((pt[0] + self.dx, pt[1]),)))

    def _lineTo(self, pt):
        self.ops.append(("l", ((pt[0] + self.dx, pt[1]),)))

    def _curveToOne(self, p1, p2, p3):
        self.ops.append(("c", tuple((p[0] + self.dx, p[1]) for p in (p1, p2, p3))))

    def _closePath(self):
        self.ops.append(("z", ()))


@lru_cache(maxsize=64)
def _outline(path: str, index: int, text: str) -> tuple[tuple, float, int]:
    """Outline ops of ``text`` in font units, its advance width and the font's units per em."""
    with _lock:
        font = _font(path, index)
        cmap = font.getBestCmap()
        glyph_set = font.getGlyphSet()
        upem = font["head"].unitsPerEm
        ops: list = []
        x = 0.0
        for ch in text:
            name = cmap.get(ord(ch))
            if name is None:
                x += upem / 2
                continue
            glyph = glyph_set[name]
            glyph.draw(_Collect(glyph_set, ops, x))
            x += glyph.width
    return tuple(ops), x, upem


def draw_watermark_form(c, text: str, fonts: FontSet) -> str:
    """Defines the watermark form on canvas ``c`` and returns its name for ``c.doForm``."""
    hei = fonts.fonts["hei"]
    ops, advance, upem = _outline(hei.path, hei.subfont, text.strip())
    scale = SIZE / upem
    name = "oaWatermark"
    c.beginForm(name)
    c.saveState()
    c.setFillColorRGB(*GREY)
    path = c.beginPath()
    for op, pts in ops:
        if op == "m":
            path.moveTo(*(v * scale for v in pts[0]))
        elif op == "l":
            path.lineTo(*(v * scale for v in pts[0]))
        elif op == "c":
            path.curveTo(*(v * scale for p in pts for v in p))
        else:
            path.close()
    width = advance * scale
    row = 0
    y = 20.0
    while y < g.PAGE_H:
        x = 5.0 + (row % 2) * STEP_X / 2
        while x < g.PAGE_W:
            c.saveState()
            c.translate(x * mm, y * mm)
            c.rotate(ANGLE)
            c.translate(-width / 2, 0)
            c.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
            c.restoreState()
            x += STEP_X
        y += STEP_Y
        row += 1
    c.restoreState()
    c.endForm()
    return name
