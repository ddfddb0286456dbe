"""Snapshots of a document (one per save) and the track-changes diff between them (痕迹保留).

The diff works per field. The body is one line per block: blocks are aligned first (diff-match-patch line
mode), then characters are compared inside the blocks that changed, so an edit inside a long paragraph
shows as the few characters it touched. Between two versions that are not neighbours every inserted or
deleted character is attributed to the person whose save made the change (a blame walk through the
versions in between).
"""

from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch

from .body import block_text
from .models import AddresseeKind, DocType, Document, Publicity, Urgency

EQUAL, INSERT, DELETE = 0, 1, -1

SCALAR_FIELDS = (
    "doc_type",
    "copy_number",
    "secrecy",
    "urgency",
    "signers",
    "title",
    "main_recipients_text",
    "cc_text",
    "attachment_note",
    "signature",
    "note",
    "printer",
    "publicity",
    "doc_number",
)
DATE_FIELDS = ("written_date", "print_date")


def snapshot(document: Document) -> dict:
    """Everything a reader sees in the document, in JSON: fields, ordered units, body, attachment list."""
    data = {name: getattr(document, name) for name in SCALAR_FIELDS}
    for name in DATE_FIELDS:
        value = getattr(document, name)
        data[name] = value.isoformat() if value else None
    data["body"] = list(document.body or [])
    data["issuers"] = [{"id": u.pk, "name": u.name} for u in document.ordered_issuers()]
    data["main_units"] = [{"id": u.pk, "name": u.name} for u in document.addressee_units(AddresseeKind.MAIN)]
    data["cc_units"] = [{"id": u.pk, "name": u.name} for u in document.addressee_units(AddresseeKind.CC)]
    data["attachments"] = [{"id": a.pk, "name": a.name} for a in document.active_attachments()]
    return data


def content_equal(a: dict, b: dict) -> bool:
    return a == b


# --- texts shown in the diff, per field --------------------------------------------------------------------


def _names(items) -> str:
    return "、".join(item["name"] for item in items or [])


def _join(*parts) -> str:
    return "，".join(p for p in parts if p)


def _date(value) -> str:
    if not value:
        return ""
    year, month, day = (int(x) for x in value.split("-"))
    return f"{year}年{month}月{day}日"


DISPLAY_FIELDS = (
    (
        "doc_type",
        "文种",
        lambda s: DocType(s["doc_type"]).label if s.get("doc_type") in DocType.values else s.get("doc_type", ""),
    ),
    ("copy_number", "份号", lambda s: s.get("copy_number", "")),
    ("urgency", "紧急程度", lambda s: Urgency(s.get("urgency", "")).label if s.get("urgency") else ""),
    ("issuers", "发文机关", lambda s: _names(s.get("issuers"))),
    ("doc_number", "发文字号", lambda s: s.get("doc_number", "")),
    ("signers", "签发人", lambda s: s.get("signers", "")),
    ("title", "标题", lambda s: s.get("title", "")),
    ("main", "主送机关", lambda s: _join(_names(s.get("main_units")), s.get("main_recipients_text", ""))),
    ("body", "正文", lambda s: "\n".join(block_text(b) for b in s.get("body", []))),
    ("attachment_note", "附件说明", lambda s: s.get("attachment_note", "")),
    ("attachments", "附件", lambda s: "\n".join(a["name"] for a in s.get("attachments", []))),
    ("signature", "署名", lambda s: s.get("signature", "")),
    ("written_date", "成文日期", lambda s: _date(s.get("written_date"))),
    ("note", "附注", lambda s: s.get("note", "")),
    ("cc", "抄送机关", lambda s: _join(_names(s.get("cc_units")), s.get("cc_text", ""))),
    ("printer", "印发机关", lambda s: s.get("printer", "")),
    ("print_date", "印发日期", lambda s: _date(s.get("print_date"))),
    (
        "publicity",
        "公开属性",
        lambda s: Publicity(s["publicity"]).label if s.get("publicity") in Publicity.values else "",
    ),
)


# --- text diff -----------------------------------------------------------------------------------------------


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 2.0
    return dmp


