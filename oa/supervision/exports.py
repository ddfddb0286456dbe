"""The monthly progress report of a unit (月度督办进展报告), as CSV (Excel opens it: UTF-8 with BOM) and DOCX."""

import csv
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

COLUMNS = [
    ("title", "督办事项"),
    ("source", "来源"),
    ("role", "承办角色"),
    ("lead_unit", "牵头单位"),
    ("deadline", "办结时限"),
    ("status", "状态"),
    ("warning", "预警"),
    ("percent", "完成进度(%)"),
    ("progress", "本月进展"),
    ("completed_on", "办结日期"),
    ("on_time", "是否按时"),
]


def report_title(unit, year: int, month: int) -> str:
    return f"{unit.name}{year}年{month}月督办事项进展情况"


def summary_line(rows) -> str:
    closed = sum(1 for r in rows if r["status"] == "已办结")
    overdue = sum(1 for r in rows if r["warning"] == "已超期")
    return f"共 {len(rows)} 项，已办结 {closed} 项，超期未办结 {overdue} 项。"


def to_csv(unit, year: int, month: int, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([report_title(unit, year, month)])
    writer.writerow([summary_line(rows)])
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow([_safe_cell(row[key]) for key, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe_cell(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _font(run, name: str = "仿宋", size: float = 12, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def to_docx(unit, year: int, month: int, rows, generated_by: str = "") -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    heading = document.add_paragraph()
    heading.alignment = 1
    _font(heading.add_run(report_title(unit, year, month)), "小标宋体", 18, bold=True)
    intro = document.add_paragraph()
    _font(intro.add_run(summary_line(rows) + (f"  制表：{generated_by}" if generated_by else "")))
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, (_, label) in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(label), "黑体", 10.5, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, (key, _) in zip(cells, COLUMNS, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(row[key])), size=10.5)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
