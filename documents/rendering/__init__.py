"""公文 rendering per GB/T 9704-2012: a RenderSpec in, PDF (with seal positions) or DOCX bytes out.

Pure library: it knows nothing of Django models. ``render_pdf`` lays the document out on the standard's line grid
and draws it with reportlab (fonts embedded as subsets); ``render_docx`` writes the same structure with
python-docx for editing in Word/WPS. A missing typeface raises FontMissingError naming the font and the Debian
package that provides it.
"""

from __future__ import annotations

from .fonts import FontMissingError, FontSet
from .spec import FORMATS, Block, RenderResult, RenderSpec, SealSlot

__all__ = [
    "Block",
    "FontMissingError",
    "RenderResult",
    "RenderSpec",
    "SealSlot",
    "render_docx",
    "render_pdf",
]


def _check(spec: RenderSpec) -> None:
    if spec.format not in FORMATS:
        raise ValueError(f"unknown format {spec.format!r}; expected one of {FORMATS}")


def render_pdf(spec: RenderSpec) -> RenderResult:
    from .layout import build_layout
    from .pdf import draw

    _check(spec)
    fonts = FontSet()
    layout = build_layout(spec, fonts)
    pdf = draw(layout, spec, fonts)
    return RenderResult(pdf=pdf, page_count=len(layout.pages), seal_slots=layout.seal_slots)


def render_docx(spec: RenderSpec) -> bytes:
    from .word import build_docx

    _check(spec)
    return build_docx(spec)
