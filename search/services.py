"""Search use cases: searching (as a person), exporting result lists, indexing, reindexing, checking.

search(user, params) -> SearchResult        params: dict of strings (form or API), see ``parse_params``
export(user, params, fmt) -> (bytes, content_type, filename)   档案员 only, audited
preview(user, key) -> Preview                one entry as the person may see it (404 otherwise)
index_documents(keys)                        (re)index or drop these entries now (the Celery task calls it);
                                             keys doc:12 / in:5 / arc:3, a bare integer is a document id
reindex_all(progress=None, batch=500) -> int
check_index() -> CheckReport                 missing / stale / orphaned keys
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse

from documents.models import DocType, Status
from oa import permissions as perms
from oa.audit.services import record
from oa.core.errors import NotFoundError, ServiceError

from . import docnumber, entries, indexing, query
from . import export as exporting
from .backends import get_backend
from .backends.base import SORTS, SearchQuery, SearchResult
from .indexing import ARCHIVED_STATUS, BOX_LABELS, RETENTION_LABELS
from .visibility import may_see, user_keys

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
EXPORT_LIMIT = 5000
# Statuses of the three kinds of entries: the 发文 lifecycle, the 收文 flow's steps, 已归档.
INCOMING_STATUS_LABELS = {
    "receiving": "待签收",
    "registering": "待登记",
    "initial_review": "初审中",
    "proposing": "拟办中",
    "instructing": "批办中",
    "handling": "承办中",
    "circulating": "传阅中",
    "done": "已办结",
    "returned": "已退回来文单位",
}
STATUS_LABELS = {**dict(Status.choices), **INCOMING_STATUS_LABELS, ARCHIVED_STATUS: "已归档"}


def _ints(values, label: str, field_name: str) -> list[int]:
    try:
        return [int(v) for v in values if str(v).strip()]
    except (TypeError, ValueError):
        raise ServiceError(f"{label}格式不正确。", field=field_name) from None


def _year(value, label: str, field_name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ServiceError(f"{label}应为四位年份，如 2021。", field=field_name) from None
    if not 1949 <= year <= 2100:
        raise ServiceError(f"{label}应在 1949 至 2100 之间。", field=field_name)
    return year


def _date(value, label: str, field_name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(f"{label}格式不正确，应为 2021-05-06。", field=field_name) from None


def _list(params, name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist else params.get(name, [])
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values or []:
        out.extend(part.strip() for part in str(v).split(",") if part.strip())
    return out


def parse_params(params) -> SearchQuery:
    """A ``SearchQuery`` (without keys) from request parameters; bad input is a ServiceError, never a 500.

    q, doc_type*, issuer*, status*, box*, retention*, doc_number, year_from, year_to, date_from, date_to,
    sort (relevance | date_desc | date_asc), page, page_size (* = repeatable or comma-separated)."""
    get = params.get
    doc_types = _list(params, "doc_type")
    unknown = [t for t in doc_types if t not in DocType.values]
    if unknown:
        raise ServiceError(f"未知的文种：{'、'.join(unknown)}。", field="doc_type")
    number_text = (get("doc_number") or "").strip()
    number = docnumber.canonical(number_text) if number_text else ""
    if number_text and not number:
        raise ServiceError("发文字号格式不正确，应如 阳府办〔2021〕7号 或 阳府办2021-7。", field="doc_number")
    sort = get("sort") or "relevance"
    if sort not in SORTS:
        raise ServiceError("排序方式只能是相关度或日期。", field="sort")
    page = _ints([get("page") or 1], "页码", "page")[0]
    page_size = _ints([get("page_size") or 20], "每页条数", "page_size")[0]
    if page < 1 or page > 1000:
        raise ServiceError("页码超出范围。", field="page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ServiceError(f"每页条数应在 1 至 {MAX_PAGE_SIZE} 之间。", field="page_size")
    sq = SearchQuery(
        tree=query.parse(get("q") or ""),
        doc_types=doc_types,
        issuer_ids=_ints(_list(params, "issuer"), "发文机关", "issuer"),
        statuses=_list(params, "status"),
        boxes=_list(params, "box"),
        retentions=[RETENTION_LABELS.get(r, r) for r in _list(params, "retention")],
        doc_number=number,
        year_from=_year(get("year_from"), "起始年份", "year_from"),
        year_to=_year(get("year_to"), "截止年份", "year_to"),
        date_from=_date(get("date_from"), "起始日期", "date_from"),
        date_to=_date(get("date_to"), "截止日期", "date_to"),
        sort=sort,
        page=page,
        page_size=page_size,
    )
    if sq.year_from and sq.year_to and sq.year_from > sq.year_to:
        raise ServiceError("起始年份不能晚于截止年份。", field="year_from")
    if sq.date_from and sq.date_to and sq.date_from > sq.date_to:
        raise ServiceError("起始日期不能晚于截止日期。", field="date_from")
    return sq


def _label_facets(result: SearchResult) -> SearchResult:
    for item in result.facets.get("status", []):
        item["label"] = STATUS_LABELS.get(item["value"], item["value"])
    for item in result.facets.get("box", []):
        item["label"] = BOX_LABELS.get(item["value"], item["value"])
    return result


def _outside_documents(user, result: SearchResult) -> dict[int, int | None]:
    """Documents among the hits that ``user`` reads only through their flow (not their unit's): id → flow id."""
    from documents.models import Document, Flow

    doc_ids = [h.id for h in result.hits if h.entry == entries.DOC]
    if user is None or not doc_ids:
        return {}
    outside = list(
        Document.objects.filter(pk__in=doc_ids).exclude(owner_unit_id=user.unit_id).values_list("pk", flat=True)
    )
    flows = dict(Flow.objects.filter(document_id__in=outside).values_list("document_id", "pk")) if outside else {}
    return {pk: flows.get(pk) for pk in outside}


def _link_hits(result: SearchResult, user=None) -> SearchResult:
    """Each hit's page: a document's own page and preview (its flow for people of other units, who read it
    through their task there); a 收文's flow; the search preview otherwise."""
    incoming_ids = [h.id for h in result.hits if h.entry == entries.INCOMING]
    flows = {}
    if incoming_ids:
        from documents.models import Flow

        flows = dict(Flow.objects.filter(incoming_id__in=incoming_ids).values_list("incoming_id", "pk"))
    outside = _outside_documents(user, result)
    for hit in result.hits:
        hit.key = hit.key or entries.key(hit.entry, hit.id)
        hit.box_label = BOX_LABELS.get(hit.box, hit.box)
        preview = reverse("search:preview", args=[hit.key])
        if hit.entry == entries.DOC:
            hit.preview_url = reverse("documents:preview", args=[hit.id])
            if hit.id in outside:
                flow_id = outside[hit.id]
                hit.url = reverse("documents:flow", args=[flow_id]) if flow_id else hit.preview_url
            else:
                hit.url = reverse("documents:edit", args=[hit.id])
        elif hit.entry == entries.INCOMING and hit.id in flows:
            hit.url, hit.preview_url = reverse("documents:flow", args=[flows[hit.id]]), preview
        else:
            hit.url, hit.preview_url = preview, preview
    return result


def run(user, sq: SearchQuery) -> SearchResult:
    """Run ``sq`` as ``user``: their visibility keys are set here, whatever the caller put there."""
    sq.keys = user_keys(user)
    return _link_hits(_label_facets(get_backend().search(sq)), user)


def search(user, params) -> SearchResult:
    perms.require(user, "search.search_documents", None, "您没有检索公文的权限：账号需要属于某个单位。")
    return run(user, parse_params(params))


def archive_search(user, params) -> SearchResult:
    perms.require(user, "search.archive_search", None, "档案检索仅供档案员使用。")
    return run(user, parse_params(params))


def export(user, params, fmt: str) -> tuple[bytes, str, str]:
    """The whole result list (up to EXPORT_LIMIT rows) as CSV or .xlsx; the export is audited."""
    perms.require(user, "search.archive_search", None, "只有档案员可以导出检索结果。")
    if fmt not in ("csv", "xlsx"):
        raise ServiceError("导出格式只能是 CSV 或 Excel（xlsx）。", field="format")
    sq = parse_params(params)
    sq.page, sq.page_size, sq.facets, sq.highlight = 1, EXPORT_LIMIT, False, False
    result = run(user, sq)
    rows = [
        [
            h.doc_number,
            h.title,
            h.doc_type,
            "、".join(h.issuer_names),
            h.date,
            STATUS_LABELS.get(h.status, h.status),
            BOX_LABELS.get(h.box, h.box),
            h.retention,
            h.archive_code,
        ]
        for h in result.hits
    ]
    header = ["发文字号", "标题", "文种", "发文机关", "成文日期", "状态", "类别", "保管期限", "档号"]
    data = exporting.to_csv(header, rows) if fmt == "csv" else exporting.to_xlsx(header, rows, sheet="检索结果")
    with transaction.atomic():
        record(
            user,
            "search.export",
            None,
            after={"q": params.get("q") or "", "format": fmt, "rows": len(rows)},
            summary=f"导出检索结果 {len(rows)} 条（{fmt}）",
        )
    stamp = datetime.date.today().strftime("%Y%m%d")
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    return data, content_type, f"search-{stamp}.{fmt}"


# --- preview ------------------------------------------------------------------------------------------


@dataclass
class Preview:
    key: str
    entry: str
    title: str
    doc_number: str
    doc_type: str
    issuer_names: list[str]
    date: str
    box: str
    status: str
    retention: str
    archive_code: str
    reg_number: str
    paragraphs: list[str]
    attachments: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) the person may open


