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


def _font() -> str:
    try:
        from ..rendering.fonts import load

        return load("fangsong").name
    except Exception:  # no TrueType 仿宋 installed: reportlab's built-in CID font still prints Chinese
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light"


def _wrap(c, text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text.replace("\r", ""):
        if ch == "\n":
            lines.append(line)
            line = ""
            continue
        if c.stringWidth(line + ch, font, size) > width:
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
    font = _font()
    boxes = {}
    page = 1
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    title = "发文稿纸" if flow.kind == FlowKind.OUTGOING else "收文处理笺"
    c.setTitle(title)
    c.setFont(font, 22)
    c.drawCentredString(A4[0] / 2, TOP - 10 * mm, title)
    y = TOP - 25 * mm
    c.setFont(font, 12)
    for name, value in _particulars(flow):
        for i, line in enumerate(_wrap(c, value or "", font, 12, RIGHT - LEFT - 30 * mm)):
            c.drawString(LEFT, y, f"{name}：" if i == 0 else "")
            c.drawString(LEFT + 30 * mm, y, line)
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
            c.setFont(font, 12)
            y = TOP
        c.setFont(font, 12)
        head = f"{label(flow.kind, task.step)}  {acted_label(task)}  {task.get_decision_display()}"
        c.drawString(LEFT, y, head)
        when = timezone.localtime(task.decided_at).strftime("%Y年%m月%d日 %H:%M") if task.decided_at else ""
        c.drawRightString(RIGHT, y, when)
        y -= 6 * mm
        for line in _wrap(c, f"意见：{task.opinion}" if task.opinion else "", font, 11, RIGHT - LEFT - 8 * mm):
            if line:
                c.setFont(font, 11)
                c.drawString(LEFT + 8 * mm, y, line)
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
