"""Setting Chinese text on a character grid: shaping, line breaking with 避头尾, justification.

Full-width characters (汉字 and full-width punctuation) take exactly one grid cell each, so a full line of body text
holds 28 characters whatever glyph widths the fonts have. Half-width characters (Latin, digits) keep their natural
widths; a Latin word or number is never split unless it is longer than a line. Lines other than the last of a
paragraph are justified: leftover space (from a Latin word or from 避头尾) is spread over the gaps.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .fonts import FontSet, LoadedFont

# 避头: may not begin a line. 避尾: may not end a line.
NO_LINE_START = set("，。、；：？！）》〕】」』”’…—·％‰℃,.;:?!)]}%>、︶︸﹀﹂")
NO_LINE_END = set("（《〔【「『“‘([{<")
PAIRED = ("——", "……")


@dataclass(frozen=True)
class Glyph:
    ch: str
    font: LoadedFont
    size: float  # pt
    x: float  # mm from the line's left edge
    width: float  # mm the glyph occupies in the layout


@dataclass(frozen=True)
class Line:
    glyphs: tuple[Glyph, ...]
    width: float  # mm actually used

    @property
    def text(self) -> str:
        return "".join(g.ch for g in self.glyphs)


@dataclass(frozen=True)
class Run:
    text: str
    role: str  # font role: fangsong | song | hei | kai


PT = 25.4 / 72.0  # mm per point


def is_full_width(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


@dataclass
class _Piece:
    ch: str
    font: LoadedFont
    width: float  # mm
    full: bool


def _shape(runs: list[Run], fonts: FontSet, size: float, cell: float) -> list[_Piece]:
    pieces = []
    for run in runs:
        for ch in run.text:
            if ch in "\r\n\t":
                ch = " "
            font = fonts.font_for(run.role, ch)
            full = is_full_width(ch)
            width = cell if full else fonts.advance(font, ch) * size * PT
            pieces.append(_Piece(ch, font, width, full))
    return pieces


def _clusters(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Units that are never split across lines: a Latin word or number, a paired ——/……, else one character."""
    out: list[list[_Piece]] = []
    for p in pieces:
        if out:
            prev = out[-1]
            last = prev[-1].ch
            if not p.full and not prev[-1].full and p.ch != " " and last != " ":
                prev.append(p)
                continue
            if last + p.ch in PAIRED and len(prev) == 1:
                prev.append(p)
                continue
        out.append([p])
    return out


def _width(cluster: list[_Piece]) -> float:
    return sum(p.width for p in cluster)


def break_lines(
    runs: list[Run],
    fonts: FontSet,
    *,
    size: float,
    cell: float,
    width: float,
    first_indent: float = 0.0,
    rest_indent: float = 0.0,
    justify: bool = True,
) -> list[tuple[float, Line]]:
    """Lines of a paragraph as (indent mm, line). ``width`` is the full measure; indents are taken out of it."""
    clusters = _clusters(_shape(runs, fonts, size, cell))
    lines: list[tuple[float, list[list[_Piece]]]] = []
    i = 0
    eps = 1e-6
    while i < len(clusters):
        indent = first_indent if not lines else rest_indent
        avail = width - indent
        current: list[list[_Piece]] = []
        used = 0.0
        while i < len(clusters):
            c = clusters[i]
            w = _width(c)
            if used + w <= avail + eps:
                current.append(c)
                used += w
                i += 1
                continue
            long_word = len(c) > 8 and not c[0].full and avail - used > 3 * cell
            if not current or long_word:
                # A unit longer than the line, or a long Latin string (an address, a URL) that would leave a wide
                # gap: split it by characters.
                head, tail = [], list(c)
                while tail and used + _width(head) + tail[0].width <= avail + eps:
                    head.append(tail.pop(0))
                if not head and not current:
                    head.append(tail.pop(0))
                if head:
                    current.append(head)
                    if tail:
                        clusters[i] = tail
                    else:
                        i += 1
            break
        # 避头尾: the next line may not start with closing punctuation; this line may not end with an opening one.
        if i < len(clusters):
            while len(current) > 1 and clusters[i][0].ch in NO_LINE_START:
                i -= 1
                clusters[i] = current.pop()
            while len(current) > 1 and current[-1][-1].ch in NO_LINE_END:
                i -= 1
                clusters[i] = current.pop()
        while current and current[-1][-1].ch == " " and len(current) > 1:  # no trailing space at line end
            current.pop()
        while i < len(clusters) and clusters[i][0].ch == " " and len(clusters[i]) == 1:  # nor leading one
            i += 1
        lines.append((indent, current))

    result = []
    for n, (indent, clusters_of_line) in enumerate(lines):
        pieces = [p for c in clusters_of_line for p in c]
        used = sum(p.width for p in pieces)
        last = n == len(lines) - 1
        gap = 0.0
        if justify and not last and len(pieces) > 1 and width - indent - used <= 3 * cell:
            gap = max(0.0, (width - indent - used) / (len(pieces) - 1))
        x = 0.0
        glyphs = []
        for p in pieces:
            glyphs.append(Glyph(p.ch, p.font, size, x, p.width))
            x += p.width + gap
        result.append((indent, Line(tuple(glyphs), x - gap if glyphs else 0.0)))
    return result


def single_line(runs: list[Run], fonts: FontSet, *, size: float, cell: float | None = None) -> Line:
    """One unbroken line; ``cell`` None means natural widths for every character."""
    glyphs = []
    x = 0.0
    for run in runs:
        for ch in run.text:
            font = fonts.font_for(run.role, ch)
            if cell is not None and is_full_width(ch):
                w = cell
            else:
                w = fonts.advance(font, ch) * size * PT
            glyphs.append(Glyph(ch, font, size, x, w))
            x += w
    return Line(tuple(glyphs), x)


def spread(line: Line, width: float) -> Line:
    """Distribute ``line`` evenly over ``width`` (两端对齐 of a short label such as joint issuers' names)."""
    n = len(line.glyphs)
    if n < 2 or line.width >= width:
        return line
    gap = (width - line.width) / (n - 1)
    glyphs = tuple(Glyph(g.ch, g.font, g.size, g.x + i * gap, g.width) for i, g in enumerate(line.glyphs))
    return Line(glyphs, width)
