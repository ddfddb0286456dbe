"""The Elasticsearch backend's generated mapping and query bodies (no cluster needed)."""

from unittest import mock

from search import query
from search.backends.base import SearchQuery
from search.backends.elastic import ElasticBackend, build_index, build_search, source_of

from .helpers import index_doc


def test_mapping_has_chinese_bigram_and_jieba_fields():
    body = build_index("oa-documents").to_dict()
    analyzers = body["settings"]["analysis"]["analyzer"]
    assert analyzers["oa_bigram"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["cjk_width", "lowercase", "cjk_bigram"],
    }
    props = body["mappings"]["properties"]
    assert props["title"]["analyzer"] == "smartcn"
    assert props["title"]["fields"]["bigram"]["analyzer"] == "oa_bigram"
    assert props["body_seg"]["analyzer"] == "oa_whitespace"
    for keyword in ("keys", "doc_number_key", "doc_type", "status", "box", "retention", "issuer_facet"):
        assert props[keyword]["type"] == "keyword"
    assert props["date"]["type"] == "date" and props["year"]["type"] == "integer"


def test_ik_is_an_option():
    props = build_index("x", "ik").to_dict()["mappings"]["properties"]
    assert (props["body"]["analyzer"], props["body"]["search_analyzer"]) == ("ik_max_word", "ik_smart")


def test_every_leaf_asks_the_analyzed_bigram_and_jieba_fields():
    body = build_search(SearchQuery(tree=query.parse("海葵"), keys=["unit:1"])).to_dict()
    leaf = body["query"]["bool"]["must"][0]["bool"]
    fields = [clause["multi_match"]["fields"][0] for clause in leaf["should"]]
    assert fields == ["title^10", "title.bigram^10", "title_seg^10"]
    assert leaf["minimum_should_match"] == 1


def test_visibility_and_filters_are_inside_the_query_so_aggregations_respect_them():
    q = SearchQuery(
        tree=query.parse("营商环境 -深圳 OR 放管服"),
        keys=["unit:7"],
        doc_types=["意见"],
        issuer_ids=[3],
        doc_number="阳府〔2022〕9号",
        year_from=2020,
        year_to=2023,
        retentions=["永久"],
        sort="date_desc",
        page=3,
        page_size=10,
    )
    body = build_search(q).to_dict()
    filters = body["query"]["bool"]["filter"]
    assert {"terms": {"keys": ["unit:7"]}} in filters
    assert {"terms": {"doc_type": ["意见"]}} in filters
    assert {"terms": {"issuer_ids": [3]}} in filters
    assert {"term": {"doc_number_key": "阳府〔2022〕9号"}} in filters
    assert {"range": {"year": {"gte": 2020, "lte": 2023}}} in filters
    assert {"terms": {"retention": ["永久"]}} in filters
    assert "post_filter" not in body
    assert set(body["aggs"]) == {"doc_type", "year", "status", "box", "retention", "issuer"}
    assert body["sort"][0] == {"date": {"order": "desc"}}
    assert (body["from"], body["size"]) == (20, 10)
    assert body["track_total_hits"] is True
    must = body["query"]["bool"]["must"][0]["bool"]
    assert must["must"][0]["bool"]["minimum_should_match"] == 1  # the OR


def test_exclusion_is_must_not_and_doc_numbers_match_the_key():
    body = build_search(SearchQuery(tree=query.parse("防汛 -演练 阳府办2021-7"), keys=["k"])).to_dict()
    inner = body["query"]["bool"]["must"][0]["bool"]
    assert len(inner["must_not"]) == 1
    assert inner["must"][1]["bool"]["should"][0] == {
        "term": {"doc_number_key": {"value": "阳府办〔2021〕7号", "boost": 20}}
    }
    assert body["highlight"]["pre_tags"] == ["<mark>"] and body["highlight"]["encoder"] == "html"


def test_bulk_indexing_sends_pre_segmented_sources():
    client = mock.MagicMock()
    client.indices.exists.return_value = True
    backend = ElasticBackend(url="http://es:9200", client=client)
    with mock.patch("elasticsearch.helpers.bulk") as bulk:
        backend.index([index_doc(1, "推进数字政府建设", "粤政易")])
    actions = list(bulk.call_args.args[1])
    assert actions[0]["_id"] == "doc:1" and actions[0]["_index"] == "oa-documents"
    assert "数字政府" in actions[0]["_source"]["title_seg"].split()
    assert actions[0]["_source"]["issuer_facet"] == ["201|阳江市人民政府"]


def test_source_has_combined_extra_text():
    source = source_of(index_doc(1, "t", doc_number="阳府〔2021〕3号", attachments="名单.xlsx"))
    assert "阳府〔2021〕3号" in source["extra"] and "名单.xlsx" in source["extra"]


def test_search_parses_a_response():
    client = mock.MagicMock()
    client.indices.exists.return_value = True
    client.search.return_value.body = {
        "hits": {
            "total": {"value": 1},
            "hits": [
                {
                    "_score": 2.0,
                    "_source": {
                        "id": 5,
                        "title": "标题",
                        "doc_number": "",
                        "doc_type": "通知",
                        "status": "drafting",
                        "box": "draft",
                        "retention": "",
                        "issuer_names": ["阳江市人民政府"],
                        "year": 2024,
                        "date": "2024-01-01",
                        "body": "正文",
                    },
                    "highlight": {"title.bigram": ["<mark>标题</mark>"]},
                }
            ],
        },
        "aggregations": {"issuer": {"buckets": [{"key": "201|阳江市人民政府", "doc_count": 1}]}},
    }
    result = ElasticBackend(url="x", client=client).search(SearchQuery(tree=query.parse("标题"), keys=["unit:1"]))
    assert result.total == 1 and result.hits[0].title_html == "<mark>标题</mark>"
    assert result.facets["issuer"] == [{"value": "201", "label": "阳江市人民政府", "count": 1}]


