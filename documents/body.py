"""The structured 正文: a list of blocks ``{"kind": ..., "text": ...}`` / ``{"kind": "table", "rows": [[...]]}``.

Heading levels carry their numbering prefix in the text (``一、`` ``（一）`` ``1.`` ``（1）``). ``renumber``
rewrites the prefixes from the block order, so moving or re-levelling a heading never leaves a gap; the
editor's script (static/documents/editor.js) applies the same rules live.
"""

import re

from oa.core.errors import ServiceError

from .textclean import check_text

HEADINGS = ("heading1", "heading2", "heading3", "heading4")
KINDS = (*HEADINGS, "paragraph", "table")
KIND_LABELS = {
    "heading1": "一级标题（一、）",
    "heading2": "二级标题（（一））",
    "heading3": "三级标题（1.）",
    "heading4": "四级标题（（1））",
    "paragraph": "正文段落",
    "table": "表格",
}
MAX_BLOCKS = 2000
MAX_BLOCK_CHARS = 20000
MAX_TABLE_CELLS = 5000

_CN = "〇一二三四五六七八九十百"
# Any of the four prefixes (also the half-width / ASCII look-alikes people type), removed before renumbering.
PREFIX_RE = re.compile(
    r"^\s*(?:"
    r"[一二三四五六七八九十百]+\s*[、，,.．]"  # 一、
    r"|[（(]\s*[一二三四五六七八九十百]+\s*[）)]"  # （一）
    r"|\d+\s*[.．、](?!\d)"  # 1.
    r"|[（(]\s*\d+\s*[）)]"  # （1）
    r")\s*"
)
LEVEL_PATTERNS = (
    ("heading1", re.compile(r"^\s*[一二三四五六七八九十百]+\s*、")),
    ("heading2", re.compile(r"^\s*[（(]\s*[一二三四五六七八九十百]+\s*[）)]")),
    ("heading3", re.compile(r"^\s*\d+\s*[.．](?!\d)")),
    ("heading4", re.compile(r"^\s*[（(]\s*\d+\s*[）)]")),
)


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as numbered headings are written)."""
    if n <= 0:
        raise ValueError(n)
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return digits[hundreds] + "百"
    if rest < 10:
        return digits[hundreds] + "百零" + digits[rest]
    tail = chinese_number(rest)
    return digits[hundreds] + "百" + ("一" + tail if rest < 20 else tail)


def prefix_for(kind: str, n: int) -> str:
    if kind == "heading1":
        return f"{chinese_number(n)}、"
    if kind == "heading2":
        return f"（{chinese_number(n)}）"
    if kind == "heading3":
        return f"{n}."
    if kind == "heading4":
        return f"（{n}）"
    return ""


def strip_prefix(text: str) -> str:
    return PREFIX_RE.sub("", text, count=1)


def level_from_prefix(text: str) -> str | None:
    for kind, pattern in LEVEL_PATTERNS:
        if pattern.match(text):
            return kind
    return None


def renumber(blocks: list[dict]) -> list[dict]:
    """New blocks whose heading prefixes follow the order: a level restarts after any higher heading."""
    counters = [0, 0, 0, 0]
    out = []
    for block in blocks:
        kind = block["kind"]
        if kind in HEADINGS:
            level = HEADINGS.index(kind)
            counters[level] += 1
            for lower in range(level + 1, 4):
                counters[lower] = 0
            text = prefix_for(kind, counters[level]) + strip_prefix(block.get("text", ""))
            out.append({"kind": kind, "text": text})
        else:
            out.append(dict(block))
    return out


def normalise(raw, *, label: str = "正文") -> list[dict]:
    """Validate blocks from a form, the API or an import: known kinds, sane sizes, no control characters,
    empty paragraphs dropped, prefixes renumbered. Raises ``ServiceError`` with the block's number."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ServiceError(f"{label}格式不正确：应为段落列表。", field="body")
    if len(raw) > MAX_BLOCKS:
        raise ServiceError(f"{label}段落过多（超过 {MAX_BLOCKS} 段）。", field="body")
    blocks = []
    for index, item in enumerate(raw, start=1):
        where = f"{label}第{index}段"
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise ServiceError(f"{where}的类型不正确。", field="body")
        kind = item["kind"]
        if kind == "table":
            rows = item.get("rows")
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ServiceError(f"{where}（表格）格式不正确。", field="body")
            if sum(len(r) for r in rows) > MAX_TABLE_CELLS:
                raise ServiceError(f"{where}（表格）单元格过多。", field="body")
            clean_rows = [[check_text(str(c), f"{where}（表格）", multiline=True).strip() for c in r] for r in rows]
            clean_rows = [r for r in clean_rows if any(r)]
            if clean_rows:
                blocks.append({"kind": "table", "rows": clean_rows})
            continue
        text = item.get("text", "")
        if not isinstance(text, str):
            raise ServiceError(f"{where}的文字格式不正确。", field="body")
        if len(text) > MAX_BLOCK_CHARS:
            raise ServiceError(f"{where}过长（超过 {MAX_BLOCK_CHARS} 字），请分段。", field="body")
        # A line break inside a block starts a new paragraph (Enter in the editor's textarea).
        lines = [line.strip() for line in re.split(r"[\r\n\u2028\u2029]", check_text(text, where, multiline=True))]
        for n, line in enumerate(lines):
            line_kind = kind if n == 0 else "paragraph"
            if line_kind in HEADINGS and not strip_prefix(line):
                continue  # a heading with only its number: nothing to say
            if line:
                blocks.append({"kind": line_kind, "text": line})
    return renumber(blocks)


def table_from_text(text: str) -> list[list[str]]:
    """The editor's table textarea: one row per line, cells separated by ``|`` (or a tab)."""
    return [[cell.strip() for cell in re.split(r"[|｜\t]", line)] for line in text.splitlines() if line.strip()]


def table_to_text(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(row) for row in rows)


def block_text(block: dict) -> str:
    """One line of plain text for a block (tables: cells joined by ｜, rows by ／) — used by diffs and search."""
    if block.get("kind") == "table":
        return " ／ ".join("｜".join(row) for row in block.get("rows", []))
    return block.get("text", "")


def plain_text(blocks: list[dict]) -> str:
    return "\n".join(block_text(b) for b in blocks)