def preview(user, key) -> Preview:
    """One entry read from the database (not the index), if ``user`` may see it under the search's own rule;
    whether it exists or belongs to someone else is not revealed."""
    perms.require(user, "search.search_documents", None, "您没有检索公文的权限：账号需要属于某个单位。")
    parsed = entries.parse(key) if not str(key).isdigit() else None
    docs = indexing.build_many([key], extract=False)[0] if parsed else []
    if not docs or not may_see(user, docs[0]["keys"]):
        raise NotFoundError("没有找到该公文。")
    doc = docs[0]
    hit = _link_hits(SearchResult(1, [_hit_of(doc)], {}), user).hits[0]
    return Preview(
        key=doc["key"],
        entry=doc["entry"],
        title=doc["title"],
        doc_number=doc["doc_number"],
        doc_type=doc["doc_type"],
        issuer_names=doc["issuer_names"],
        date=doc["date"],
        box=BOX_LABELS.get(doc["box"], doc["box"]),
        status=STATUS_LABELS.get(doc["status"], doc["status"]),
        retention=doc["retention"],
        archive_code=doc["archive_code"],
        reg_number=doc["reg_number"],
        paragraphs=[p for p in doc["body"].split("\n") if p.strip()],
        attachments=[a for a in doc["attachments"].split("\n") if a],
        links=_preview_links(user, doc, hit),
    )


