"""Seal images: the generated red round seal as vector drawing operators, its PNG, and uploaded PNGs.

The generated seal (GB/T 9704 shows it centred over 署名 and 成文日期) is drawn in a 1000×1000 box:
an outer ring, the unit name along the upper arc (characters upright towards the rim, slightly narrow as
cut seals are), a five-pointed star in the centre and, for a 专用章, its name in a straight line below.
Text is drawn from the font's glyph outlines (fontTools), so the stamp is pure paths: no font embedded,
no imported PDF page (validating seals drawn from imported pages is ~20× slower).
"""

import io
import math
import os
from functools import lru_cache

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont
from PIL import Image, UnidentifiedImageError

BOX = 1000.0
RED = (0.84, 0.06, 0.08)
RING_OUTER = 490.0
RING_WIDTH = 32.0
STAR_RADIUS = 165.0
PNG_SIZE = 320

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",  # 宋体, as seals are cut
    "/usr/share/fonts/truetype/arphic/uming.ttc#0",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",
)


class SealImageError(Exception):
    """An uploaded image that cannot be a seal (message in Chinese)."""


# --- fonts and glyph outlines -----------------------------------------------------------------------------


KAI_CANDIDATES = (
    "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",  # 楷体 for a signature without handwriting
    *FONT_CANDIDATES,
)


def _font_spec(env: str = "OA_SEAL_FONT", defaults=FONT_CANDIDATES) -> tuple[str, int] | None:
    candidates = [os.environ[env]] if os.environ.get(env) else list(defaults)
    for spec in candidates:
        path, _, number = spec.partition("#")
        if os.path.exists(path):
            return path, int(number or 0)
    return None


@lru_cache(maxsize=4)
def _font(path: str, number: int) -> TTFont:
    return TTFont(path, fontNumber=number, lazy=True)


class _PathPen(BasePen):
    """Collects outline segments as (op, points) in font units; quadratics become cubics."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.ops: list[tuple[str, tuple]] = []
        self._last = (0.0, 0.0)

    def _moveTo(self, pt):
        self.ops.append(("m", (pt,)))
        self._last = pt

    def _lineTo(self, pt):
        self.ops.append(("l", (pt,)))
        self._last = pt

    def _curveToOne(self, p1, p2, p3):
        self.ops.append(("c", (p1, p2, p3)))
        self._last = p3

    def _qCurveToOne(self, p1, p2):
        p0 = self._last
        c1 = (p0[0] + 2 / 3 * (p1[0] - p0[0]), p0[1] + 2 / 3 * (p1[1] - p0[1]))
        c2 = (p2[0] + 2 / 3 * (p1[0] - p2[0]), p2[1] + 2 / 3 * (p1[1] - p2[1]))
        self._curveToOne(c1, c2, p2)

    def _closePath(self):
        self.ops.append(("h", ()))

    _endPath = _closePath


@lru_cache(maxsize=2048)
def _glyph(path: str, number: int, char: str) -> tuple[tuple, float] | None:
    """(outline ops, units per em) of a character, or None when the font lacks it."""
    font = _font(path, number)
    name = font.getBestCmap().get(ord(char))
    if name is None:
        return None
    glyph_set = font.getGlyphSet()
    pen = _PathPen(glyph_set)
    glyph_set[name].draw(pen)
    return tuple(pen.ops), float(font["head"].unitsPerEm)


# --- drawing ----------------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _circle(cx: float, cy: float, r: float) -> list[str]:
    k = 0.5523 * r
    return [
        f"{_fmt(cx + r)} {_fmt(cy)} m",
        f"{_fmt(cx + r)} {_fmt(cy + k)} {_fmt(cx + k)} {_fmt(cy + r)} {_fmt(cx)} {_fmt(cy + r)} c",
        f"{_fmt(cx - k)} {_fmt(cy + r)} {_fmt(cx - r)} {_fmt(cy + k)} {_fmt(cx - r)} {_fmt(cy)} c",
        f"{_fmt(cx - r)} {_fmt(cy - k)} {_fmt(cx - k)} {_fmt(cy - r)} {_fmt(cx)} {_fmt(cy - r)} c",
        f"{_fmt(cx + k)} {_fmt(cy - r)} {_fmt(cx + r)} {_fmt(cy - k)} {_fmt(cx + r)} {_fmt(cy)} c",
        "h",
    ]


def _star(cx: float, cy: float, r: float) -> list[str]:
    inner = r * math.sin(math.radians(18)) / math.sin(math.radians(126))
    ops = []
    for i in range(10):
        angle = math.radians(90 + 36 * i)
        radius = r if i % 2 == 0 else inner
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        ops.append(f"{_fmt(x)} {_fmt(y)} {'m' if i == 0 else 'l'}")
    ops.append("h")
    return ops


def _glyph_ops(
    char: str, font_spec, size: float, centre: tuple[float, float], rotate_deg: float, narrow: float
) -> list[str]:
    """The character's outline, ``size`` units tall, centred at ``centre``, rotated (counter-clockwise)."""
    found = _glyph(font_spec[0], font_spec[1], char) if font_spec else None
    if found is None:
        return []
    outline, upm = found
    scale = size / upm
    cos_r, sin_r = math.cos(math.radians(rotate_deg)), math.sin(math.radians(rotate_deg))
    # CJK glyphs sit on the em box from descent (-0.12 em) to ascent (0.88 em): their centre is ~0.38 em up.
    ox, oy = upm / 2, upm * 0.38

    def tx(pt):
        x, y = (pt[0] - ox) * scale * narrow, (pt[1] - oy) * scale
        return centre[0] + x * cos_r - y * sin_r, centre[1] + x * sin_r + y * cos_r

    ops = []
    for op, points in outline:
        coords = " ".join(f"{_fmt(x)} {_fmt(y)}" for x, y in map(tx, points))
        ops.append(f"{coords} {op}" if coords else op)
    return ops


