"""The same cases for every backend (Elasticsearch only when ELASTICSEARCH_URL is set)."""

from datetime import date

from search import query
from search.backends.base import SearchQuery

from .helpers import index_doc


def run(backend, q="", **kwargs):
    kwargs.setdefault("keys", ["unit:1"])
    return backend.search(SearchQuery(tree=query.parse(q), **kwargs))


def ids(result):
    return [h.id for h in result.hits]


def seed(backend):
    backend.index(
        [
            index_doc(
                1,
                "关于推进数字政府建设的通知",
                "全面推进政府数字化转型，推广粤政易。",
                doc_number="阳府〔2021〕3号",
                date="2021-03-01",
            ),
            index_doc(
                2,
                "关于做好防汛工作的通知",
                "压实三防责任，做好漠阳江沿岸人员转移。",
                doc_number="阳府办〔2021〕7号",
                issuer="阳府办",
                date="2021-05-01",
            ),
            index_doc(
                3,
                "关于优化营商环境的意见",
                "推行电子证照，压减企业开办时间。",
                doc_type="意见",
                doc_number="阳府〔2022〕9号",
                date="2022-03-01",
                retention="永久",
                box="archived",
            ),
            index_doc(
                4,
                "揭阳市关于营商环境的实施意见",
                "深化放管服改革。",
                doc_type="意见",
                issuer="揭府",
                date="2023-04-01",
                keys=["unit:2"],
            ),
            index_doc(
                5,
                "关于防风工作的通知",
                "台风来临前做好防风准备，参照阳府办[2021]7号文件执行。",
                date="2022-08-01",
                attachments="防风责任人名单.xlsx",
            ),
        ]
    )


def test_and_or_phrase_exclusion(any_backend):
    seed(any_backend)
    assert ids(run(any_backend, "数字政府 粤政易")) == [1]
    assert set(ids(run(any_backend, "防汛 OR 防风"))) == {2, 5}
    assert ids(run(any_backend, '"做好防汛"')) == [2]
    assert set(ids(run(any_backend, "通知 -防风"))) == {1, 2}


def test_unknown_words_are_found_through_bigrams(any_backend):
    seed(any_backend)
    assert ids(run(any_backend, "漠阳江")) == [2]
    assert ids(run(any_backend, "阳江沿岸")) == [2]


def test_doc_number_in_any_form_finds_the_document_first(any_backend):
    seed(any_backend)
    for form in ("阳府办〔2021〕7号", "阳府办[2021]7号", "阳府办2021-7", "阳府办(2021)7号"):
        result = run(any_backend, form)
        assert ids(result)[0] == 2, form
        assert 5 in ids(result)  # the document citing it comes too, after it
    assert ids(run(any_backend, doc_number="阳府办〔2021〕7号")) == [2]


def test_filters_and_facets(any_backend):
    seed(any_backend)
    assert set(ids(run(any_backend, doc_types=["意见"]))) == {3}
    assert set(ids(run(any_backend, year_from=2022))) == {3, 5}
    assert set(ids(run(any_backend, year_from=2021, year_to=2021))) == {1, 2}
    assert set(ids(run(any_backend, issuer_ids=[202]))) == {2}
    assert set(ids(run(any_backend, retentions=["永久"]))) == {3}
    assert set(ids(run(any_backend, boxes=["archived"]))) == {3}
    result = run(any_backend)
    assert result.total == 4
    doc_types = {f["value"]: f["count"] for f in result.facets["doc_type"]}
    assert doc_types == {"通知": 3, "意见": 1}
    issuers = {f["label"]: f["count"] for f in result.facets["issuer"]}
    assert issuers == {"阳江市人民政府": 3, "阳江市人民政府办公室": 1}


def test_visibility_keys_limit_hits_counts_and_facets(any_backend):
    seed(any_backend)
    mine = run(any_backend, "营商环境")
    theirs = run(any_backend, "营商环境", keys=["unit:2"])
    both = run(any_backend, "营商环境", keys=["unit:1", "unit:2"])
    assert (ids(mine), mine.total) == ([3], 1)
    assert (ids(theirs), theirs.total) == ([4], 1)
    assert both.total == 2
    assert {f["label"] for f in mine.facets["issuer"]} == {"阳江市人民政府"}
    assert run(any_backend, "营商环境", keys=[]).total == 0


def test_sort_by_date_and_paging(any_backend):
    seed(any_backend)
    newest = run(any_backend, sort="date_desc", page_size=2)
    assert ids(newest) == [5, 3] and newest.total == 4 and newest.pages == 2
    assert ids(run(any_backend, sort="date_desc", page_size=2, page=2)) == [2, 1]
    assert ids(run(any_backend, sort="date_asc", page_size=1)) == [1]