def text_diff(a: str, b: str) -> list[tuple[int, str]]:
    """Blocks (lines) aligned first, then characters inside each pair of changed lines."""
    if a == b:
        return [(EQUAL, a)] if a else []
    dmp = _dmp()
    chars_a, chars_b, lines = dmp.diff_linesToChars(a, b)
    line_diffs = dmp.diff_main(chars_a, chars_b, False)
    dmp.diff_charsToLines(line_diffs, lines)
    out: list[tuple[int, str]] = []
    deleted, inserted = "", ""

    def flush():
        if deleted and inserted:
            old_lines, new_lines = deleted.splitlines(keepends=True), inserted.splitlines(keepends=True)
            # Same number of changed blocks: compare them pairwise, so characters never align across blocks.
            same = len(old_lines) == len(new_lines)
            pairs = zip(old_lines, new_lines, strict=True) if same else [(deleted, inserted)]
            for old, new in pairs:
                out.extend(_tidy(dmp, dmp.diff_main(old, new, False)))
        elif deleted:
            out.append((DELETE, deleted))
        elif inserted:
            out.append((INSERT, inserted))

    for op, text in line_diffs:
        if op == DELETE:
            deleted += text
        elif op == INSERT:
            inserted += text
        else:
            flush()
            deleted, inserted = "", ""
            out.append((EQUAL, text))
    flush()
    return [(op, text) for op, text, _ in _merge([(op, text, None) for op, text in out if text])]


def _tidy(dmp: diff_match_patch, diffs: list) -> list:
    """Keep the diff character-precise, but fold a single unchanged character caught between two changes
    into them ("甲乙丙"→"丁乙戊" reads as one replacement, not three). dmp's semantic cleanup goes further
    and would also swallow real two-character words that stayed put."""
    dmp.diff_cleanupSemanticLossless(diffs)
    folded = True
    while folded:
        folded = False
        for i in range(1, len(diffs) - 1):
            op, text = diffs[i]
            if op == EQUAL and len(text) == 1 and diffs[i - 1][0] != EQUAL and diffs[i + 1][0] != EQUAL:
                diffs[i : i + 1] = [(DELETE, text), (INSERT, text)]
                dmp.diff_cleanupMerge(diffs)
                folded = True
                break
    return diffs


@dataclass
class Segment:
    op: int  # EQUAL / INSERT / DELETE
    text: str
    author: int | None = None  # who inserted or deleted it (None for unchanged text)


def _merge(items):
    merged = []
    for op, text, author in items:
        if merged and merged[-1][0] == op and merged[-1][2] == author:
            merged[-1] = (op, merged[-1][1] + text, author)
        else:
            merged.append((op, text, author))
    return merged


def attributed_diff(texts: list[str], authors: list[int | None]) -> list[Segment]:
    """Net changes from ``texts[0]`` to ``texts[-1]``; each change carries the author of the step
    (``authors[k]`` made ``texts[k]``) that inserted or deleted the character."""
    base = texts[0]
    state: list[tuple[int | None, int | None]] = [(i, None) for i in range(len(base))]
    deleted_by: dict[int, int | None] = {}
    for k in range(1, len(texts)):
        author = authors[k]
        new_state: list[tuple[int | None, int | None]] = []
        pos = 0
        for op, text in text_diff(texts[k - 1], texts[k]):
            n = len(text)
            if op == EQUAL:
                new_state.extend(state[pos : pos + n])
                pos += n
            elif op == DELETE:
                for origin, _ in state[pos : pos + n]:
                    if origin is not None:
                        deleted_by[origin] = author
                pos += n
            else:
                new_state.extend([(None, author)] * n)
        state = new_state
    final = texts[-1]
    # The next surviving base index at or after each position, to place deletions before replacements.
    next_origin = [len(base)] * (len(state) + 1)
    for j in range(len(state) - 1, -1, -1):
        origin = state[j][0]
        next_origin[j] = origin if origin is not None else next_origin[j + 1]
    items: list[tuple[int, str, int | None]] = []
    cursor = 0

    def flush_deleted(upto: int):
        nonlocal cursor
        while cursor < upto:
            items.append((DELETE, base[cursor], deleted_by.get(cursor)))
            cursor += 1

    for j, (origin, author) in enumerate(state):
        if origin is not None:
            flush_deleted(origin)
            items.append((EQUAL, base[origin], None))
            cursor = origin + 1
        else:
            flush_deleted(next_origin[j])
            items.append((INSERT, final[j], author))
    flush_deleted(len(base))
    return [Segment(op, text, author) for op, text, author in _merge(items)]


