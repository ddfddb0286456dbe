"""Embedded-backend specifics: the FTS5 expression and the index file's layout."""

import sqlite3

from search import query
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
