"""What the renderer is given and what it returns. Plain data: the renderer knows nothing of Django models.

Format notes (GB/T 9704-2012 §10):
- ``general`` 通用: 标志 = each of ``issuer_marks`` + ``issuer_mark_suffix`` (joint issuers stacked, the suffix to
  their right).
- ``letter`` 信函: 标志 = the lead issuer's name only (the suffix is not used); ``doc_number`` at the right under the
  double rule; no 印发机关/日期 in the 版记; no page number on the first page.
- ``order`` 命令(令): 标志 = ``issuer_marks[0]`` + ``issuer_mark_suffix``, where the default suffix "文件" reads
  "令" (a mark already ending in 令 or 命令 is kept as is); ``doc_number`` is the 令号 (e.g. 第12号);
  ``signatures[0]`` is the 签发人职务 and ``signers[0]`` the name whose 签名章 goes in the seal slot.
- ``minutes`` 纪要: 标志 = ``issuer_marks[0]`` + suffix, where the default "文件" reads "纪要" (a mark already ending
  in 纪要 is kept); ``doc_number`` is the 期号 when there is one; ``attendees`` / ``absentees`` / ``observers`` are
  the 出席 / 请假 / 列席 lists.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("general", "letter", "order", "minutes")
BLOCK_KINDS = ("heading1", "heading2", "heading3", "heading4", "paragraph", "table")


@dataclass(frozen=True)
class Block:
    """One body block."""

    kind: str  # "heading1" | "heading2" | "heading3" | "heading4" | "paragraph" | "table"
    text: str = ""  # full text incl. its numbering prefix (一、 / （一） / 1. / （1）) for headings
    rows: tuple[tuple[str, ...], ...] = ()  # for tables


@dataclass(frozen=True)
class RenderSpec:
    format: str = "general"  # "general" 通用 | "letter" 信函 | "order" 命令 | "minutes" 纪要
    copy_number: str = ""  # 份号 (6 digits)
    urgency: str = ""  # "" | 特急 | 加急
    issuer_marks: tuple[str, ...] = ()  # 发文机关标志 texts, lead first, e.g. ("阳江市人民政府",)
    issuer_mark_suffix: str = "文件"  # "文件" or "" (e.g. 信函格式 uses the name only)
    doc_number: str = ""  # 发文字号, e.g. 阳府办〔2021〕7号
    upward: bool = False  # 上行文: 发文字号 left + 签发人 right
    signers: tuple[str, ...] = ()  # 签发人 names (上行文)
    title: str = ""
    main_recipients: str = ""  # 主送机关 (without the trailing colon; renderer adds ：)
    body: tuple[Block, ...] = ()
    attachments: tuple[str, ...] = ()  # 附件说明 names, in order
    signatures: tuple[str, ...] = ()  # 发文机关署名, lead first
    date_text: str = ""  # 成文日期 e.g. 2021年9月10日
    note: str = ""  # 附注 (renderer adds the parentheses)
    cc: str = ""  # 抄送机关 text
    printer: str = ""  # 印发机关
    print_date_text: str = ""  # 印发日期 e.g. 2021年9月10日 (renderer adds 印发)
    watermark: str = ""  # light diagonal watermark text for previews (viewer name + time)
    # Optional additions (defaults keep the shared contract):
    sealed: bool = True  # 加盖印章: seal slots over the 署名 (False: 不加盖印章 layout, no slots)
    seal_diameter_mm: float = 42.0
    attendees: str = ""  # 纪要: 出席
    absentees: str = ""  # 纪要: 请假
    observers: str = ""  # 纪要: 列席
    imprint_on_even_page: bool = True  # 版记 on an even page (the back of the last sheet)


@dataclass(frozen=True)
class SealSlot:
    """Where a seal goes: its centre from the page's top-left corner, in mm; ``page`` counts from 1."""

    page: int
    x_mm: float
    y_mm: float
    diameter_mm: float
    issuer: str
    kind: str = "seal"  # "seal" 印章 | "signature" 签名章 (命令格式)


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    page_count: int
    seal_slots: tuple[SealSlot, ...]