def test_highlighted_title_and_snippet(any_backend):
    seed(any_backend)
    hit = run(any_backend, "防汛").hits[0]
    assert "<mark>" in hit.title_html and "防汛" in hit.title_html
    hit = run(any_backend, "漠阳江").hits[0]
    assert "<mark>" in hit.snippet_html


def test_reindexing_replaces_and_delete_removes(any_backend):
    seed(any_backend)
    any_backend.index([index_doc(1, "关于统计工作的通知", "年度统计。")])
    assert run(any_backend, "数字政府").total == 0
    assert ids(run(any_backend, "统计")) == [1]
    any_backend.delete(["doc:1", "doc:999"])
    assert run(any_backend, "统计").total == 0
    assert set(any_backend.fingerprints()) == {"doc:2", "doc:3", "doc:4", "doc:5"}
    any_backend.delete([2])  # a bare integer is a document id
    assert set(any_backend.fingerprints()) == {"doc:3", "doc:4", "doc:5"}


def test_entries_of_each_kind_coexist_and_attachment_text_is_searched(any_backend):
    from search.attachments import SECTION_CLOSE, SECTION_OPEN

    sent = index_doc(1, "关于开展防汛检查的通知", "做好防汛检查。", box="sent")
    received = {
        **index_doc(1, "关于开展防汛检查的通知", "做好防汛检查。", box="received", keys=["unit:2"]),
        "key": "in:1",
        "entry": "in",
        "attachment_text": f"{SECTION_OPEN}名单.docx{SECTION_CLOSE}\n溪头镇防汛物资储备点",
    }
    archived = {
        **index_doc(1, "关于漠阳江碧道建设的通知", "碧道建设。", box="archived", retention="永久", keys=["unit:2"]),
        "key": "arc:1",
        "entry": "arc",
        "archive_code": "Q1-WS·2024-Y-BGS-0001",
    }
    any_backend.index([sent, received, archived])
    assert set(any_backend.fingerprints()) == {"doc:1", "in:1", "arc:1"}
    mine = run(any_backend, "防汛检查", keys=["unit:2"])
    assert [(h.key, h.entry, h.id, h.box) for h in mine.hits] == [("in:1", "in", 1, "received")]
    found = run(any_backend, "溪头镇", keys=["unit:2"])
    assert [h.key for h in found.hits] == ["in:1"] and found.hits[0].snippet_from == "附件《名单.docx》"
    assert "溪头镇" in found.hits[0].snippet_html
    assert [h.key for h in run(any_backend, "Q1-WS·2024-Y-BGS-0001", keys=["unit:2"]).hits] == ["arc:1"]
    assert [h.archive_code for h in run(any_backend, "", keys=["unit:2"], retentions=["永久"]).hits] == [
        "Q1-WS·2024-Y-BGS-0001"
    ]
    any_backend.delete(["in:1"])
    assert set(any_backend.fingerprints()) == {"doc:1", "arc:1"}


def test_date_range_status_and_exact_number_filters_with_their_facets(any_backend):
    any_backend.index(
        [
            index_doc(1, "关于春季森林防火的通知", "森林防火。", date="2023-02-20", status="distributed", box="sent"),
            index_doc(2, "关于夏季防溺水的通知", "防溺水。", date="2023-06-15", status="drafting"),
            index_doc(3, "关于秋季防火检查的通知", "防火检查。", date="2023-09-30", status="distributed", box="sent"),
            index_doc(4, "关于冬季防火的通知", "冬季防火。", date="2023-12-01", status="signoff", box="draft"),
        ]
    )
    assert set(ids(run(any_backend, date_from=date(2023, 6, 1), date_to=date(2023, 9, 30)))) == {2, 3}
    assert set(ids(run(any_backend, date_from=date(2023, 9, 30)))) == {3, 4}  # both ends are inclusive
    assert set(ids(run(any_backend, date_to=date(2023, 2, 20)))) == {1}
    only_sent = run(any_backend, "防火", statuses=["distributed"])
    assert set(ids(only_sent)) == {1, 3}
    assert {f["value"]: f["count"] for f in only_sent.facets["status"]} == {"distributed": 2}
    both = run(any_backend, "防火", statuses=["distributed", "signoff"], sort="date_asc")
    assert ids(both) == [1, 3, 4]
    assert {f["value"]: f["count"] for f in both.facets["year"]} == {"2023": 3}
