"""DOCX export with python-docx: the same 公文 structure, editable in Word/WPS.

Fonts are named as offices have them (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体); the font table lists
the common substitutes (仿宋, 宋体, 楷体) as alternates so a machine without the GB2312 faces still shows the right
style. 22 lines of 28 characters: lines at exactly 28.95 pt so 22 fit the 225 mm 版心, characters condensed 0.25 pt.
The 版记 is a table anchored to the bottom margin; page numbers are `— PAGE —` fields in different odd (right)
and even (left) footers.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from lxml import etree

from . import geometry as g
from .spec import RenderSpec
from .titles import split_title

FANGSONG, XBS, HEI, KAI, SONG = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
ALT_NAMES = {FANGSONG: "仿宋", XBS: "宋体", KAI: "楷体", HEI: "SimHei", SONG: "SimSun"}
LATIN = "Times New Roman"
LINE_PT = 28.95  # 22 lines in 225 mm (29 pt would leave room for 21 only)
RED = RGBColor(0xFF, 0x00, 0x00)
CELL_PT = g.CELL / g.PT  # 28 characters per line
HEADING_FONTS = {"heading1": HEI, "heading2": KAI, "heading3": FANGSONG, "heading4": FANGSONG}


def _twips(mm_value: float) -> int:
    return round(mm_value / g.PT * 20)


def _set_fonts(rpr_parent, name: str) -> None:
    """ascii/hAnsi Times New Roman for Latin, ``name`` for 汉字 (what Word's 中文字体 / 西文字体 boxes hold)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    latin = LATIN if name != HEI else HEI
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", name), ("w:cs", latin)):
        fonts.set(qn(attr), value)


def _style(doc, name: str, font: str, size: float, *, base: str = "Normal", outline: int | None = None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.font.size = Pt(size)
    _set_fonts(style.element, font)
    if outline is not None:
        ppr = style.element.get_or_add_pPr()
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(outline))
        ppr.append(lvl)
    return style


def _exact(paragraph, pt: float = LINE_PT, before: float = 0.0) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pt)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(0)


def _first_line_chars(paragraph, chars: int = 2) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * CELL_PT * 20)))


def _run(paragraph, text: str, font: str | None = None, *, size: float | None = None, color=None, scale=None):
    run = paragraph.add_run(text)
    if font:
        _set_fonts(run._r, font)
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    if scale:
        w = OxmlElement("w:w")
        w.set(qn("w:val"), str(scale))
        run._r.get_or_add_rPr().append(w)
    return run


def _border(paragraph, side: str, size_eighths: int, color: str = "000000", space_pt: int = 0) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    el = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size_eighths)), ("w:space", str(space_pt)), ("w:color", color)):
        el.set(qn(k), v)
    bdr.append(el)


def _page_field(paragraph, size: float) -> None:
    _run(paragraph, "— ", SONG, size=size)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = _run(paragraph, "", SONG, size=size)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    _run(paragraph, " —", SONG, size=size)


