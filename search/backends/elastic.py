"""The Elasticsearch backend, built with ``elasticsearch.dsl``: the same index documents and the same queries.

Each text is indexed three ways: with the cluster's Chinese analyzer (``smartcn`` by default; ``ik`` as an
option when the IK plugin matching the cluster version is installed), as CJK bigrams (``.bigram``
sub-fields), and pre-segmented by our jieba with the government dictionary (``*_seg`` fields, whitespace
analyzer) so that dictionary words behave as in the embedded backend. Every query leaf asks all three.
Visibility keys are a ``terms`` filter inside the query, so totals and aggregations never count what the
person may not see.
"""

from django.utils.html import escape
from elasticsearch.dsl import Boolean, Date, Index, Integer, Keyword, Mapping, Q, Search, Text, analyzer

from .. import text
from ..query import And, DocNo, Not, Or, Phrase, Term
from .base import Backend, Hit, SearchQuery, SearchResult

BIGRAM = analyzer("oa_bigram", tokenizer="standard", filter=["cjk_width", "lowercase", "cjk_bigram"])
WHITESPACE = analyzer("oa_whitespace", tokenizer="whitespace", filter=["lowercase"])
TEXT_FIELDS = {"title": 10, "body": 1, "extra": 4}
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
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=20000)
    index.mapping(m)
    return index


def source_of(doc: dict) -> dict:
    """The stored _source of an index document (adds the combined texts and the pre-segmented fields)."""
    extra = " ".join([doc["doc_number"], doc["attachments"], " ".join(doc["issuer_names"]), doc["archive_code"]])
    source = dict(doc)
    source["extra"] = extra
    source["title_seg"] = " ".join(text.segment_for_index(doc["title"]))
    source["body_seg"] = " ".join(text.segment_for_index(doc["body"]))
    source["extra_seg"] = " ".join(text.segment_for_index(extra))
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
        if not self.client.indices.exists(index=self.index_name):
            body = self.definition().to_dict()
            self.client.indices.create(index=self.index_name, settings=body["settings"], mappings=body["mappings"])
        self._ensured = True

    def index(self, docs: list[dict]) -> None:
        if not docs:
            return
        from elasticsearch.helpers import bulk

        self.ensure_index()
        actions = ({"_index": self.index_name, "_id": d["id"], "_source": source_of(d)} for d in docs)
        bulk(self.client, actions, chunk_size=500, refresh="wait_for")

    def delete(self, ids: list[int]) -> None:
        if not ids:
            return
        from elasticsearch.helpers import bulk

        self.ensure_index()
        actions = ({"_op_type": "delete", "_index": self.index_name, "_id": i} for i in ids)
        bulk(self.client, actions, raise_on_error=False, refresh="wait_for")

    def clear(self) -> None:
        self.ensure_index()
        self.client.delete_by_query(index=self.index_name, query={"match_all": {}}, refresh=True, conflicts="proceed")

    def fingerprints(self) -> dict[int, str]:
        from elasticsearch.helpers import scan

        self.ensure_index()
        return {
            int(h["_id"]): h["_source"].get("fingerprint", "")
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
                    snippet_html=_first(hl, ("body", "body.bigram", "body_seg")) or escape(src.get("body", "")[:120]),
                )
            )
        total = response["hits"]["total"]["value"]
        return SearchResult(total, hits, _facets(response.get("aggregations", {})), q.page, q.page_size)