# --- comparing versions ----------------------------------------------------------------------------------


@dataclass
class FieldDiff:
    key: str
    label: str
    segments: list[Segment]
    changed: bool
    lines: list[list[Segment]] = field(default_factory=list)  # the segments cut at line ends (body, lists)


def split_lines(segments: list[Segment]) -> list[list[Segment]]:
    """Cut segments into display lines; a changed line break shows as ¶ in its colour."""
    lines: list[list[Segment]] = [[]]
    for seg in segments:
        parts = seg.text.split("\n")
        for i, part in enumerate(parts):
            if i > 0:
                if seg.op != EQUAL:
                    lines[-1].append(Segment(seg.op, "¶", seg.author))
                lines.append([])
            if part:
                lines[-1].append(Segment(seg.op, part, seg.author))
    return lines


def compare(versions: list, *, include_unchanged: bool = False) -> list[FieldDiff]:
    """Field-by-field diff from ``versions[0]`` to ``versions[-1]`` (DocumentVersion objects in order),
    each change attributed to the author of the version that made it."""
    snaps = [v.snapshot for v in versions]
    authors = [v.author_id for v in versions]
    out = []
    for key, label, text_of in DISPLAY_FIELDS:
        texts = [text_of(s) for s in snaps]
        segments = attributed_diff(texts, authors)
        changed = any(seg.op != EQUAL for seg in segments)
        if changed or include_unchanged:
            out.append(FieldDiff(key, label, segments, changed, split_lines(segments)))
    return out


@dataclass
class PersonChange:
    version_number: int
    field_label: str
    lines: list[list[Segment]]
    inserted: int
    deleted: int


@dataclass
class PersonSummary:
    author_id: int
    changes: list[PersonChange] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return sum(c.inserted for c in self.changes)

    @property
    def deleted(self) -> int:
        return sum(c.deleted for c in self.changes)


CONTEXT_CHARS = 12


def changes_by_person(versions: list) -> dict[int, PersonSummary]:
    """What each person inserted and deleted, save by save (also changes later undone by someone else)."""
    people: dict[int, PersonSummary] = {}
    for previous, current in zip(versions, versions[1:], strict=False):
        for _key, label, text_of in DISPLAY_FIELDS:
            old, new = text_of(previous.snapshot), text_of(current.snapshot)
            if old == new:
                continue
            segments = [Segment(op, text, current.author_id if op else None) for op, text in text_diff(old, new)]
            summary = people.setdefault(current.author_id, PersonSummary(current.author_id))
            summary.changes.append(
                PersonChange(
                    version_number=current.number,
                    field_label=label,
                    lines=[line for line in split_lines(_trim_context(segments)) if any(s.op for s in line)],
                    inserted=sum(len(s.text) for s in segments if s.op == INSERT),
                    deleted=sum(len(s.text) for s in segments if s.op == DELETE),
                )
            )
    return people


def _trim_context(segments: list[Segment]) -> list[Segment]:
    """Keep a few characters of unchanged text around each change, like a reader's margin note."""
    out = []
    for i, seg in enumerate(segments):
        if seg.op != EQUAL:
            out.append(seg)
            continue
        text = seg.text
        before_change = i + 1 < len(segments)
        after_change = i > 0
        if len(text) > 2 * CONTEXT_CHARS + 1:
            head = text[:CONTEXT_CHARS] if after_change else ""
            tail = text[-CONTEXT_CHARS:] if before_change else ""
            text = head + ("…\n…" if head and tail else "…" if head or tail else "") + tail
            text = text.lstrip("\n")
        out.append(Segment(EQUAL, text))
    return out