class _Writer:
    def __init__(self, spec: RenderSpec):
        self.spec = spec
        self.doc = Document()
        self.body = []

    # -- setup ---------------------------------------------------------------------------------------------------
    def setup(self) -> None:
        doc = self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(g.PAGE_W), Mm(g.PAGE_H)
        section.top_margin = Mm(g.TOP)
        section.bottom_margin = Mm(g.PAGE_H - g.BOTTOM)
        section.left_margin = Mm(g.LEFT)
        section.right_margin = Mm(g.PAGE_W - g.RIGHT)
        section.header_distance = Mm(15)
        section.footer_distance = Mm(25)  # puts the page number's dashes about 7 mm under the 版心
        grid = section._sectPr.find(qn("w:docGrid"))
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
        normal = doc.styles["Normal"]
        normal.font.size = Pt(g.SIZE_3)
        _set_fonts(normal.element, FANGSONG)
        # 28 characters a line: 3号 characters condensed by 0.25 pt (a character grid would do it in Word, but
        # LibreOffice/WPS then give each 16 pt character two cells of the 15.8 pt grid).
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(round(-(g.SIZE_3 - CELL_PT + 0.05) * 20)))
        normal.element.get_or_add_rPr().append(spacing)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = False
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), "both")
        normal.element.get_or_add_pPr().append(jc)
        self.styles = {
            "mark": _style(doc, "发文机关标志", XBS, g.SIZE_1),
            "title": _style(doc, "公文标题", XBS, g.SIZE_2),
            "body": _style(doc, "公文正文", FANGSONG, g.SIZE_3),
            "heading1": _style(doc, "一级标题", HEI, g.SIZE_3, outline=0),
            "heading2": _style(doc, "二级标题", KAI, g.SIZE_3, outline=1),
            "heading3": _style(doc, "三级标题", FANGSONG, g.SIZE_3, outline=2),
            "heading4": _style(doc, "四级标题", FANGSONG, g.SIZE_3, outline=3),
            "imprint": _style(doc, "版记", FANGSONG, g.SIZE_4),
        }
        self.styles["mark"].font.color.rgb = RED
        doc.settings.odd_and_even_pages_header_footer = True
        doc.core_properties.title = self.spec.title
        self._font_table()

    def _font_table(self) -> None:
        part = next(p for p in self.doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
        root = etree.fromstring(part.blob)
        for name, alt in ALT_NAMES.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            alt_el = etree.SubElement(font, qn("w:altName"))
            alt_el.set(qn("w:val"), alt)
            charset = etree.SubElement(font, qn("w:charset"))
            charset.set(qn("w:val"), "86")  # GB2312
        blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if hasattr(part, "_element"):
            part._element = root
        else:
            part._blob = blob

    def para(self, text: str = "", style: str = "body", *, align=None, before: float = 0.0, line: float = LINE_PT):
        p = self.doc.add_paragraph()
        if style in self.styles:  # by id: python-docx's lookup by style object scans every style each time
            p._p.get_or_add_pPr().get_or_add_pStyle().val = self.styles[style].style_id
        if text:
            p.add_run(text)
        if align is not None:
            p.alignment = align
        _exact(p, line, before)
        return p

    # -- 版头 ----------------------------------------------------------------------------------------------------
    def head(self) -> None:
        spec = self.spec
        lines_used = 0
        if spec.format == "letter":
            self.letter_head()
            return
        if spec.copy_number:
            self.para(spec.copy_number)
            lines_used += 1
        if spec.urgency:
            p = self.para()
            _run(p, spec.urgency, HEI)
            lines_used += 1
        offset_mm = g.ORDER_MARK_OFFSET if spec.format == "order" else g.MARK_OFFSET
        before = max(0.0, offset_mm / g.PT - lines_used * LINE_PT)
        self.mark(before)
        number = spec.doc_number
        if spec.format == "general" and spec.upward and spec.signers:
            names = list(spec.signers)
            pairs = [names[i : i + 2] for i in range(0, len(names), 2)]
            for n, pair in enumerate(pairs):
                p = self.para(before=2 * LINE_PT if n == 0 else 0.0)
                p.paragraph_format.tab_stops.add_tab_stop(Twips(_twips(g.BODY_W - g.CELL)), WD_TAB_ALIGNMENT.RIGHT)
                last = n == len(pairs) - 1
                if last:
                    p.add_run("\u3000" + number)  # 左空一字 (a space, not an indent: the rule spans the 版心)
                p.add_run("\t")
                _run(p, "签发人：" if n == 0 else "", FANGSONG)
                if n > 0:
                    _run(p, "\u3000" * 4)  # aligns the next names under the first one
                _run(p, "\u3000".join(pair), KAI)
            rule_para = p
        else:
            rule_para = self.para(number, align=WD_ALIGN_PARAGRAPH.CENTER, before=2 * LINE_PT)
        if spec.format != "order":
            # The red rule 4 mm under the 发文字号, as wide as the 版心.
            _border(rule_para, "bottom", 12, "FF0000", round(g.NUMBER_RULE_GAP / g.PT))

    def mark(self, before: float) -> None:
        spec = self.spec
        names = [m for m in spec.issuer_marks if m.strip()]
        suffix = spec.issuer_mark_suffix
        if spec.format in ("order", "minutes"):
            default, ends = ("令", ("令",)) if spec.format == "order" else ("纪要", ("纪要",))
            if suffix == "文件":
                suffix = "" if names and names[0].endswith(ends) else default
            names = names[:1]
        if len(names) <= 1:
            text = (names[0] if names else "") + suffix
            chars = max(1, len(text))
            scale = min(100, int(100 * (g.BODY_W - 2) / (chars * g.SIZE_1 * g.PT)))
            p = self.para(style="mark", align=WD_ALIGN_PARAGRAPH.CENTER, before=before, line=g.SIZE_1 * 1.15)
            _run(p, text, XBS, color=RED, scale=scale if scale < 100 else None)
            return
        # Joint issuance: the names stacked (distributed to one width), 文件 centred at their right.
        spacer = self.para(before=max(0.0, before - LINE_PT))
        spacer.paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1, cols=2 if suffix else 1)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left = table.cell(0, 0)
        left.paragraphs[0].text = ""
        for i, name in enumerate(names):
            p = left.paragraphs[0] if i == 0 else left.add_paragraph()
            p.style = self.styles["mark"]
            _exact(p, 36.0)
            p.alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
            _run(p, name, XBS, size=30, color=RED)
        if suffix:
            right = table.cell(0, 1)
            right.vertical_alignment = 1  # centre
            p = right.paragraphs[0]
            p.style = self.styles["mark"]
            _exact(p, g.SIZE_1 * 1.15)
            _run(p, suffix, XBS, color=RED)

    def letter_head(self) -> None:
        spec = self.spec
        names = [m for m in spec.issuer_marks if m.strip()]
        p = self.para(
            style="mark", align=WD_ALIGN_PARAGRAPH.CENTER, before=max(0.0, (g.LETTER_MARK_TOP - g.TOP)), line=36 * 1.15
        )
        _run(p, names[0] if names else "", XBS, size=36, color=RED)
        _border(p, "bottom", 18, "FF0000", 4)  # the double rule: Word's thick-thin line
        p._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).set(qn("w:val"), "thickThinSmallGap")
        lines = []
        if spec.copy_number:
            lines.append((spec.copy_number, FANGSONG))
        if spec.urgency:
            lines.append((spec.urgency, HEI))
        if not lines and spec.doc_number:
            lines.append(("", FANGSONG))
        for i, (text, font) in enumerate(lines):
            q = self.para(before=g.SIZE_3 * 7 / 8 if i == 0 else 0.0)
            _run(q, text, font)
            if i == 0 and spec.doc_number:
                q.paragraph_format.tab_stops.add_tab_stop(Twips(_twips(g.BODY_W)), WD_TAB_ALIGNMENT.RIGHT)
                q.add_run("\t" + spec.doc_number)
        self.para()

    # -- body ----------------------------------------------------------------------------------------------------
    def title_and_recipients(self) -> None:
        spec = self.spec
        if spec.title.strip():
            parts = split_title(spec.title.strip(), int(g.BODY_W // (g.SIZE_2 * g.PT)))
            p = self.para(
                style="title",
                align=WD_ALIGN_PARAGRAPH.CENTER,
                before=LINE_PT if spec.format != "letter" else LINE_PT,
                line=LINE_PT,
            )
            for i, part in enumerate(parts):
                run = _run(p, part, XBS)
                if i < len(parts) - 1:
                    run.add_break()
            if spec.format != "minutes":
                self.para()
        if spec.main_recipients.strip() and spec.format != "minutes":
            self.para(spec.main_recipients.strip().rstrip("：:") + "：")

    def blocks(self) -> None:
        for block in self.spec.body:
            if block.kind == "table":
                self.table(block.rows)
                continue
            text = block.text.strip()
            if not text:
                continue
            style = block.kind if block.kind in HEADING_FONTS else "body"
            p = self.para(style=style)
            _first_line_chars(p)
            font = HEADING_FONTS.get(block.kind)
            stop = text.find("。")
            if font and 0 <= stop < len(text) - 1:
                _run(p, text[: stop + 1], font)
                _run(p, text[stop + 1 :], FANGSONG)
            else:
                _run(p, text, font or FANGSONG)

    def table(self, rows) -> None:
        rows = [r for r in rows if r]
        if not rows:
            return
        ncols = max(len(r) for r in rows)
        table = self.doc.add_table(rows=len(rows), cols=ncols)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, row in enumerate(rows):
            for c in range(ncols):
                cell = table.cell(r, c)
                p = cell.paragraphs[0]
                _exact(p, g.SIZE_TABLE * 1.3)
                if r == 0 and len(rows) > 1:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(
                    p, row[c] if c < len(row) else "", HEI if r == 0 and len(rows) > 1 else FANGSONG, size=g.SIZE_TABLE
                )

    def attachments(self) -> None:
        names = [a.strip() for a in self.spec.attachments if a.strip()]
        if not names:
            return
        self.para()
        for i, name in enumerate(names):
            num = f"{i + 1}." if len(names) > 1 else ""
            num_w = len(num) * g.SIZE_3 / 2  # half-width digits and point
            label = "附件：" if i == 0 else ""
            p = self.para(label + num + name)
            start = 2 * CELL_PT + (0 if i == 0 else 3 * CELL_PT)
            text_start = 2 * CELL_PT + 3 * CELL_PT + num_w
            fmt = p.paragraph_format
            fmt.left_indent = Pt(text_start)
            fmt.first_line_indent = Pt(start - text_start)

    def minutes_attendance(self) -> None:
        spec = self.spec
        rows = [("出席", spec.attendees), ("请假", spec.absentees), ("列席", spec.observers)]
        rows = [(label, text.strip()) for label, text in rows if text.strip()]
        if not rows:
            return
        self.para()
        for label, text in rows:
            p = self.para()
            fmt = p.paragraph_format
            fmt.left_indent = Pt(5 * CELL_PT)
            fmt.first_line_indent = Pt(-3 * CELL_PT)
            _run(p, label + "：", HEI)
            _run(p, text, FANGSONG)

    def closing(self) -> None:
        spec = self.spec
        sigs = [s.strip() for s in spec.signatures if s.strip()]
        date = spec.date_text.strip()
        right4 = Pt(4 * CELL_PT)
        date_w = len(date) * CELL_PT * 0.75 if date else 0.0
        if sigs and spec.format == "order":
            self.para()
            self.para()
            p = self.para(sigs[0] + "\u3000" * 6, align=WD_ALIGN_PARAGRAPH.RIGHT)  # room for the 签名章
            p.paragraph_format.right_indent = right4
            self.para()
        elif sigs and spec.sealed:
            self.para()
            self.para()
            rows = [sigs[i : i + 3] for i in range(0, len(sigs), 3)]
            for n, row in enumerate(rows):
                if n:
                    for _ in range(4):
                        self.para()
                if len(sigs) == 1:
                    p = self.para(row[0], align=WD_ALIGN_PARAGRAPH.RIGHT)
                    sig_w = len(row[0]) * CELL_PT
                    p.paragraph_format.right_indent = Pt(max(0.0, 4 * CELL_PT + (date_w - sig_w) / 2))
                else:
                    p = self.para("\t" + "\t".join(row))
                    spacing = 49.0
                    last = max(g.BODY_W - 4 * g.CELL - date_w * g.PT / 2, 22 + 2 * spacing)
                    cols = [last - (2 - k) * spacing for k in range(3)][3 - len(row) :]
                    for cx in cols:
                        p.paragraph_format.tab_stops.add_tab_stop(Twips(_twips(cx)), WD_TAB_ALIGNMENT.CENTER)
        elif sigs:
            self.para()
            for s in sigs:
                p = self.para(s, align=WD_ALIGN_PARAGRAPH.RIGHT)
                p.paragraph_format.right_indent = Pt(2 * CELL_PT)
        elif date:
            self.para()
        if date:
            p = self.para(date, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = right4
        note = spec.note.strip()
        if note:
            if not (note.startswith("（") and note.endswith("）")):
                note = f"（{note}）"
            p = self.para(note)
            _first_line_chars(p)

    def imprint(self) -> None:
        spec = self.spec
        cc = spec.cc.strip()
        letter = spec.format == "letter"
        printer = "" if letter else spec.printer.strip()
        pdate = "" if letter else spec.print_date_text.strip()
        rows = []
        if cc:
            rows.append("cc")
        if printer or pdate:
            rows.append("printer")
        if not rows:
            return
        row_pt = g.SIZE_4 * 1.55
        per_line = int((g.BODY_W - 2 * g.CELL_4) // g.CELL_4)
        lines = {"cc": -(-(len(cc) + 4) // per_line), "printer": 1}
        height_pt = sum(lines[r] for r in rows) * row_pt
        table = self.doc.add_table(rows=len(rows), cols=1)
        tbl_pr = table._tbl.tblPr
        # Floats at the bottom of the 版心 whatever the length of the text above it: its rows have exact heights,
        # so its top is placed from the page top (a bottom-aligned table is not honoured by LibreOffice).
        pos = OxmlElement("w:tblpPr")
        top_twips = _twips(g.BOTTOM) - round(height_pt * 20)
        for k, v in (
            ("w:vertAnchor", "page"),
            ("w:horzAnchor", "margin"),
            ("w:tblpY", str(top_twips)),
            ("w:tblpXSpec", "center"),
        ):
            pos.set(qn(k), v)
        tbl_pr.insert(0, pos)
        width = tbl_pr.find(qn("w:tblW"))
        width.set(qn("w:w"), str(_twips(g.BODY_W)))
        width.set(qn("w:type"), "dxa")
        borders = OxmlElement("w:tblBorders")
        thick, thin = "8", "6"  # eighths of a point: 0.35 mm and 0.25 mm
        for side, size in (("top", thick), ("bottom", thick), ("insideH", thin)):
            el = OxmlElement(f"w:{side}")
            if letter:
                el.set(qn("w:val"), "nil")
            else:
                for k, v in (("w:val", "single"), ("w:sz", size), ("w:space", "0"), ("w:color", "000000")):
                    el.set(qn(k), v)
            borders.append(el)
        for side in ("left", "right", "insideV"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "nil")
            borders.append(el)
        tbl_pr.find(qn("w:tblLook")).addprevious(borders)  # schema order: tblW … tblBorders … tblLook
        one = Pt(g.SIZE_4)
        for r, kind in enumerate(rows):
            cell = table.cell(r, 0)
            cell.width = Mm(g.BODY_W)
            table.rows[r].height = Pt(lines[kind] * row_pt)
            table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            p = cell.paragraphs[0]
            p.style = self.styles["imprint"]
            _exact(p, g.SIZE_4 * 1.55)
            fmt = p.paragraph_format
            if kind == "cc":
                fmt.left_indent = Pt(g.SIZE_4 * 4)  # hanging after 抄送：
                fmt.first_line_indent = Pt(-g.SIZE_4 * 3)
                fmt.right_indent = one
                p.add_run("抄送：" + cc.rstrip("。.；;，,") + "。")
            else:
                fmt.left_indent = one
                fmt.right_indent = one
                fmt.tab_stops.add_tab_stop(Twips(_twips(g.BODY_W - g.CELL_4)), WD_TAB_ALIGNMENT.RIGHT)
                p.add_run(printer + "\t" + (pdate + "印发" if pdate else ""))
        # A floating table anchors to the paragraph after it; Word and LibreOffice need one to show it.
        anchor = self.doc.add_paragraph()
        _exact(anchor, 1.0)

    def footers(self) -> None:
        section = self.doc.sections[0]
        one = Pt(g.SIZE_4)
        odd = section.footer.paragraphs[0]
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        odd.paragraph_format.right_indent = one
        _page_field(odd, g.SIZE_4)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        even.paragraph_format.left_indent = one
        _page_field(even, g.SIZE_4)
        if self.spec.format == "letter":  # 信函格式: no number on the first page
            section.different_first_page_header_footer = True
            section.first_page_footer.paragraphs[0].text = ""

    def build(self) -> bytes:
        self.setup()
        self.head()
        self.title_and_recipients()
        self.blocks()
        self.attachments()
        if self.spec.format == "minutes":
            self.minutes_attendance()
        self.closing()
        self.imprint()
        self.footers()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def build_docx(spec: RenderSpec) -> bytes:
    return _Writer(spec).build()