def seal_vector_ops(unit_name: str, special_name: str = "") -> str:
    """PDF content operators drawing the seal in a BOX×BOX square (origin bottom-left)."""
    c = BOX / 2
    font_spec = _font_spec()
    r, g, b = RED
    # Glyphs are filled and stroked: cut seals have bolder strokes than the 宋体 outline.
    ops = [f"{r} {g} {b} rg", f"{r} {g} {b} RG", "7 w", "1 j"]
    ops += _circle(c, c, RING_OUTER) + _circle(c, c, RING_OUTER - RING_WIDTH) + ["f*"]
    ops += _star(c, c, STAR_RADIUS) + ["f"]

    chars = [ch for ch in unit_name.strip() if not ch.isspace()]
    if chars:
        n = len(chars)
        span = min(225.0 if special_name.strip() else 245.0, 36.0 * (n - 1))
        step = span / (n - 1) if n > 1 else 0.0
        size = 150.0
        if n > 1:
            # Keep neighbours from touching: the (narrowed) width must fit the chord between two characters.
            chord = 2 * (RING_OUTER - RING_WIDTH - 100) * math.sin(math.radians(step / 2))
            size = max(70.0, min(150.0, chord * 0.95 / 0.78))
        text_radius = RING_OUTER - RING_WIDTH - 38 - size * 0.5
        start = 90 + span / 2
        for i, ch in enumerate(chars):
            theta = start - step * i
            pos = (c + text_radius * math.cos(math.radians(theta)), c + text_radius * math.sin(math.radians(theta)))
            ops += _glyph_ops(ch, font_spec, size, pos, theta - 90, 0.78)
        ops.append("B")

    special = [ch for ch in special_name.strip() if not ch.isspace()]
    if special:
        n = len(special)
        size = 95.0 if n <= 6 else 95.0 * 6 / n
        pitch = size * 0.92
        y = c - STAR_RADIUS - 40 - size * 0.5
        for i, ch in enumerate(special):
            x = c + (i - (n - 1) / 2) * pitch
            ops += _glyph_ops(ch, font_spec, size, (x, y), 0, 0.85)
        ops.append("B")
    return "\n".join(ops)


NAME_BOX = (1000.0, 400.0)


def name_vector_ops(name: str) -> str:
    """A typed signature: the signer's name in dark-blue 楷体, in a NAME_BOX (width, height) box."""
    width, height = NAME_BOX
    chars = [ch for ch in name.strip() if not ch.isspace()] or ["?"]
    size = min(300.0, width * 0.9 / len(chars))
    font_spec = _font_spec("OA_SIGNATURE_FONT", KAI_CANDIDATES)
    ops = ["0.05 0.1 0.35 rg"]
    for i, ch in enumerate(chars):
        x = width / 2 + (i - (len(chars) - 1) / 2) * size
        ops += _glyph_ops(ch, font_spec, size, (x, height / 2), 0, 1.0)
    ops.append("f")
    return "\n".join(ops)


# --- PNG --------------------------------------------------------------------------------------------------


def _single_page_pdf(content: bytes, size: float) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R /Resources << >> >>" % (size, size),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def render_png(vector_ops: str, pixels: int = PNG_SIZE) -> bytes:
    """Rasterise the vector seal (for the UI) with a transparent background."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(_single_page_pdf(vector_ops.encode("ascii"), int(BOX)))
    try:
        page = pdf[0]
        bitmap = page.render(scale=pixels / BOX, fill_color=(255, 255, 255, 0))
        image = bitmap.to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


# --- uploaded PNG -----------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 120, 2400


def validate_uploaded_png(data: bytes) -> bytes:
    """Check an uploaded seal image and return it re-encoded (metadata stripped) as RGBA PNG."""
    if not data:
        raise SealImageError("请选择印章图片。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SealImageError("印章图片不能超过 2 MB。")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SealImageError("印章图片必须是 PNG 格式。")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise SealImageError("无法读取印章图片，文件可能已损坏。") from exc
    width, height = image.size
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise SealImageError(f"印章图片的边长应在 {MIN_SIDE}～{MAX_SIDE} 像素之间。")
    if max(width, height) > 1.25 * min(width, height):
        raise SealImageError("印章图片应接近正方形。")
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    rgba = image.convert("RGBA")
    if not has_alpha or rgba.getchannel("A").getextrema()[0] == 255:
        raise SealImageError("印章图片需要透明背景（带透明通道的 PNG）。")
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    return out.getvalue()


def validate_handwriting_png(data: bytes) -> bytes:
    """A handwritten signature captured on a tablet (signature_pad): a PNG of reasonable size."""
    if not data or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise SealImageError("手写签名必须是 PNG 图片。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SealImageError("手写签名图片不能超过 2 MB。")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise SealImageError("无法读取手写签名图片。") from exc
    if min(image.size) < 20 or max(image.size) > 4000:
        raise SealImageError("手写签名图片尺寸不合适。")
    out = io.BytesIO()
    image.convert("RGBA").save(out, format="PNG", optimize=True)
    return out.getvalue()