def _preview_links(user, doc: dict, hit) -> list[tuple[str, str]]:
    """Pages the person may open from a preview: the document or the 收文 flow, and the archive item."""
    from django.urls import NoReverseMatch

    from .visibility import item_is_own

    if doc["entry"] == entries.DOC:
        return [("打开公文", hit.url)]
    if doc["entry"] == entries.INCOMING:
        return [("打开收文办理", hit.url)] if hit.url != hit.preview_url else []
    links = []
    model = entries.archive_model()
    item = model._base_manager.select_related("document", "incoming").filter(pk=doc["id"]).first() if model else None
    if item is None:
        return links
    if item_is_own(item):
        source = entries.key(entries.DOC, item.document_id) if item.document_id else None
        source = source or entries.key(entries.INCOMING, item.incoming_id)
        kind, pk = entries.parse(source)
        own = _link_hits(SearchResult(1, [_hit_of({**doc, "entry": kind, "id": pk, "key": source})], {}), user).hits[0]
        if own.url != own.preview_url:
            links.append(("打开公文" if kind == entries.DOC else "打开收文办理", own.url))
    if perms.can(user, "archive.view_archive", item):
        try:
            links.append(("档案详情", reverse("archive:detail", args=[item.pk])))
        except NoReverseMatch:  # the archive app's pages are not routed (yet)
            pass
    return links


def _hit_of(doc: dict):
    from .backends.base import Hit

    return Hit(
        id=doc["id"],
        title=doc["title"],
        doc_number=doc["doc_number"],
        doc_type=doc["doc_type"],
        status=doc["status"],
        box=doc["box"],
        retention=doc["retention"],
        issuer_names=doc["issuer_names"],
        year=doc["year"],
        date=doc["date"],
        entry=doc["entry"],
        key=doc["key"],
    )


# --- indexing -----------------------------------------------------------------------------------------


def index_documents(keys) -> None:
    """Bring these entries — and the entries built from them (a document's 收文 copies, archive items) — in
    line with the database (idempotent). Reads attachment files: run it in the Celery task."""
    docs, gone = indexing.build_many(indexing.dependents(keys))
    backend = get_backend()
    backend.index(docs)
    backend.delete(gone)


def reindex_all(progress=None, batch: int = 500) -> int:
    """Index every document, 收文 and archive item again, in batches; ``progress(done, total)`` after each.
    Drops entries that should not be there. Returns the number of rows read."""
    backend = get_backend()
    total, done, expected = indexing.total_rows(), 0, set()
    for rows, docs in indexing.all_entries(batch=batch):
        backend.index(docs)
        expected.update(d["key"] for d in docs)
        done += rows
        if progress:
            progress(min(done, total), total)
    backend.delete(sorted(set(backend.fingerprints()) - expected))
    if progress and not total:
        progress(0, 0)
    return done


@dataclass
class CheckReport:
    total: int = 0  # entries the index should hold
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    stale: list[str] = field(default_factory=list)  # indexed content differs from the database
    orphaned: list[str] = field(default_factory=list)  # in the index, not (or no longer) to be there

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def check_index(batch: int = 500) -> CheckReport:
    """Compares fingerprints only: attachment files are not read (their fingerprint part says which files)."""
    indexed = get_backend().fingerprints()
    report, expected = CheckReport(), set()
    for _, docs in indexing.all_entries(batch=batch, extract=False):
        for doc in docs:
            expected.add(doc["key"])
            stored = indexed.get(doc["key"])
            if stored is None:
                report.missing.append(doc["key"])
            elif stored != doc["fingerprint"]:
                report.stale.append(doc["key"])
    report.total = len(expected)
    report.missing.sort(key=entries.order)
    report.stale.sort(key=entries.order)
    report.orphaned = sorted(set(indexed) - expected, key=lambda k: entries.order(k) if entries.parse(k) else (9, 0))
    return report
