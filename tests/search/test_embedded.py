"""Embedded-backend specifics: the FTS5 expression and the index file's layout."""

import sqlite3

from search import query
from search.backends import embedded
from search.backends.base import SearchQuery
from search.backends.embedded import BI, SEG, EmbeddedBackend, to_match

from .helpers import index_doc


def test_every_word_asks_the_segmented_and_the_bigram_columns():
    expr = to_match(query.parse("数字政府 海葵"))
    assert expr.count(SEG) == 2 and expr.count(BI) == 2
    assert f'{BI} : "数字 字政 政府"' in expr
    assert to_match(query.parse("营商环境 -深圳")).count(" NOT ") == 1


def test_an_index_file_of_an_older_layout_is_rebuilt(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT)")
    conn.execute("INSERT INTO docs VALUES (1, 'old')")
    conn.commit()
    conn.close()
    backend = EmbeddedBackend(path)
    assert backend.fingerprints() == {}
    backend.index([index_doc(1, "关于防汛工作的通知")])
    assert backend.search(SearchQuery(tree=query.parse("防汛"), keys=["unit:1"])).total == 1
    backend.close()


def _seed_visibility(backend):
    backend.index(
        [
            index_doc(1, "关于防汛工作的通知", keys=["unit:1"], date="2023-01-01"),
            index_doc(2, "关于防汛值班的通知", keys=["unit:2", "person:7"], doc_type="函", date="2023-02-01"),
            index_doc(3, "关于防汛演练的意见", keys=["unit:3"], doc_type="意见", date="2023-03-01"),
            index_doc(4, "关于营商环境的意见", keys=["unit:1"], doc_type="意见", date="2023-04-01"),
        ]
    )


def _summary(result):
    return (
        result.total,
        sorted(h.id for h in result.hits),
        {name: sorted((f["value"], f["count"]) for f in values) for name, values in result.facets.items()},
    )


def test_many_keys_are_checked_per_candidate_with_the_same_result_as_few(tmp_path):
    backend = EmbeddedBackend(tmp_path / "index.sqlite3")
    _seed_visibility(backend)
    unseen = [f"unit:{u}" for u in range(100, 100 + embedded.VIS_TOKEN_KEYS)]  # keys no entry carries
    for mine in (["unit:1"], ["person:7"], ["unit:1", "person:7"], ["unit:3", "person:7"]):
        few = backend.search(SearchQuery(tree=query.parse("防汛"), keys=mine))
        many = backend.search(SearchQuery(tree=query.parse("防汛"), keys=mine + unseen))
        assert len(mine + unseen) > embedded.VIS_TOKEN_KEYS >= len(mine)
        assert _summary(many) == _summary(few)
    both = backend.search(SearchQuery(tree=query.parse("防汛"), keys=["unit:3", "person:7"] + unseen))
    assert both.total == 2 and {f["value"] for f in both.facets["doc_type"]} == {"函", "意见"}
    # filters only (no words): visibility still applied on both paths
    assert backend.search(SearchQuery(keys=["person:7"])).total == 1
    assert backend.search(SearchQuery(keys=["person:7"] + unseen)).total == 1
    assert backend.search(SearchQuery(keys=unseen)).total == 0
    backend.close()


def test_ranking_is_capped_but_the_count_and_paging_stay_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "RANK_CAP", 3)
    backend = EmbeddedBackend(tmp_path / "index.sqlite3")
    backend.index(
        [
            index_doc(i, f"第{i}号工作通知", "防汛" if i != 6 else "防汛防汛防汛", date=f"2023-01-{i:02d}")
            for i in range(1, 8)
        ]
        + [index_doc(8, "关于防汛工作的通知", "防汛", date="2020-01-01")]
    )
    seen, totals = [], set()
    for page in (1, 2, 3):
        result = backend.search(SearchQuery(tree=query.parse("防汛"), keys=["unit:1"], page=page, page_size=3))
        totals.add(result.total)
        seen += [h.id for h in result.hits]
    assert totals == {8} and result.ranked == 3  # the page says only 3 were compared by relevance
    assert sorted(seen) == list(range(1, 9))  # every hit once, across the pages
    # the newest RANK_CAP entries (by row id: 8, 7, 6) are ranked by bm25: the title match first
    assert seen[:3] == [8, 6, 7]
    by_date = backend.search(SearchQuery(tree=query.parse("防汛"), keys=["unit:1"], sort="date_desc"))
    assert by_date.ranked is None and [h.id for h in by_date.hits][:2] == [7, 6]  # date order is exact
    backend.close()


def test_facets_count_every_issuer_of_a_co_issued_entry(tmp_path):
    backend = EmbeddedBackend(tmp_path / "index.sqlite3")
    joint = index_doc(1, "关于防汛工作的联合通知")
    joint["issuer_ids"], joint["issuer_names"] = [201, 2], ["阳江市人民政府", "阳江市应急管理局"]
    backend.index([joint, index_doc(2, "关于防汛值班的通知")])
    result = backend.search(SearchQuery(tree=query.parse("防汛"), keys=["unit:1"]))
    issuers = {f["label"]: f["count"] for f in result.facets["issuer"]}
    assert issuers == {"阳江市人民政府": 2, "阳江市应急管理局": 1}
    filtered = backend.search(SearchQuery(tree=query.parse("防汛"), keys=["unit:1"], issuer_ids=[2]))
    assert [h.id for h in filtered.hits] == [1]
    backend.close()
