"""格式检查: one function that checks a 公文 against the rules and says what is wrong, in Chinese.

    check_document(doc_or_spec, *, render_result=None, final=None) -> list[Finding]

It accepts a ``Document`` (drafting, 核稿) or a ``RenderSpec`` (a received document, 收文初审). Severity
``error`` blocks the next step; ``warning`` is advice. ``final`` (default: the document has a 发文字号) makes
the items that are only known at 登记/印制 time (成文日期, 印发日期) errors when missing.
With ``render_result`` (the renderer's ``RenderResult``) the seal position is checked on the PDF itself.
"""

import re
from dataclasses import dataclass, field

from .models import CLASSIFIED, FORMAT_OF_TYPE, AddresseeKind, DocType, Document, Format, issuer_mark_of

ERROR, WARNING = "error", "warning"
DOC_TYPES = tuple(DocType.values)
# 命令(令): a title may end with 命令 or 令.
TITLE_ENDINGS = {DocType.ORDER: ("命令", "令")}
# 文种 whose titles normally read "…关于…的X" (公告, 通告, 公报, 命令, 纪要, 议案 often do not).
EXPECTS_GUANYU = {
    DocType.RESOLUTION,
    DocType.DECISION,
    DocType.OPINION,
    DocType.NOTICE,
    DocType.CIRCULAR,
    DocType.REPORT,
    DocType.REQUEST,
    DocType.REPLY,
    DocType.LETTER,
}
LINE_PITCH_MM = 225 / 22  # 版心 height / 22 lines
MM_PER_PT = 25.4 / 72
TYPE_AREA_BOTTOM_MM = 37 + 225  # 天头 + 版心 height


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" | "warning"
    field: str
    message_zh: str


@dataclass
class _Facts:
    """What the rules look at, whatever the input was."""

    doc_type: str | None
    doc_number: str
    upward: bool
    signers: list[str]
    title: str
    issuer_names: list[str]
    main_recipients: list[str]
    attachment_note: list[str]
    attachment_files: list[str] | None  # None: the files are not known (checking a spec)
    date_text: str
    printer: str
    print_date_text: str
    secrecy: str = ""
    copy_number: str = ""
    format: str = Format.GENERAL
    final: bool = True
    extra: dict = field(default_factory=dict)


def check_document(doc_or_spec, *, render_result=None, final: bool | None = None) -> list[Finding]:
    facts = _facts_of(doc_or_spec, final)
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(facts))
    if render_result is not None:
        findings.extend(check_seal_position(render_result))
    return findings


def has_errors(findings) -> bool:
    return any(f.severity == ERROR for f in findings)


# --- reading the input ----------------------------------------------------------------------------------


