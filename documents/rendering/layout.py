"""Lays a RenderSpec out into pages of positioned text, rules and seal slots (no drawing here; see pdf.py).

The body runs on the page's line grid (22 lines of 28 cells). Page 1 carries the 版头 at the standard's absolute
positions; the flow after it snaps back onto the grid. Everything below the body (附件说明, 署名, 成文日期, seals,
附注) is one block kept on a page together with the last body lines, so no seal stands on a page without text.
The 版记 sits at the bottom of the last page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from . import geometry as g
from .fonts import FontSet, LoadedFont
from .spec import Block, RenderSpec, SealSlot
from .textflow import NO_LINE_END, NO_LINE_START, Line, Run, break_lines, single_line, spread
from .titles import split_title


@dataclass
class TextItem:
    line: Line
    x: float  # left edge of the line, mm
    baseline: float  # mm from the paper top
    color: tuple[float, float, float] = g.BLACK
    bold: float = 0.0  # stroke width in pt for a heavier (小标宋-like) face; 0 = plain fill
    hscale: float = 1.0  # horizontal compression (long 发文机关标志)


@dataclass
class RectItem:
    x: float
    top: float
    width: float
    height: float
    color: tuple[float, float, float] = g.BLACK
    stroke_only: bool = False


@dataclass
class Page:
    number: int  # physical page, 1-based
    tops: list[float]  # line-slot tops available to the flow on this page
    texts: list[TextItem] = field(default_factory=list)
    rects: list[RectItem] = field(default_factory=list)
    seals: list[SealSlot] = field(default_factory=list)
    cursor: int = 0  # next free slot index into ``tops``
    has_flow: bool = False
    show_number: bool = True

    def remaining(self) -> int:
        return len(self.tops) - self.cursor


@dataclass
class Layout:
    pages: list[Page]

    @property
    def seal_slots(self) -> tuple[SealSlot, ...]:
        return tuple(s for p in self.pages for s in p.seals)


def baseline_for(top: float, size: float, font: LoadedFont) -> float:
    """Baseline that puts the em box of ``font`` at ``size`` with its top at ``top`` (mm)."""
    return top + size * g.PT * (1.0 + font.descent)


def em_height(size: float) -> float:
    return size * g.PT


# --- flow items ------------------------------------------------------------------------------------------------

Emit = Callable[[Page, float], None]  # draws the item on a page with its first slot's top


@dataclass
class Item:
    slots: int
    emit: Emit | None  # None: blank line(s)
    group: int | None = None  # items with one group id are kept on one page
    body: bool = False  # a line of 正文 (or 附件说明): text that a seal may stand below


class Flow:
    def __init__(self) -> None:
        self.items: list[Item] = []
        self._next_group = 1

    def add(self, item: Item) -> None:
        self.items.append(item)

    def blank(self, n: int = 1) -> None:
        if n > 0:
            self.items.append(Item(n, None))

    def new_group(self) -> int:
        self._next_group += 1
        return self._next_group


class Renderer:
    """Builds the Layout of one spec."""

    def __init__(self, spec: RenderSpec, fonts: FontSet):
        self.spec = spec
        self.fonts = fonts
        self.pages: list[Page] = []
        self.flow = Flow()
        self._pending_group: int | None = None

    # -- text helpers -------------------------------------------------------------------------------------------
    def text(
        self,
        page: Page,
        line: Line,
        x: float,
        top: float,
        *,
        color=g.BLACK,
        bold: float = 0.0,
        hscale: float = 1.0,
        primary: LoadedFont | None = None,
    ) -> None:
        if not line.glyphs:
            return
        font = primary or line.glyphs[0].font
        size = line.glyphs[0].size
        page.texts.append(TextItem(line, x, baseline_for(top, size, font), color, bold, hscale))

    def line(self, text: str, role: str, size: float = g.SIZE_3, cell: float | None = g.CELL) -> Line:
        return single_line([Run(text, role)], self.fonts, size=size, cell=cell)

    def paragraph_lines(
        self, runs: list[Run], *, first: float = 2 * g.CELL, rest: float = 0.0, width: float = g.BODY_W
    ) -> list[tuple[float, Line]]:
        return break_lines(
            runs, self.fonts, size=g.SIZE_3, cell=g.CELL, width=width, first_indent=first, rest_indent=rest
        )

    def add_lines(self, lines: list[tuple[float, Line]], *, body: bool = True, x0: float = g.LEFT) -> list[Item]:
        items = []
        for indent, ln in lines:

            def emit(page: Page, top: float, ln=ln, indent=indent) -> None:
                self.text(page, ln, x0 + indent, top, primary=self.fonts.fonts["fangsong"])

            item = Item(1, emit, body=body)
            self.flow.add(item)
            items.append(item)
        return items

    # -- pages --------------------------------------------------------------------------------------------------
    def new_page(self, tops: list[float] | None = None) -> Page:
        page = Page(len(self.pages) + 1, tops if tops is not None else [g.slot_top(i) for i in range(g.LINES)])
        self.pages.append(page)
        return page

    # -- build --------------------------------------------------------------------------------------------------
    def build(self) -> Layout:
        spec = self.spec
        first = self.new_page([])
        if spec.format == "letter":
            first.tops = self.letter_head(first)
            first.show_number = False
        elif spec.format == "order":
            first.tops = [g.slot_top(i) for i in range(self.order_head(first), g.LINES)]
        else:
            first.tops = [g.slot_top(i) for i in range(self.general_head(first), g.LINES)]
        self.title_and_recipients()
        last_body = self.body()
        self.closing(last_body)
        self.paginate()
        self.imprint()
        self.page_numbers()
        return Layout(self.pages)

    # -- 版头 ---------------------------------------------------------------------------------------------------
    def mark_texts(self) -> tuple[list[str], str]:
        spec = self.spec
        names = [m for m in spec.issuer_marks if m.strip()]
        suffix = spec.issuer_mark_suffix
        if spec.format == "letter":
            return names[:1], ""
        if spec.format in ("order", "minutes"):
            default = "令" if spec.format == "order" else "纪要"
            ends = ("令",) if spec.format == "order" else ("纪要",)
            if suffix == "文件":
                suffix = "" if names and names[0].endswith(ends) else default
            return names[:1], suffix
        return names, suffix

    def draw_mark(self, page: Page, top: float, size: float = g.SIZE_1) -> float:
        """Red 发文机关标志 with its top at ``top``; returns its bottom."""
        names, suffix = self.mark_texts()
        if not names and not suffix:
            return top
        song = self.fonts.fonts["song"]
        max_w = g.BODY_W - 2.0
        if len(names) <= 1:
            ln = self.line((names[0] if names else "") + suffix, "song", size, cell=None)
            scale = min(1.0, max_w / ln.width) if ln.width else 1.0
            w = ln.width * scale
            self.text(page, ln, g.LEFT + (g.BODY_W - w) / 2, top, color=g.RED, bold=0.9, hscale=scale, primary=song)
            return top + em_height(size)
        # Joint issuance: names stacked and justified to one width, the suffix centred on them at the right.
        name_size = min(size, 32.0)
        lines = [self.line(n, "song", name_size, cell=None) for n in names]
        names_w = max(ln.width for ln in lines)
        lead = em_height(name_size) * 1.2
        block_h = lead * (len(lines) - 1) + em_height(name_size)
        suffix_size = min(size, max(name_size, block_h / g.PT * 0.8)) if suffix else 0.0
        suffix_line = self.line(suffix, "song", suffix_size, cell=None) if suffix else None
        gap = em_height(name_size) * 0.6 if suffix else 0.0
        total = names_w + gap + (suffix_line.width if suffix_line else 0.0)
        scale = min(1.0, max_w / total)
        x0 = g.LEFT + (g.BODY_W - total * scale) / 2
        for i, ln in enumerate(lines):
            ln = spread(ln, names_w)
            self.text(page, ln, x0, top + i * lead, color=g.RED, bold=0.7, hscale=scale, primary=song)
        if suffix_line:
            s_top = top + (block_h - em_height(suffix_size)) / 2
            self.text(
                page,
                suffix_line,
                x0 + (names_w + gap) * scale,
                s_top,
                color=g.RED,
                bold=0.9,
                hscale=scale,
                primary=song,
            )
        return top + block_h

    def top_left_elements(self) -> list[Line]:
        spec = self.spec
        out = []
        if spec.copy_number:
            out.append(self.line(spec.copy_number, "fangsong"))
        if spec.urgency:
            out.append(self.line(spec.urgency, "hei"))
        return out

    def general_head(self, page: Page) -> int:
        """Draws the 通用/纪要 版头 on page 1; returns the line slot where the flow starts."""
        spec = self.spec
        fs = self.fonts.fonts["fangsong"]
        for i, ln in enumerate(self.top_left_elements()):
            self.text(page, ln, g.LEFT, g.slot_top(i), primary=fs)
        mark_bottom = self.draw_mark(page, g.TOP + g.MARK_OFFSET)
        # 发文字号 two blank lines under the 标志, snapped to the line grid.
        first_slot = math.ceil((mark_bottom + 2 * g.PITCH - g.TOP) / g.PITCH - 1e-6)
        number_slot = first_slot
        if spec.upward and spec.signers and spec.format == "general":
            number_slot = self.signer_lines(page, first_slot)
            if spec.doc_number:
                self.text(
                    page, self.line(spec.doc_number, "fangsong"), g.LEFT + g.CELL, g.slot_top(number_slot), primary=fs
                )
        elif spec.doc_number:
            ln = self.line(spec.doc_number, "fangsong")
            self.text(page, ln, g.LEFT + (g.BODY_W - ln.width) / 2, g.slot_top(number_slot), primary=fs)
        rule_y = g.slot_top(number_slot) + em_height(g.SIZE_3) + g.NUMBER_RULE_GAP
        page.rects.append(RectItem(g.LEFT, rule_y - g.RULE_RED / 2, g.BODY_W, g.RULE_RED, g.RED))
        # One blank line under the rule, then the title.
        return math.ceil((rule_y + g.PITCH - g.TOP) / g.PITCH - 1e-6)

    def signer_lines(self, page: Page, first_slot: int) -> int:
        """签发人：name name — right, one char from the edge, two names a line; returns the last line's slot."""
        names = list(self.spec.signers)
        fs = self.fonts.fonts["fangsong"]
        label = self.line("签发人：", "fangsong")
        name_lines = [names[i : i + 2] for i in range(0, len(names), 2)]
        name_w = max(self.line(n, "kai").width for n in names)
        col = name_w + g.CELL
        block_w = label.width + col * min(2, len(names)) - g.CELL
        x0 = g.RIGHT - g.CELL - block_w
        for row, pair in enumerate(name_lines):
            top = g.slot_top(first_slot + row)
            if row == 0:
                self.text(page, label, x0, top, primary=fs)
            for j, n in enumerate(pair):
                self.text(page, self.line(n, "kai"), x0 + label.width + j * col, top, primary=fs)
        return first_slot + len(name_lines) - 1

    def order_head(self, page: Page) -> int:
        spec = self.spec
        fs = self.fonts.fonts["fangsong"]
        for i, ln in enumerate(self.top_left_elements()):
            self.text(page, ln, g.LEFT, g.slot_top(i), primary=fs)
        mark_bottom = self.draw_mark(page, g.TOP + g.ORDER_MARK_OFFSET)
        number_slot = math.ceil((mark_bottom + 2 * g.PITCH - g.TOP) / g.PITCH - 1e-6)
        if spec.doc_number:
            ln = self.line(spec.doc_number, "fangsong")
            self.text(page, ln, g.LEFT + (g.BODY_W - ln.width) / 2, g.slot_top(number_slot), primary=fs)
            return number_slot + 3  # 令号下空二行编排正文
        return number_slot

    def letter_head(self, page: Page) -> list[float]:
        """信函格式 版头; returns the line tops available to the flow on page 1."""
        spec = self.spec
        fs = self.fonts.fonts["fangsong"]
        mark_bottom = self.draw_mark(page, g.LETTER_MARK_TOP, size=36.0)
        x0 = (g.PAGE_W - g.LETTER_RULE_LENGTH) / 2
        thick, thin, gap = 1.0, 0.35, 0.6
        y = mark_bottom + g.NUMBER_RULE_GAP  # 上粗下细
        page.rects.append(RectItem(x0, y, g.LETTER_RULE_LENGTH, thick, g.RED))
        page.rects.append(RectItem(x0, y + thick + gap, g.LETTER_RULE_LENGTH, thin, g.RED))
        rule_bottom = y + thick + gap + thin
        low = g.PAGE_H - g.LETTER_BOTTOM_RULE  # 上细下粗, its lower edge 20 mm above the paper's bottom
        page.rects.append(RectItem(x0, low - thick - gap - thin, g.LETTER_RULE_LENGTH, thin, g.RED))
        page.rects.append(RectItem(x0, low - thick, g.LETTER_RULE_LENGTH, thick, g.RED))
        seven_eighths = em_height(g.SIZE_3) * 7 / 8
        first_top = rule_bottom + seven_eighths
        elements = self.top_left_elements()
        for i, ln in enumerate(elements):
            self.text(page, ln, g.LEFT, first_top + i * g.PITCH, primary=fs)
        if spec.doc_number:
            ln = self.line(spec.doc_number, "fangsong")
            self.text(page, ln, g.RIGHT - ln.width, first_top, primary=fs)
        rows = max(1, len(elements)) if (elements or spec.doc_number) else 0
        start = first_top + (rows - 1 + 3) * g.PITCH if rows else rule_bottom + 2 * g.PITCH  # 相距二行
        limit = low - thick - gap - thin - seven_eighths  # lowest text bottom on page 1
        tops = []
        top = start
        while top + em_height(g.SIZE_3) <= limit + 1e-6:
            tops.append(top)
            top += g.PITCH
        return tops

    # -- title, 主送 --------------------------------------------------------------------------------------------
    def title_and_recipients(self) -> None:
        spec = self.spec
        song = self.fonts.fonts["song"]
        if spec.title.strip():
            cell2 = em_height(g.SIZE_2)
            per_line = int(g.BODY_W // cell2)
            parts = split_title(spec.title.strip(), per_line)
            group = self.flow.new_group()
            for part in parts:
                ln = self.line(part, "song", g.SIZE_2, cell=cell2)

                def emit(page: Page, top: float, ln=ln) -> None:
                    self.text(page, ln, g.LEFT + (g.BODY_W - ln.width) / 2, top, bold=0.35, primary=song)

                self.flow.add(Item(1, emit, group=group))
            if spec.format != "minutes":
                self.flow.blank(1)
        elif spec.format == "letter":
            pass
        if spec.main_recipients.strip() and spec.format != "minutes":
            text = spec.main_recipients.strip().rstrip("：:") + "："
            self.add_lines(self.paragraph_lines([Run(text, "fangsong")], first=0.0, rest=0.0), body=False)

    # -- 正文 ---------------------------------------------------------------------------------------------------
    HEADING_ROLE = {"heading1": "hei", "heading2": "kai", "heading3": "fangsong", "heading4": "fangsong"}

    def body(self) -> list[Item]:
        body_items: list[Item] = []
        blocks = list(self.spec.body)
        for n, block in enumerate(blocks):
            if block.kind == "table":
                body_items += self.table(block)
                continue
            text = _clean(block.text)
            if not text:
                continue
            runs = self.block_runs(block.kind, text)
            items = self.add_lines(self.paragraph_lines(runs))
            body_items += items
            if block.kind in self.HEADING_ROLE and n + 1 < len(blocks) and items:
                # A heading never stays alone at the bottom of a page: keep it with the next line.
                gid = self.flow.new_group()
                for it in items:
                    it.group = gid
                self._pending_group = gid
            elif self._pending_group and items:
                items[0].group = self._pending_group
                self._pending_group = None
        return body_items

    def block_runs(self, kind: str, text: str) -> list[Run]:
        role = self.HEADING_ROLE.get(kind)
        if role is None:
            return [Run(text, "fangsong")]
        # A run-in heading ("（一）加强领导。正文……"): only the heading sentence takes the heading face.
        stop = text.find("。")
        if 0 <= stop < len(text) - 1:
            return [Run(text[: stop + 1], role), Run(text[stop + 1 :], "fangsong")]
        return [Run(text, role)]

    def table(self, block: Block) -> list[Item]:
        rows = [tuple(_clean(c) for c in r) for r in block.rows if r]
        if not rows:
            return []
        ncols = max(len(r) for r in rows)
        rows = [r + ("",) * (ncols - len(r)) for r in rows]
        size = g.SIZE_TABLE
        cell = em_height(size)
        pad = 1.5
        half = g.PITCH / 2
        natural = [max(self.line(r[c], "fangsong", size, cell).width for r in rows) + 2 * pad for c in range(ncols)]
        minimum = [2 * cell + 2 * pad] * ncols
        total = sum(natural)
        if total <= g.BODY_W:
            widths = [w * g.BODY_W / total for w in natural]
        else:
            spare = g.BODY_W - sum(minimum)
            want = [max(0.0, n - m) for n, m in zip(natural, minimum, strict=True)]
            widths = [m + (w * spare / sum(want) if sum(want) else 0) for m, w in zip(minimum, want, strict=True)]
        items = []
        for r, row in enumerate(rows):
            role = "hei" if r == 0 and len(rows) > 1 else "fangsong"
            cells = [
                break_lines([Run(text, role)], self.fonts, size=size, cell=cell, width=widths[c] - 2 * pad)
                if text
                else []
                for c, text in enumerate(row)
            ]
            nlines = max(1, max(len(c) for c in cells))
            slots = math.ceil((nlines + 1) / 2)

            def emit(page: Page, top: float, cells=cells, slots=slots, header=(role == "hei")) -> None:
                height = slots * g.PITCH
                x = g.LEFT
                for c, lines in enumerate(cells):
                    w = widths[c]
                    page.rects.append(RectItem(x, top, w, height, g.BLACK, stroke_only=True))
                    y0 = top + (height - len(lines) * half) / 2 + (half - cell) / 2
                    for i, (_, ln) in enumerate(lines):
                        dx = (w - 2 * pad - ln.width) / 2 if header else 0.0
                        self.text(page, ln, x + pad + dx, y0 + i * half, primary=self.fonts.fonts["fangsong"])
                    x += w

            item = Item(slots, emit, body=True)
            self.flow.add(item)
            items.append(item)
        return items

    # -- 附件说明, 署名, 成文日期, seals, 附注 ------------------------------------------------------------------------
    def attachment_lines(self) -> list[tuple[float, Line, float]]:
        names = [_clean(a) for a in self.spec.attachments if _clean(a)]
        out = []
        for i, name in enumerate(names):
            label = "附件：" if i == 0 else ""
            num = f"{i + 1}." if len(names) > 1 else ""
            start = 2 * g.CELL + (0 if i == 0 else 3 * g.CELL)
            head = single_line([Run(label + num, "fangsong")], self.fonts, size=g.SIZE_3, cell=g.CELL)
            lines = self.paragraph_lines(
                [Run(label + num + name, "fangsong")],
                first=start,
                rest=start + head.width if i == 0 else start + head.width,
            )
            for indent, ln in lines:
                out.append((indent, ln, 0.0))
        return out

    def closing(self, body_items: list[Item]) -> None:
        spec = self.spec
        keep_from = len(self.flow.items)  # index of the first closing item
        # The last two lines of 正文 travel with the 署名 so the seal never stands on a page without text.
        if body_items:
            tail = body_items[-2:] if body_items[-1].slots == 1 else body_items[-1:]
            keep_from = self.flow.items.index(tail[0])
        att = self.attachment_lines()
        if att:
            self.flow.blank(1)
            self.add_lines([(indent, ln) for indent, ln, _ in att])
        if spec.format == "minutes":
            self.attendance()
        block = self.signature_block()
        for item in block:
            self.flow.add(item)
        if not block:
            return
        sealed = bool(self.spec.signatures) and (self.spec.sealed or self.spec.format == "order")
        closing_items = self.flow.items[keep_from:]
        if not sealed or sum(i.slots for i in closing_items) > g.LINES:
            # No seal to protect, or too long to keep whole: keep only the block with the line above it.
            start = self.flow.items.index(block[0])
            texts = 0
            while start > 0 and texts < (2 if sealed else 1):
                start -= 1
                texts += self.flow.items[start].emit is not None
            closing_items = self.flow.items[start:]
        gid = self.flow.new_group()
        for it in closing_items:
            it.group = gid

    def attendance(self) -> None:
        spec = self.spec
        rows = [("出席", spec.attendees), ("请假", spec.absentees), ("列席", spec.observers)]
        rows = [(label, _clean(text)) for label, text in rows if _clean(text)]
        if not rows:
            return
        self.flow.blank(1)
        for label, text in rows:
            head = single_line([Run(label + "：", "hei")], self.fonts, size=g.SIZE_3, cell=g.CELL)
            lines = self.paragraph_lines(
                [Run(label + "：", "hei"), Run(text, "fangsong")], first=2 * g.CELL, rest=2 * g.CELL + head.width
            )
            self.add_lines(lines)

    def note_lines(self) -> list[tuple[float, Line]]:
        note = _clean(self.spec.note)
        if not note:
            return []
        if not (note.startswith("（") and note.endswith("）")):
            note = f"（{note}）"
        return self.paragraph_lines([Run(note, "fangsong")])

    def signature_block(self) -> list[Item]:
        """Items from the blank lines under the body down to the 附注, as one unit."""
        spec = self.spec
        sigs = [_clean(s) for s in spec.signatures if _clean(s)]
        date = _clean(spec.date_text)
        notes = self.note_lines()
        fs = self.fonts.fonts["fangsong"]
        date_line = self.line(date, "fangsong") if date else None
        if spec.format == "order" and sigs:
            return [self.order_signature(sigs[0], date_line, notes)]
        if sigs and spec.sealed:
            return [self.sealed_signature(sigs, date_line, notes)]
        items: list[Item] = []
        if not sigs and not date_line and not notes:
            return items
        # 不加盖印章: 署名 one blank line under the body, right 2 chars; date under it, two chars further right.
        rows: list[tuple[Line, float]] = []
        if sigs:
            sig_lines = [self.line(s, "fangsong") for s in sigs]
            sig_w = max(ln.width for ln in sig_lines)
            sig_right = g.RIGHT - 2 * g.CELL
            if date_line:
                date_left = sig_right - sig_w + 2 * g.CELL
                if date_left + date_line.width > g.RIGHT - 2 * g.CELL:  # date longer: it keeps 2 chars, 署名 moves
                    date_left = g.RIGHT - 2 * g.CELL - date_line.width
                    sig_right = date_left - 2 * g.CELL + sig_w
            rows += [(ln, sig_right - sig_w) for ln in sig_lines]
            if date_line:
                rows.append((date_line, date_left))
        elif date_line:
            rows.append((date_line, g.RIGHT - 4 * g.CELL - date_line.width))

        def emit(page: Page, top: float) -> None:
            for i, (ln, x) in enumerate(rows):
                self.text(page, ln, x, top + (1 + i) * g.PITCH, primary=fs)
            for j, (indent, ln) in enumerate(notes):
                self.text(page, ln, g.LEFT + indent, top + (1 + len(rows) + j) * g.PITCH, primary=fs)

        return [Item(1 + len(rows) + len(notes), emit)]

    def sealed_signature(self, sigs: list[str], date_line: Line | None, notes) -> Item:
        spec = self.spec
        fs = self.fonts.fonts["fangsong"]
        dia = spec.seal_diameter_mm
        r = dia / 2
        date_w = date_line.width if date_line else self.line("2000年10月10日", "fangsong").width
        date_cx = g.RIGHT - 4 * g.CELL - date_w / 2  # date right-indented 4 chars
        if len(sigs) == 1:
            columns = [date_cx]
        else:
            spacing = dia + 7.0
            ncols = min(3, len(sigs))
            last = min(max(date_cx, g.LEFT + r + 1.0 + (ncols - 1) * spacing), g.RIGHT - r - 1.0)
            spacing = min(spacing, (last - g.LEFT - r - 1.0) / (ncols - 1)) if ncols > 1 else spacing
            columns = [last - (ncols - 1 - k) * spacing for k in range(ncols)]
            date_cx = last
        rows = [sigs[i : i + 3] for i in range(0, len(sigs), 3)]
        row_slots = math.ceil((dia + 8.0) / g.PITCH)  # seal rows never touch
        sig_slot0 = 2  # two blank lines under the text above
        date_slot = sig_slot0 + (len(rows) - 1) * row_slots + 1
        reserve = math.ceil((r - g.SEAL_RAISE + em_height(g.SIZE_3) / 2) / g.PITCH)  # seal bottom under the 署名
        slots = max(date_slot + 1 + len(notes), sig_slot0 + (len(rows) - 1) * row_slots + reserve)
        col_w = (columns[1] - columns[0]) if len(columns) > 1 else g.BODY_W
        half_em = em_height(g.SIZE_3) / 2

        def emit(page: Page, top: float) -> None:
            n = 0
            for row_no, row in enumerate(rows):
                s_top = top + (sig_slot0 + row_no * row_slots) * g.PITCH
                cols = columns[len(columns) - len(row) :] if row_no == len(rows) - 1 else columns
                for name, cx in zip(row, cols, strict=False):
                    ln = self.line(name, "fangsong")
                    scale = min(1.0, (col_w - 2.0) / ln.width) if len(columns) > 1 else 1.0
                    w = ln.width * scale
                    x = min(cx - w / 2, g.RIGHT - w)
                    self.text(page, ln, x, s_top, hscale=scale, primary=fs)
                    n += 1
                    page.seals.append(
                        SealSlot(page.number, round(cx, 2), round(s_top + half_em - g.SEAL_RAISE, 2), dia, name)
                    )
            if date_line:
                self.text(page, date_line, date_cx - date_line.width / 2, top + date_slot * g.PITCH, primary=fs)
            for j, (indent, ln) in enumerate(notes):
                self.text(page, ln, g.LEFT + indent, top + (date_slot + 1 + j) * g.PITCH, primary=fs)

        return Item(slots, emit)

    def order_signature(self, title: str, date_line: Line | None, notes) -> Item:
        """命令格式: 签发人职务 left of the 签名章 (right 4 chars), the date one blank line under the stamp."""
        fs = self.fonts.fonts["fangsong"]
        signer = (self.spec.signers or ("",))[0]
        stamp_w, stamp_h = 4 * g.CELL, 2 * g.PITCH
        stamp_right = g.RIGHT - 4 * g.CELL
        title_line = self.line(title, "fangsong")

        def emit(page: Page, top: float) -> None:
            s_top = top + 2 * g.PITCH
            cy = s_top + stamp_h / 2 - (g.PITCH - em_height(g.SIZE_3)) / 2
            self.text(
                page,
                title_line,
                stamp_right - stamp_w - 2 * g.CELL - title_line.width,
                cy - em_height(g.SIZE_3) / 2,
                primary=fs,
            )
            page.seals.append(
                SealSlot(
                    page.number, round(stamp_right - stamp_w / 2, 2), round(cy, 2), stamp_w, signer, kind="signature"
                )
            )
            if date_line:
                self.text(page, date_line, g.RIGHT - 4 * g.CELL - date_line.width, s_top + 3 * g.PITCH, primary=fs)
            for j, (indent, ln) in enumerate(notes):
                self.text(page, ln, g.LEFT + indent, s_top + (4 + j) * g.PITCH, primary=fs)

        return Item(2 + 2 + 1 + 1 + len(notes), emit)

    # -- pagination ---------------------------------------------------------------------------------------------
    def paginate(self) -> None:
        page = self.pages[-1]
        items = self.flow.items
        i = 0
        while i < len(items):
            item = items[i]
            if item.emit is None and page.cursor == 0 and page.number > 1:
                i += 1  # no blank line at the head of a page
                continue
            need = item.slots
            if item.group is not None and (i == 0 or items[i - 1].group != item.group):
                j = i
                while j < len(items) and items[j].group == item.group:
                    j += 1
                group_need = sum(it.slots for it in items[i:j])
                if group_need > page.remaining() and group_need <= g.LINES and page.cursor > 0:
                    page = self.new_page()
                    continue
            if need > page.remaining():
                if page.cursor == 0 and page.number > 1:  # taller than a page: give it the page anyway
                    need = page.remaining()
                else:
                    page = self.new_page()
                    continue
            if item.emit is not None:
                item.emit(page, page.tops[page.cursor])
                page.has_flow = True
            page.cursor += min(need, page.remaining())
            i += 1

    # -- 版记 ---------------------------------------------------------------------------------------------------
    def imprint(self) -> None:
        spec = self.spec
        cc = _clean(spec.cc)
        printer = _clean(spec.printer)
        pdate = _clean(spec.print_date_text)
        letter = spec.format == "letter"
        if letter:
            printer = pdate = ""
        if not (cc or printer or pdate):
            return
        fs = self.fonts.fonts["fangsong"]
        row_h = 0.75 * g.PITCH
        cc_lines: list[tuple[float, Line]] = []
        if cc:
            text = "抄送：" + cc.rstrip("。.；;，,") + "。"
            head = single_line([Run("抄送：", "fangsong")], self.fonts, size=g.SIZE_4, cell=g.CELL_4)
            cc_lines = break_lines(
                [Run(text, "fangsong")],
                self.fonts,
                size=g.SIZE_4,
                cell=g.CELL_4,
                width=g.BODY_W - 2 * g.CELL_4,
                rest_indent=head.width,
            )
        rows = len(cc_lines) + (1 if (printer or pdate) else 0)
        height = rows * row_h
        need = math.ceil(height / g.PITCH - 1e-6)
        page = self.pages[-1]
        if page.remaining() < need:
            page = self.new_page()
        if spec.imprint_on_even_page and page.number % 2 == 1:
            page = self.new_page()
        if not page.has_flow:
            page.show_number = False
            for p in self.pages:
                if p.number < page.number and not p.has_flow and not p.texts:
                    p.show_number = False
        top = g.BOTTOM - height
        em = em_height(g.SIZE_4)
        for i, (indent, ln) in enumerate(cc_lines):
            self.text(page, ln, g.LEFT + g.CELL_4 + indent, top + i * row_h + (row_h - em) / 2, primary=fs)
        if printer or pdate:
            y = top + len(cc_lines) * row_h + (row_h - em) / 2
            if printer:
                self.text(page, self.line(printer, "fangsong", g.SIZE_4, g.CELL_4), g.LEFT + g.CELL_4, y, primary=fs)
            if pdate:
                ln = self.line(pdate + "印发", "fangsong", g.SIZE_4, g.CELL_4)
                self.text(page, ln, g.RIGHT - g.CELL_4 - ln.width, y, primary=fs)
        if letter:
            return
        page.rects.append(RectItem(g.LEFT, top, g.BODY_W, g.IMPRINT_THICK))
        if cc_lines and (printer or pdate):
            y = top + len(cc_lines) * row_h
            page.rects.append(RectItem(g.LEFT, y - g.IMPRINT_THIN / 2, g.BODY_W, g.IMPRINT_THIN))
        page.rects.append(RectItem(g.LEFT, g.BOTTOM - g.IMPRINT_THICK, g.BODY_W, g.IMPRINT_THICK))

    # -- 页码 ---------------------------------------------------------------------------------------------------
    def page_numbers(self) -> None:
        song = self.fonts.fonts["song"]
        size = g.SIZE_4
        for page in self.pages:
            if not page.show_number:
                continue
            ln = self.line(f"— {page.number} —", "song", size, cell=None)
            # The dashes sit on the em box's middle: put that 7 mm under the 版心.
            mid = g.BOTTOM + g.PAGE_NUMBER_DROP
            baseline = mid + size * g.PT * (song.ascent + song.descent) / 2
            x = g.RIGHT - g.CELL_4 - ln.width if page.number % 2 else g.LEFT + g.CELL_4
            page.texts.append(TextItem(ln, x, baseline))


def _clean(text: str) -> str:
    """Drop control characters (a stray one would draw as a missing-glyph box) and outer whitespace."""
    return "".join(ch for ch in (text or "") if ch >= " " or ch == "\t").replace("\t", " ").strip()


def build_layout(spec: RenderSpec, fonts: FontSet) -> Layout:
    return Renderer(spec, fonts).build()


__all__ = ["build_layout", "Layout", "Page", "TextItem", "RectItem", "NO_LINE_START", "NO_LINE_END"]
