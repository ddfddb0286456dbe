"""The Elasticsearch backend, built with ``elasticsearch.dsl``: the same index documents and the same queries.

Each text is indexed three ways: with the cluster's Chinese analyzer (``smartcn`` by default; ``ik`` as an
option when the IK plugin matching the cluster version is installed), as CJK bigrams (``.bigram``
sub-fields), and pre-segmented by our jieba with the government dictionary (``*_seg`` fields, whitespace
analyzer) so that dictionary words behave as in the embedded backend. Every query leaf asks all three.
Visibility keys are a ``terms`` filter inside the query, so totals and aggregations never count what the
person may not see.
"""

import logging

from django.utils.html import escape
from elasticsearch.dsl import Boolean, Date, Index, Integer, Keyword, Mapping, Q, Search, Text, analyzer

from .. import attachments, entries, highlight, text
from ..query import And, DocNo, Not, Or, Phrase, Term
from .base import Backend, Hit, SearchQuery, SearchResult, entry_of

log = logging.getLogger(__name__)

BIGRAM = analyzer("oa_bigram", tokenizer="standard", filter=["cjk_width", "lowercase", "cjk_bigram"])
WHITESPACE = analyzer("oa_whitespace", tokenizer="whitespace", filter=["lowercase"])
TEXT_FIELDS = {"title": 10, "body": 1, "extra": 4, "attachment_text": 0.8}
# The mapping's version, kept in the index's _meta: an index of another version is recreated empty (like the
# embedded index), then search_check lists every entry as missing and search_reindex fills it.
# 3: entries keyed doc:/in:/arc: (``_id`` = key), ``entry``, ``reg_number``, ``attachment_text``.
SCHEMA_VERSION = 3
FACET_SIZE = 30
AGGS = {
    "doc_type": "doc_type",
    "year": "year",
    "status": "status",
    "box": "box",
    "retention": "retention",
    "issuer": "issuer_facet",
}


def _analyzers(kind: str) -> tuple[str, str]:
    """(index analyzer, search analyzer) of the language fields."""
    if kind == "ik":
        return "ik_max_word", "ik_smart"
    return "smartcn", "smartcn"


def build_index(name: str, analyzer_kind: str = "smartcn") -> Index:
    index_analyzer, search_analyzer = _analyzers(analyzer_kind)
    m = Mapping()
    for field in TEXT_FIELDS:
        m.field(
            field,
            Text(analyzer=index_analyzer, search_analyzer=search_analyzer, fields={"bigram": Text(analyzer=BIGRAM)}),
        )
        m.field(f"{field}_seg", Text(analyzer=WHITESPACE))
    for keyword in (
        "doc_number",
        "doc_number_key",
        "doc_type",
        "status",
        "box",
        "retention",
        "archive_code",
        "reg_number",
        "key",
        "entry",
        "keys",
        "issuer_names",
        "issuer_facet",
    ):
        m.field(keyword, Keyword())
    m.field("fingerprint", Keyword(index=False))
    m.field("id", Integer())
    m.field("owner_unit_id", Integer())
    m.field("issuer_ids", Integer())
    m.field("year", Integer())
    m.field("date", Date(format="yyyy-MM-dd"))
    m.field("attachments", Text(analyzer=index_analyzer, fields={"bigram": Text(analyzer=BIGRAM)}))
    m.field("deleted", Boolean())
    m.meta("_meta", {"schema_version": SCHEMA_VERSION})
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=20000)
    index.mapping(m)
    return index


def source_of(doc: dict) -> dict:
    """The stored _source of an index document (adds the combined texts and the pre-segmented fields)."""
    kind, key = entry_of(doc)
    extra = " ".join(
        [
            doc["doc_number"],
            doc.get("reg_number", ""),
            doc["attachments"],
            " ".join(doc["issuer_names"]),
            doc["archive_code"],
        ]
    )
    source = dict(doc)
    source["entry"], source["key"] = kind, key
    source["reg_number"] = doc.get("reg_number", "")
    # The markers naming each attachment stay in the stored text (to tell which one a fragment is from); the
    # analyzers see separators there.
    source["attachment_text"] = doc.get("attachment_text", "")
    source["extra"] = extra
    source["title_seg"] = " ".join(text.segment_for_index(doc["title"]))
    source["body_seg"] = " ".join(text.segment_for_index(doc["body"]))
    source["extra_seg"] = " ".join(text.segment_for_index(extra))
    source["attachment_text_seg"] = " ".join(text.segment_for_index(attachments.plain(source["attachment_text"])))
    source["issuer_facet"] = [f"{i}|{n}" for i, n in zip(doc["issuer_ids"], doc["issuer_names"], strict=False)]
    return source