def date_text(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _facts_of(obj, final: bool | None) -> _Facts:
    if isinstance(obj, Document):
        main = [u.name for u in obj.addressee_units(AddresseeKind.MAIN)] + split_recipients(obj.main_recipients_text)
        return _Facts(
            doc_type=obj.doc_type,
            doc_number=obj.doc_number,
            upward=obj.direction == "up",
            signers=obj.signer_names(),
            title=obj.title,
            issuer_names=[u.name for u in obj.ordered_issuers()],
            main_recipients=main,
            attachment_note=note_items(obj.attachment_note),
            attachment_files=[a.name for a in obj.active_attachments()],
            date_text=date_text(obj.written_date),
            printer=obj.printer,
            print_date_text=date_text(obj.print_date),
            secrecy=obj.secrecy,
            copy_number=obj.copy_number,
            format=obj.format,
            final=bool(obj.doc_number) if final is None else final,
            extra={"issuer_aliases": [issuer_mark_of(u) for u in obj.ordered_issuers()]},
        )
    # A RenderSpec (duck-typed: a received document's spec need not come from our model).
    title = getattr(obj, "title", "") or ""
    return _Facts(
        doc_type=_type_from_title(title, getattr(obj, "format", "general")),
        doc_number=getattr(obj, "doc_number", "") or "",
        upward=bool(getattr(obj, "upward", False)),
        signers=[s for s in getattr(obj, "signers", ()) or () if s],
        title=title,
        issuer_names=list(getattr(obj, "issuer_marks", ()) or ()),
        main_recipients=split_recipients(getattr(obj, "main_recipients", "") or ""),
        attachment_note=[strip_note_number(a) for a in getattr(obj, "attachments", ()) or () if a.strip()],
        attachment_files=None,
        date_text=getattr(obj, "date_text", "") or "",
        printer=getattr(obj, "printer", "") or "",
        print_date_text=getattr(obj, "print_date_text", "") or "",
        copy_number=getattr(obj, "copy_number", "") or "",
        format=getattr(obj, "format", Format.GENERAL) or Format.GENERAL,
        final=True if final is None else final,
    )


def _type_from_title(title: str, fmt: str) -> str | None:
    for doc_type in sorted(DOC_TYPES, key=len, reverse=True):
        if any(title.endswith(e) for e in TITLE_ENDINGS.get(doc_type, (doc_type,))):
            return doc_type
    return None


_BRACKETS = {"（": "）", "(": ")", "〔": "〕", "[": "]", "【": "】", "《": "》", "“": "”"}


def split_recipients(text: str) -> list[str]:
    """'各县（市、区）人民政府，市府直属各单位' → two recipients: separators inside brackets do not split."""
    out, current, depth = [], "", 0
    closing = set(_BRACKETS.values())
    for ch in (text or "").strip().rstrip("：:"):
        if ch in _BRACKETS:
            depth += 1
        elif ch in closing and depth:
            depth -= 1
        if depth == 0 and ch in "，,、；;":
            if current.strip():
                out.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        out.append(current.strip())
    return out


_NOTE_NUMBER = re.compile(r"^\s*(?:附件\s*[:：]\s*)?(?:\d+\s*[.．、]\s*)?")


def strip_note_number(item: str) -> str:
    return _NOTE_NUMBER.sub("", item, count=1).strip()


def note_items(text: str) -> list[str]:
    """附件说明 text → attachment names: one per line, without ``附件：`` and the ``1.`` numbering."""
    return [strip_note_number(line) for line in (text or "").splitlines() if strip_note_number(line)]


def _normal_name(name: str) -> str:
    name = re.sub(r"\.(pdf|docx?|ofd|png|jpe?g|gif|tiff?|xlsx?|wps)$", "", name.strip(), flags=re.IGNORECASE)
    return re.sub(r"[《》\s]", "", name)


# --- rules ---------------------------------------------------------------------------------------------------


def rule_not_classified(f: _Facts):
    if f.secrecy in CLASSIFIED:
        yield Finding(
            "classified", ERROR, "secrecy", f"本系统为非涉密网络，不得处理涉密公文（{f.secrecy}），请在涉密网络中办理。"
        )


def rule_doc_type(f: _Facts):
    if f.doc_type not in DOC_TYPES:
        yield Finding(
            "doc_type.invalid",
            ERROR,
            "doc_type",
            "文种不是《党政机关公文处理工作条例》规定的15种之一（决议、决定、命令（令）、公报、公告、通告、意见、"
            "通知、通报、报告、请示、批复、议案、函、纪要）。",
        )


# A loose reading of what people type, to suggest the right form: code, bracket, year, 第, seq, 号.
_NUMBER_RE = re.compile(
    r"^(?P<code>\S*?)\s*(?P<open>[〔\[［(（【〈<{]?)\s*(?P<year>\d{2,4})\s*(?P<close>[〕\]］)）】〉>}]?)"
    r"\s*(?P<di>第?)\s*(?P<seq>\d+)\s*(?P<hao>号?)$"
)
_ORDER_NUMBER = re.compile(r"^第[1-9]\d*号$")
_RIGHT_NUMBER = re.compile(r"^[^\s〔〕\d]+〔\d{4}〕[1-9]\d*号$")


def check_doc_number(number: str) -> list[Finding]:
    """发文字号 = 机关代字〔年份〕序号号: 六角括号, full year, no 第, no leading zero, ends with 号."""
    if not number or _RIGHT_NUMBER.match(number):
        return []
    match = _NUMBER_RE.match(number.strip())
    if not match or not match.group("code"):
        return [
            Finding(
                "doc_number.form",
                ERROR,
                "doc_number",
                f"发文字号“{number}”格式不正确，应为 机关代字〔年份〕序号号，如：阳府办〔2021〕7号。",
            )
        ]
    code, year, seq = match.group("code"), match.group("year"), match.group("seq")
    problems = []
    if (match.group("open"), match.group("close")) != ("〔", "〕"):
        problems.append("年份应使用六角括号〔〕")
    if len(year) != 4:
        problems.append("年份应写全称（4位）")
        year = f"20{year[-2:]}"
    if match.group("di"):
        problems.append("序号前不加“第”")
    if seq.startswith("0"):
        problems.append("序号不编虚位（不加前导0）")
    if not match.group("hao"):
        problems.append("序号后应加“号”")
    suggestion = f"{code}〔{year}〕{int(seq)}号"
    if not problems:
        problems.append("格式不正确")
    return [
        Finding("doc_number.form", ERROR, "doc_number", f"发文字号“{number}”{'；'.join(problems)}。应为：{suggestion}")
    ]


def rule_doc_number(f: _Facts):
    if not f.doc_number:
        if f.final:
            yield Finding("doc_number.missing", ERROR, "doc_number", "缺少发文字号。")
        return
    if f.format == Format.ORDER and _ORDER_NUMBER.match(f.doc_number):
        return  # 令号: 第N号, numbered per term of office
    yield from check_doc_number(f.doc_number)


def rule_title(f: _Facts):
    title = f.title.strip()
    if not title:
        yield Finding("title.missing", ERROR, "title", "缺少标题。")
        return
    if title[-1] in "。．.，,；;：:！!":
        yield Finding("title.punctuation", WARNING, "title", "标题末尾不加标点符号。")
        title = title.rstrip("。．.，,；;：:！!")
    if f.doc_type in DOC_TYPES:
        endings = TITLE_ENDINGS.get(f.doc_type, (f.doc_type,))
        if not any(title.endswith(e) for e in endings):
            yield Finding(
                "title.doc_type",
                ERROR,
                "title",
                f"标题应以文种“{endings[0]}”结尾（发文机关 + 事由 + 文种），如：关于……的{endings[0]}。",
            )
        elif f.doc_type in EXPECTS_GUANYU and "关于" not in title:
            yield Finding(
                "title.guanyu", WARNING, "title", "标题一般由“发文机关 + 关于 + 事由 + 的 + 文种”组成，缺少“关于”。"
            )
    if "关于" in title and f.issuer_names:
        lead_in = title.split("关于", 1)[0].strip()
        known = set(f.issuer_names) | set(f.extra.get("issuer_aliases", ()))
        parts = [p for p in re.split(r"[、，,和\s]+", lead_in) if p]
        if parts and not all(part in known for part in parts):
            yield Finding(
                "title.issuer",
                WARNING,
                "title",
                f"标题中的发文机关“{lead_in}”与发文机关（{'、'.join(f.issuer_names)}）不一致；"
                "标题中的发文机关也可以省略。",
            )


def rule_signers(f: _Facts):
    if f.upward and not f.signers:
        yield Finding("signers.missing", ERROR, "signers", "上行文应标注签发人（发文字号右侧）。")
    elif f.upward and len(f.issuer_names) > 1 and len(f.signers) < len(f.issuer_names):
        yield Finding("signers.joint", WARNING, "signers", "联合上行文应标注各发文机关的签发人，按发文机关顺序排列。")


_DATE_RIGHT = re.compile(r"^(\d{4})年([1-9]\d?)月([1-9]\d?)日$")
_DATE_PADDED = re.compile(r"^(\d{4})年0?(\d{1,2})月0?(\d{1,2})日$")
_DATE_OTHER = re.compile(r"^(\d{4})\s*[-./／年]\s*(\d{1,2})\s*[-./／月]\s*(\d{1,2})\s*日?$")
_CN_DIGITS = "〇零一二三四五六七八九十"


def _valid_date(y: str, m: str, d: str) -> bool:
    import datetime

    try:
        datetime.date(int(y), int(m), int(d))
        return True
    except ValueError:
        return False


def check_date_text(text: str, field: str, label: str) -> list[Finding]:
    """2021年9月10日: Arabic numerals, full year, no zero padding."""
    text = (text or "").strip()
    if field == "print_date":
        text = text.removesuffix("印发").strip()
    match = _DATE_RIGHT.match(text)
    if match:
        if _valid_date(*match.groups()):
            return []
        return [Finding(f"{field}.invalid", ERROR, field, f"{label}“{text}”不是有效的日期。")]
    code = f"{field}.form"
    if any(ch in _CN_DIGITS for ch in text):
        return [Finding(code, ERROR, field, f"{label}“{text}”应使用阿拉伯数字，如：2021年9月10日。")]
    match = _DATE_PADDED.match(text) or _DATE_OTHER.match(text)
    if match and _valid_date(*match.groups()):
        y, m, d = match.groups()
        fixed = f"{int(y)}年{int(m)}月{int(d)}日"
        why = "月、日不编虚位（不加前导0）" if _DATE_PADDED.match(text) else "应写作“年月日”"
        return [Finding(code, ERROR, field, f"{label}“{text}”{why}，应为：{fixed}。")]
    return [Finding(code, ERROR, field, f"{label}“{text}”格式不正确，应为：2021年9月10日（年份写全，月日不加0）。")]


def rule_written_date(f: _Facts):
    if not f.date_text:
        yield Finding("written_date.missing", ERROR if f.final else WARNING, "written_date", "缺少成文日期。")
        return
    yield from check_date_text(f.date_text, "written_date", "成文日期")


def rule_attachments(f: _Facts):
    notes = f.attachment_note
    if f.attachment_files is None:
        for item in notes:
            if item and item[-1] in "。，；,.;：:":
                yield Finding(
                    "attachment_note.punctuation", WARNING, "attachment_note", f"附件名称“{item}”后不加标点符号。"
                )
        return
    files = f.attachment_files
    if len(notes) != len(files):
        if files and not notes:
            message = f"有 {len(files)} 个附件，但没有附件说明。"
        elif notes and not files:
            message = f"附件说明列出 {len(notes)} 个附件，但没有上传附件。"
        else:
            message = f"附件说明列出 {len(notes)} 个附件，实际上传 {len(files)} 个，数量不一致。"
        yield Finding("attachment_note.count", ERROR, "attachment_note", message)
        return
    for number, (note, name) in enumerate(zip(notes, files, strict=True), start=1):
        if _normal_name(note) != _normal_name(name):
            yield Finding(
                "attachment_note.name",
                WARNING,
                "attachment_note",
                f"附件说明第{number}项“{note}”与第{number}个附件“{name}”名称不一致。",
            )
        if note and note[-1] in "。，；,.;：:":
            yield Finding(
                "attachment_note.punctuation", WARNING, "attachment_note", f"附件名称“{note}”后不加标点符号。"
            )


def rule_imprint(f: _Facts):
    """版记: 印发机关 and 印发日期 (信函格式 has neither)."""
    if f.format == Format.LETTER:
        return
    if not f.printer:
        yield Finding("imprint.printer", ERROR, "printer", "版记不完整：缺少印发机关。")
    if not f.print_date_text:
        yield Finding("imprint.print_date", ERROR if f.final else WARNING, "print_date", "版记不完整：缺少印发日期。")
    else:
        yield from check_date_text(f.print_date_text, "print_date", "印发日期")


def rule_request_one_recipient(f: _Facts):
    if f.doc_type == DocType.REQUEST and len(f.main_recipients) != 1:
        if not f.main_recipients:
            message = "请示应有一个主送机关。"
        else:
            names = "、".join(f.main_recipients)
            message = f"请示只能主送一个机关（一文一事、主送一个上级机关），现有 {len(f.main_recipients)} 个：{names}。"
        yield Finding("request.one_recipient", ERROR, "main_recipients", message)


def rule_main_recipients(f: _Facts):
    if not f.main_recipients and f.doc_type not in (
        DocType.ORDER,
        DocType.COMMUNIQUE,
        DocType.ANNOUNCEMENT,
        DocType.PUBLIC_NOTICE,
        DocType.MINUTES,
        DocType.REQUEST,
    ):
        yield Finding("main_recipients.missing", WARNING, "main_recipients", "未填写主送机关。")


def rule_copy_number(f: _Facts):
    if f.copy_number and not re.fullmatch(r"\d{6}", f.copy_number):
        yield Finding("copy_number.form", WARNING, "copy_number", "份号一般用6位阿拉伯数字，如：000001。")


RULES = (
    rule_not_classified,
    rule_doc_type,
    rule_doc_number,
    rule_title,
    rule_signers,
    rule_main_recipients,
    rule_request_one_recipient,
    rule_written_date,
    rule_attachments,
    rule_imprint,
    rule_copy_number,
)


# --- the seal on the rendered PDF -----------------------------------------------------------------------------


def check_seal_position(render_result) -> list[Finding]:
    """GB/T 9704 7.3.5: the seal presses down on the 署名 and the date, and its top is within one line below
    the body (or 附件说明); no seal on a page without text above it. Positions come from the PDF itself."""
    slots = getattr(render_result, "seal_slots", ()) or ()
    pdf = getattr(render_result, "pdf", None)
    if not slots or not pdf:
        return []
    import io

    import pdfplumber

    findings = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for slot in slots:
            if not 1 <= slot.page <= len(document.pages):
                findings.append(Finding("seal.page", ERROR, "seal", f"印章位置所在的第{slot.page}页不存在。"))
                continue
            findings.extend(_check_slot(slot, _text_boxes(document.pages[slot.page - 1])))
    return findings


def _text_boxes(page) -> list[tuple[float, float, float, float]]:
    """(x0, top, x1, bottom) in mm of the words inside the type area (not the page number below it)."""
    boxes = []
    for word in page.extract_words():
        top, bottom = word["top"] * MM_PER_PT, word["bottom"] * MM_PER_PT
        if bottom <= TYPE_AREA_BOTTOM_MM + 0.5:
            boxes.append((word["x0"] * MM_PER_PT, top, word["x1"] * MM_PER_PT, bottom))
    return boxes


def _check_slot(slot, boxes) -> list[Finding]:
    radius = slot.diameter_mm / 2
    top, bottom = slot.y_mm - radius, slot.y_mm + radius
    where = f"第{slot.page}页{('“' + slot.issuer + '”') if slot.issuer else ''}的印章"
    above = [b[3] for b in boxes if b[3] <= top + 0.5]
    if not above:
        return [
            Finding("seal.no_text_above", ERROR, "seal", f"{where}上方没有正文（不得出现只有印章、没有正文的页面）。")
        ]
    findings = []
    covered = [
        b for b in boxes if b[1] < bottom and b[3] > top and b[0] < slot.x_mm + radius and b[2] > slot.x_mm - radius
    ]
    if not covered:
        findings.append(
            Finding("seal.not_on_signature", ERROR, "seal", f"{where}应端正、居中下压发文机关署名和成文日期。")
        )
    gap = top - max(above)
    if gap > LINE_PITCH_MM + 0.5:
        findings.append(
            Finding(
                "seal.gap",
                ERROR,
                "seal",
                f"{where}顶端距正文 {gap:.1f} 毫米，超过一行（约 {LINE_PITCH_MM:.1f} 毫米）。",
            )
        )
    return findings


def format_of(doc_type: str) -> str:
    return FORMAT_OF_TYPE.get(doc_type, Format.GENERAL)
