"""Search use cases: searching (as a person), exporting result lists, indexing, reindexing, checking.

search(user, params) -> SearchResult        params: dict of strings (form or API), see ``parse_params``
export(user, params, fmt) -> (bytes, content_type, filename)   档案员 only, audited
index_documents(ids)                         (re)index or drop these documents now (the Celery task calls it)
reindex_all(progress=None, batch=500) -> int
check_index() -> CheckReport                 missing / stale / orphaned ids
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction

from documents.models import DocType, Document, Status
from oa import permissions as perms
from oa.audit.services import record
from oa.core.errors import ServiceError

from . import docnumber, indexing, query
from . import export as exporting
from .backends import get_backend
from .backends.base import SORTS, SearchQuery, SearchResult
from .indexing import BOX_LABELS
from .visibility import user_keys

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100
EXPORT_LIMIT = 5000
STATUS_LABELS = dict(Status.choices)


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
        retentions=_list(params, "retention"),
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


def run(user, sq: SearchQuery) -> SearchResult:
    """Run ``sq`` as ``user``: their visibility keys are set here, whatever the caller put there."""
    sq.keys = user_keys(user)
    return _label_facets(get_backend().search(sq))


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
        ]
        for h in result.hits
    ]
    header = ["发文字号", "标题", "文种", "发文机关", "成文日期", "状态", "类别", "保管期限"]
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


# --- indexing -----------------------------------------------------------------------------------------


def index_documents(ids) -> None:
    """Bring these documents' index entries in line with the database (idempotent)."""
    docs, gone = indexing.build_many(ids)
    backend = get_backend()
    backend.index(docs)
    backend.delete(gone)


def reindex_all(progress=None, batch: int = 500) -> int:
    """Index every document again, in batches; ``progress(done, total)`` after each. Drops orphans."""
    backend = get_backend()
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    total = len(ids)
    for start in range(0, total, batch):
        chunk = ids[start : start + batch]
        backend.index([indexing.build(d) for d in indexing.queryset().filter(pk__in=chunk).order_by("pk")])
        if progress:
            progress(min(start + batch, total), total)
    orphans = set(backend.fingerprints()) - set(ids)
    backend.delete(sorted(orphans))
    if progress and not total:
        progress(0, 0)
    return total


@dataclass
class CheckReport:
    total: int = 0
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    stale: list[int] = field(default_factory=list)  # indexed content differs from the database
    orphaned: list[int] = field(default_factory=list)  # in the index, gone from the database

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def check_index(batch: int = 500) -> CheckReport:
    indexed = get_backend().fingerprints()
    report = CheckReport()
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    report.total = len(ids)
    for start in range(0, len(ids), batch):
        for document in indexing.queryset().filter(pk__in=ids[start : start + batch]).order_by("pk"):
            stored = indexed.get(document.pk)
            if stored is None:
                report.missing.append(document.pk)
            elif stored != indexing.build(document)["fingerprint"]:
                report.stale.append(document.pk)
    report.orphaned = sorted(set(indexed) - set(ids))
    return report