def _fields(suffix: str) -> list[str]:
    return [f"{name}{suffix}^{boost}" for name, boost in TEXT_FIELDS.items()]


def _phrase(value: str):
    return Q("multi_match", query=value, type="phrase", fields=_fields(".bigram"))


def leaf_query(node):
    if isinstance(node, Term):
        should = [
            Q("multi_match", query=node.text, fields=_fields(""), operator="and"),
            _phrase(node.text),
        ]
        seg = text.segment_query(node.text)
        if seg:
            should.append(Q("multi_match", query=" ".join(seg), fields=_fields("_seg"), operator="and"))
        return Q("bool", should=should, minimum_should_match=1)
    if isinstance(node, Phrase):
        return _phrase(node.text)
    if isinstance(node, DocNo):
        return Q(
            "bool",
            should=[
                Q("term", doc_number_key={"value": node.number, "boost": 20}),
                _phrase(node.number.removesuffix("号")),
            ],
            minimum_should_match=1,
        )
    raise TypeError(node)


def to_query(node):
    """The dsl query of a query tree (None: no words, filters only)."""
    if node is None:
        return None
    if isinstance(node, And):
        must = [to_query(c) for c in node.children if not isinstance(c, Not)]
        must_not = [to_query(c.child) for c in node.children if isinstance(c, Not)]
        return Q("bool", must=[m for m in must if m is not None], must_not=[m for m in must_not if m is not None])
    if isinstance(node, Or):
        should = [to_query(c) for c in node.children if not isinstance(c, Not)]
        return Q("bool", should=[s for s in should if s is not None], minimum_should_match=1)
    if isinstance(node, Not):
        return Q("bool", must_not=[to_query(node.child)])
    return leaf_query(node)


def filters(q: SearchQuery) -> list:
    out = [Q("terms", keys=list(q.keys))]
    for field, values in (
        ("doc_type", q.doc_types),
        ("issuer_ids", q.issuer_ids),
        ("status", q.statuses),
        ("box", q.boxes),
        ("retention", q.retentions),
    ):
        if values:
            out.append(Q("terms", **{field: list(values)}))
    if q.doc_number:
        out.append(Q("term", doc_number_key=q.doc_number))
    years = {k: v for k, v in (("gte", q.year_from), ("lte", q.year_to)) if v}
    if years:
        out.append(Q("range", year=years))
    dates = {k: v.isoformat() for k, v in (("gte", q.date_from), ("lte", q.date_to)) if v}
    if dates:
        out.append(Q("range", date=dates))
    return out


def build_search(q: SearchQuery, index: str = "oa-documents") -> Search:
    words = to_query(q.tree)
    s = Search(index=index).query(Q("bool", must=[words] if words is not None else [], filter=filters(q)))
    s = s.extra(track_total_hits=True)
    s = s.source(
        [
            "key",
            "entry",
            "archive_code",
            "attachment_text",
            "id",
            "title",
            "doc_number",
            "doc_type",
            "status",
            "box",
            "retention",
            "issuer_names",
            "year",
            "date",
            "body",
            "attachments",
        ]
    )
    if q.sort == "date_asc":
        s = s.sort({"date": {"order": "asc"}}, {"id": {"order": "asc"}})
    elif q.sort == "date_desc" or words is None:
        s = s.sort({"date": {"order": "desc"}}, {"id": {"order": "desc"}})
    else:
        s = s.sort("_score", {"date": {"order": "desc"}})
    if q.highlight and words is not None:
        s = s.highlight_options(encoder="html", pre_tags=["<mark>"], post_tags=["</mark>"])
        s = s.highlight("title", "title.bigram", "title_seg", number_of_fragments=0)
        s = s.highlight("body", "body.bigram", "body_seg", fragment_size=120, number_of_fragments=1)
        s = s.highlight(
            "attachment_text", "attachment_text.bigram", "attachment_text_seg", fragment_size=120, number_of_fragments=1
        )
    if q.facets:
        for name, field in AGGS.items():
            s.aggs.bucket(name, "terms", field=field, size=FACET_SIZE)
    start = (q.page - 1) * q.page_size
    return s[start : start + q.page_size]


def _facets(aggregations: dict) -> dict[str, list[dict]]:
    out = {}
    for name in AGGS:
        buckets = (aggregations.get(name) or {}).get("buckets", [])
        items = []
        for b in buckets:
            value = str(b["key"])
            label = value
            if name == "issuer":
                value, _, label = value.partition("|")
            if value:
                items.append({"value": value, "label": label, "count": b["doc_count"]})
        out[name] = items
    return out


