"""发文稿纸 and 收文处理笺 as PDF: the document's particulars, then every opinion in order with the person
(代签 shown), their handwriting and the time.

``layout_sheet`` also returns where each opinion's handwriting sits (``SignatureBox``, in the signing
service's coordinates) so the leader's personal signature can be placed exactly on their 签发 opinion."""

import io
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from .engine import acted_label
from .models import Decision, Flow, FlowKind, TaskState
from .tables import label

LEFT, RIGHT, TOP, BOTTOM = 20 * mm, A4[0] - 20 * mm, A4[1] - 20 * mm, 20 * mm


class _Ink:
    """Draws text in 仿宋 with per-character fallback (the free 仿宋 lacks most 简化字: 发 阳 办 …, which would
    print as blanks), or in reportlab's built-in CID 宋 when no TrueType font is installed."""

    def __init__(self, c):
        self.c = c
        try:
            from ..rendering.fonts import FontSet

            fonts = FontSet()
            self._font_for = lambda ch: fonts.font_for("fangsong", ch).name
        except Exception:  # no TrueType fonts installed: the built-in CID font still prints Chinese
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.cidfonts import UnicodeCIDFont

            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
            self._font_for = lambda ch: "STSong-Light"

    def runs(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for ch in text:
            name = self._font_for(ch)
            if out and out[-1][0] == name:
                out[-1] = (name, out[-1][1] + ch)
            else:
                out.append((name, ch))
        return out

    def width(self, text: str, size: float) -> float:
        return sum(self.c.stringWidth(run, name, size) for name, run in self.runs(text))

    def draw(self, x: float, y: float, text: str, size: float, *, align: str = "left") -> None:
        if align == "right":
            x -= self.width(text, size)
        elif align == "centre":
            x -= self.width(text, size) / 2
        for name, run in self.runs(text):
            self.c.setFont(name, size)
            self.c.drawString(x, y, run)
            x += self.c.stringWidth(run, name, size)


def _wrap(ink: _Ink, text: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text.replace("\r", ""):
        if ch == "\n":
            lines.append(line)
            line = ""
            continue
        if ink.width(line + ch, size) > width:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    return lines


def _particulars(flow: Flow) -> list[tuple[str, str]]:
    if flow.kind == FlowKind.OUTGOING:
        d = flow.document
        return [
            ("标题", d.title),
            ("发文字号", d.doc_number or "（未编号）"),
            ("文种", d.doc_type),
            ("紧急程度", d.urgency or "平件"),
            ("拟稿单位", d.owner_unit.name),
            ("拟稿人", d.drafter.get_full_name()),
        ]
    i = flow.incoming
    return [
        ("标题", i.title),
        ("收文编号", i.reg_number or "（未登记）"),
        ("来文单位", i.sender_name),
        ("来文字号", i.source_number),
        ("紧急程度", i.urgency or "平件"),
        ("办理时限", f"{i.deadline:%Y年%m月%d日}" if i.deadline else ""),
    ]


@dataclass(frozen=True)
class SignatureBox:
    """Where an opinion's handwriting goes: page from 1, centre and size in mm from the top-left corner
    (the convention of ``signing.services.SignaturePlacement``)."""

    page: int
    x_mm: float
    y_mm: float
    width_mm: float = 60.0
    height_mm: float = 20.0


@dataclass(frozen=True)
class SheetLayout:
    pdf: bytes
    boxes: dict  # task id -> SignatureBox


def render_sheet(flow: Flow) -> bytes:
    return layout_sheet(flow).pdf


def layout_sheet(flow: Flow, *, blank_for=None) -> SheetLayout:
    """The sheet and each handwriting box. ``blank_for``: the task whose handwriting area is left empty
    (its personal signature will paint the handwriting there, so it must not be drawn twice)."""
    boxes = {}
    page = 1
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    ink = _Ink(c)
    title = "发文稿纸" if flow.kind == FlowKind.OUTGOING else "收文处理笺"
    c.setTitle(title)
    ink.draw(A4[0] / 2, TOP - 10 * mm, title, 22, align="centre")
    y = TOP - 25 * mm
    for name, value in _particulars(flow):
        for i, line in enumerate(_wrap(ink, value or "", 12, RIGHT - LEFT - 30 * mm)):
            ink.draw(LEFT, y, f"{name}：" if i == 0 else "", 12)
            ink.draw(LEFT + 30 * mm, y, line, 12)
            y -= 7 * mm
    y -= 3 * mm
    c.line(LEFT, y, RIGHT, y)
    y -= 8 * mm
    tasks = flow.tasks.filter(state=TaskState.DONE).exclude(decision=Decision.SUPERSEDED)
    for task in tasks.select_related("assignee", "acted_by").order_by("decided_at", "id"):
        png = bytes(task.handwriting_png) if task.handwriting_png else None
        reserve = png is not None or task.pk == blank_for
        needed = 30 * mm if reserve else 16 * mm
        if y - needed < BOTTOM:
            c.showPage()
            page += 1
            y = TOP
        head = f"{label(flow.kind, task.step)}  {acted_label(task)}  {task.get_decision_display()}"
        ink.draw(LEFT, y, head, 12)
        when = timezone.localtime(task.decided_at).strftime("%Y年%m月%d日 %H:%M") if task.decided_at else ""
        ink.draw(RIGHT, y, when, 12, align="right")
        y -= 6 * mm
        for line in _wrap(ink, f"意见：{task.opinion}" if task.opinion else "", 11, RIGHT - LEFT - 8 * mm):
            if line:
                ink.draw(LEFT + 8 * mm, y, line, 11)
                y -= 6 * mm
        if reserve:
            boxes[task.pk] = SignatureBox(
                page=page, x_mm=(LEFT + 8 * mm + 30 * mm) / mm, y_mm=(A4[1] - (y - 10 * mm)) / mm
            )
        if png and task.pk != blank_for:
            c.drawImage(
                ImageReader(io.BytesIO(png)),
                LEFT + 8 * mm,
                y - 20 * mm,
                width=60 * mm,
                height=20 * mm,
                preserveAspectRatio=True,
                mask="auto",
            )
        if reserve:
            y -= 24 * mm
        y -= 3 * mm
    c.showPage()
    c.save()
    return SheetLayout(pdf=out.getvalue(), boxes=boxes)