def test_backend_is_chosen_by_environment(settings, monkeypatch):
    from search import backends

    backends._cache.clear()
    settings.SEARCH_BACKEND = ""
    monkeypatch.setenv("OA_SEARCH_BACKEND", "elasticsearch")
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://es.example:9200")
    backend = backends.get_backend()
    assert isinstance(backend, ElasticBackend) and backend.url == "http://es.example:9200"
    backends._cache.clear()


def test_mapping_has_entry_keys_attachment_text_and_archive_fields():
    body = build_index("oa-documents").to_dict()
    props = body["mappings"]["properties"]
    for keyword in ("key", "entry", "reg_number", "archive_code", "retention"):
        assert props[keyword]["type"] == "keyword", keyword
    assert props["attachment_text"]["analyzer"] == "smartcn"
    assert props["attachment_text"]["fields"]["bigram"]["analyzer"] == "oa_bigram"
    assert props["attachment_text_seg"]["analyzer"] == "oa_whitespace"
    assert body["mappings"]["_meta"] == {"schema_version": 3}


def test_every_leaf_also_asks_the_attachment_text_and_it_is_highlighted():
    body = build_search(SearchQuery(tree=query.parse("海葵"), keys=["unit:1"])).to_dict()
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[0]["multi_match"]["fields"] == ["title^10", "body^1", "extra^4", "attachment_text^0.8"]
    assert "attachment_text_seg^0.8" in should[2]["multi_match"]["fields"]
    assert {"attachment_text", "attachment_text.bigram", "attachment_text_seg"} <= set(body["highlight"]["fields"])
    assert {"key", "entry", "archive_code", "attachment_text"} <= set(body["_source"])


def test_entries_are_stored_under_their_keys_and_deleted_by_key():
    client = mock.MagicMock()
    client.indices.exists.return_value = True
    client.indices.get_mapping.return_value.body = {"oa-documents": {"mappings": {"_meta": {"schema_version": 3}}}}
    backend = ElasticBackend(url="http://es:9200", client=client)
    received = {
        **index_doc(7, "收到的通知", keys=["unit:3"]),
        "key": "in:7",
        "entry": "in",
        "reg_number": "江府收〔2024〕1号",
    }
    with mock.patch("elasticsearch.helpers.bulk") as bulk:
        backend.index([received])
        backend.delete(["in:7", 12])
    stored = list(bulk.call_args_list[0].args[1])[0]
    assert stored["_id"] == "in:7" and stored["_source"]["entry"] == "in"
    assert "江府收〔2024〕1号" in stored["_source"]["extra"]
    assert [a["_id"] for a in bulk.call_args_list[1].args[1]] == ["doc:12", "in:7"]
    client.indices.delete.assert_not_called()


def test_an_index_of_an_older_layout_is_recreated_empty():
    client = mock.MagicMock()
    client.indices.exists.side_effect = [True, False]
    client.indices.get_mapping.return_value.body = {"oa-documents": {"mappings": {"properties": {}}}}
    ElasticBackend(url="http://es:9200", client=client).ensure_index()
    client.indices.delete.assert_called_once_with(index="oa-documents")
    assert client.indices.create.call_args.kwargs["mappings"]["_meta"] == {"schema_version": 3}


def test_a_hit_from_an_attachment_names_it():
    from search.attachments import SECTION_CLOSE, SECTION_OPEN

    text = (
        f"{SECTION_OPEN}名单.docx{SECTION_CLOSE}\n溪头镇防汛物资\n"
        f"{SECTION_OPEN}台账.pdf{SECTION_CLOSE}\n闸坡渔港改造台账"
    )
    client = mock.MagicMock()
    client.indices.exists.return_value = True
    client.indices.get_mapping.return_value.body = {"x": {"mappings": {"_meta": {"schema_version": 3}}}}
    client.search.return_value.body = {
        "hits": {
            "total": {"value": 1},
            "hits": [
                {
                    "_score": 1.0,
                    "_source": {
                        **{k: v for k, v in index_doc(5, "标题").items() if k != "attachment_text"},
                        "key": "arc:5",
                        "entry": "arc",
                        "archive_code": "Q1-WS·2024-Y-BGS-0001",
                        "attachment_text": text,
                    },
                    "highlight": {"attachment_text.bigram": ["<mark>闸坡</mark>渔港改造台账"]},
                }
            ],
        }
    }
    hit = ElasticBackend(url="x", client=client).search(SearchQuery(tree=query.parse("闸坡"), keys=["unit:1"])).hits[0]
    assert (hit.key, hit.entry, hit.archive_code) == ("arc:5", "arc", "Q1-WS·2024-Y-BGS-0001")
    assert hit.snippet_from == "附件《台账.pdf》" and hit.snippet_html == "<mark>闸坡</mark>渔港改造台账"