def _first(highlight: dict, names: tuple[str, ...]) -> str:
    for name in names:
        if highlight.get(name):
            return highlight[name][0]
    return ""


class ElasticBackend(Backend):
    name = "elasticsearch"

    def __init__(self, url: str, index: str = "oa-documents", analyzer: str = "smartcn", client=None):
        self.url = url
        self.index_name = index
        self.analyzer = analyzer
        self._client = client
        self._ensured = False

    @property
    def client(self):
        if self._client is None:
            from elasticsearch import Elasticsearch

            if not self.url:
                raise RuntimeError("OA_SEARCH_BACKEND=elasticsearch 需要设置 ELASTICSEARCH_URL。")
            self._client = Elasticsearch(self.url, request_timeout=30)
        return self._client

    def definition(self) -> Index:
        return build_index(self.index_name, self.analyzer)

    def ensure_index(self) -> None:
        if self._ensured:
            return
        if self.client.indices.exists(index=self.index_name):
            mapping = self.client.indices.get_mapping(index=self.index_name).body
            meta = next(iter(mapping.values()), {}).get("mappings", {}).get("_meta", {})
            if meta.get("schema_version") != SCHEMA_VERSION:
                log.warning(
                    "search: index %s has an older layout; recreating it empty (run search_reindex)", self.index_name
                )
                self.client.indices.delete(index=self.index_name)
        if not self.client.indices.exists(index=self.index_name):
            body = self.definition().to_dict()
            self.client.indices.create(index=self.index_name, settings=body["settings"], mappings=body["mappings"])
        self._ensured = True

    def index(self, docs: list[dict]) -> None:
        if not docs:
            return
        from elasticsearch.helpers import bulk

        self.ensure_index()
        actions = ({"_index": self.index_name, "_id": entry_of(d)[1], "_source": source_of(d)} for d in docs)
        bulk(self.client, actions, chunk_size=500, refresh="wait_for")

    def delete(self, keys) -> None:
        keys = entries.normalise(keys)
        if not keys:
            return
        from elasticsearch.helpers import bulk

        self.ensure_index()
        actions = ({"_op_type": "delete", "_index": self.index_name, "_id": k} for k in keys)
        bulk(self.client, actions, raise_on_error=False, refresh="wait_for")

    def clear(self) -> None:
        self.ensure_index()
        self.client.delete_by_query(index=self.index_name, query={"match_all": {}}, refresh=True, conflicts="proceed")

    def fingerprints(self) -> dict[str, str]:
        from elasticsearch.helpers import scan

        self.ensure_index()
        return {
            h["_id"]: h["_source"].get("fingerprint", "")
            for h in scan(self.client, index=self.index_name, query={"_source": ["fingerprint"]})
        }

    def search(self, q: SearchQuery) -> SearchResult:
        if not q.keys:
            return SearchResult(0, [], {}, q.page, q.page_size)
        self.ensure_index()
        body = build_search(q, self.index_name).to_dict()
        response = self.client.search(index=self.index_name, body=body).body
        hits = []
        for h in response["hits"]["hits"]:
            src, hl = h["_source"], h.get("highlight", {})
            snippet, snippet_from = _first(hl, ("body", "body.bigram", "body_seg")), ""
            if not snippet:
                snippet = _first(hl, ("attachment_text", "attachment_text.bigram", "attachment_text_seg"))
                if snippet:
                    snippet_from = highlight.origin_of(snippet, src.get("attachment_text", ""))
                    snippet = attachments.plain(snippet).strip()
            kind = src.get("entry") or "doc"
            hits.append(
                Hit(
                    id=int(src["id"]),
                    title=src["title"],
                    doc_number=src["doc_number"],
                    doc_type=src["doc_type"],
                    status=src["status"],
                    box=src["box"],
                    retention=src.get("retention", ""),
                    issuer_names=src.get("issuer_names", []),
                    year=src["year"],
                    date=src["date"],
                    score=float(h.get("_score") or 0),
                    title_html=_first(hl, ("title", "title.bigram", "title_seg")) or escape(src["title"]),
                    snippet_html=snippet or escape(src.get("body", "")[:120]),
                    snippet_from=snippet_from,
                    entry=kind,
                    key=src.get("key") or f"{kind}:{src['id']}",
                    archive_code=src.get("archive_code", ""),
                )
            )
        total = response["hits"]["total"]["value"]
        return SearchResult(total, hits, _facets(response.get("aggregations", {})), q.page, q.page_size)
