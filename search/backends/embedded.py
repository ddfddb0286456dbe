"""The embedded backend: SQLite FTS5 in its own file, whatever database the application runs on.

Text goes in pre-tokenised (space-separated jieba tokens and bigrams) and FTS5's ``unicode61`` tokenizer
splits on the spaces. Filters and visibility keys are plain tables next to the FTS table; one search
materialises the matching ids (visibility applied) into a temporary table, and the page, the total and
every facet are read from it — so counts and facets cover exactly what the person may see.
"""

import json
import sqlite3
import threading
from pathlib import Path

from .. import attachments, docnumber, entries, highlight, text
from ..query import And, DocNo, Not, Or, Phrase, Term, highlight_terms
from .base import Backend, Hit, SearchQuery, SearchResult, entry_of

# 3: entries of three kinds (doc:/in:/arc:, ``id`` = the row id computed from the key) and attachment text.
SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, entry TEXT NOT NULL, obj_id INTEGER NOT NULL,
    doc_number TEXT NOT NULL, doc_number_key TEXT NOT NULL, doc_type TEXT NOT NULL, status TEXT NOT NULL,
    box TEXT NOT NULL, retention TEXT NOT NULL, archive_code TEXT NOT NULL, owner_unit_id INTEGER,
    issuer_names TEXT NOT NULL, year INTEGER, date TEXT NOT NULL, fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_number ON docs(doc_number_key);
-- The texts live apart so that the rows every search reads for each candidate (filters, sort, facets) stay small.
CREATE TABLE IF NOT EXISTS doc_text (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, attachments TEXT NOT NULL,
    attachment_text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_date ON docs(date);
CREATE TABLE IF NOT EXISTS doc_keys (
    key TEXT NOT NULL, doc_id INTEGER NOT NULL, PRIMARY KEY (key, doc_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_keys_doc ON doc_keys(doc_id, key);
CREATE TABLE IF NOT EXISTS doc_issuers (
    doc_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (doc_id, unit_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_issuers_unit ON doc_issuers(unit_id, doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title_seg, body_seg, extra_seg, att_seg, title_bi, body_bi, extra_bi, att_bi,
    tokenize = 'unicode61 remove_diacritics 0'
);
"""
SEG = "{title_seg body_seg extra_seg att_seg}"
BI = "{title_bi body_bi extra_bi att_bi}"
# bm25 column weights: the title counts most, 发文字号/附件名/发文机关 next, the body less, attachments' text least.
WEIGHTS = (10.0, 1.0, 4.0, 0.8, 10.0, 1.0, 4.0, 0.8)
FACET_LIMIT = 30
# Copied into the temporary hit table so sorting and faceting never go back to ``docs``.
HIT_COLUMNS = "d.date, d.doc_type, d.year, d.status, d.box, d.retention"


def docno_token(number: str) -> str:
    """阳府办〔2021〕7号 → docno阳府办2021n7: one FTS token (letters and digits only), exact match."""
    parsed = docnumber.parse(number)
    if not parsed:
        return ""
    code, year, seq = parsed
    code = "".join(text.words(code))
    return f"docno{code}{year}n{seq}" if code else ""


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def term_expr(value: str) -> str:
    """One word: its jieba tokens all present (segmented columns) OR its bigram chain (bigram columns)."""
    seg = [t for t in text.segment_query(value)]
    grams = text.bigrams(value)
    parts = []
    if seg:
        parts.append(f"{SEG} : (" + " AND ".join(_quote(t) for t in seg) + ")")
    if len(grams) == 1 and text.is_cjk(grams[0]) and len(grams[0]) == 1:
        parts.append(f"{BI} : {_quote(grams[0])}*")
    elif grams:
        parts.append(f"{BI} : " + _quote(" ".join(grams)))
    return "(" + " OR ".join(parts) + ")" if parts else ""


def phrase_expr(value: str) -> str:
    grams = text.bigrams(value)
    if not grams:
        return ""
    if len(grams) == 1 and text.is_cjk(grams[0]) and len(grams[0]) == 1:
        return f"({BI} : {_quote(grams[0])}*)"
    return f"({BI} : " + _quote(" ".join(grams)) + ")"


def docno_expr(number: str) -> str:
    token = docno_token(number)
    cited = phrase_expr(number.removesuffix("号"))  # cited as 阳府办[2021]7号文: the 号 joins the next word
    parts = [p for p in (f"({{extra_seg}} : {_quote(token)})" if token else "", cited) if p]
    return "(" + " OR ".join(parts) + ")"


def to_match(node) -> str:
    """The FTS5 MATCH expression of a query tree ("" when nothing positive is left)."""
    if node is None:
        return ""
    if isinstance(node, Term):
        return term_expr(node.text)
    if isinstance(node, Phrase):
        return phrase_expr(node.text)
    if isinstance(node, DocNo):
        return docno_expr(node.number)
    if isinstance(node, Or):
        parts = [to_match(c) for c in node.children if not isinstance(c, Not)]
        parts = [p for p in parts if p]
        return "(" + " OR ".join(parts) + ")" if parts else ""
    if isinstance(node, And):
        positive = [p for p in (to_match(c) for c in node.children if not isinstance(c, Not)) if p]
        if not positive:
            return ""
        expr = "(" + " AND ".join(positive) + ")"
        for child in node.children:
            if isinstance(child, Not):
                negative = to_match(child.child)
                if negative:
                    expr = f"({expr} NOT {negative})"
        return expr
    if isinstance(node, Not):  # a lone exclusion is refused by the parser
        return ""
    raise TypeError(node)


class EmbeddedBackend(Backend):
    name = "embedded"

    def __init__(self, path):
        self.path = Path(path)
        self._local = threading.local()
        self._ready = False
        self._lock = threading.Lock()

    # --- connection ---------------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA temp_store=MEMORY")
            with self._lock:
                if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    # An index of another layout is rebuilt empty; search_check then lists every document as
                    # missing and search_reindex fills it.
                    for table in ("docs", "doc_text", "fts", "doc_keys", "doc_issuers"):
                        conn.execute(f"DROP TABLE IF EXISTS {table}")
                    conn.executescript(SCHEMA)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS userkey (key TEXT PRIMARY KEY) WITHOUT ROWID")
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS hit (id INTEGER PRIMARY KEY, score REAL, date TEXT, doc_type TEXT, "
                "year INTEGER, status TEXT, box TEXT, retention TEXT)"
            )
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # --- writing --------------------------------------------------------------------------------------

    def index(self, docs: list[dict]) -> None:
        if not docs:
            return
        conn = self.connection()
        rows, texts, fts, keys, issuers, ids = [], [], [], [], [], []
        for d in docs:
            kind, key = entry_of(d)
            rowid = entries.rowid(key)
            ids.append((rowid,))
            att_text = d.get("attachment_text", "")
            texts.append((rowid, d["title"], d["body"], d["attachments"], att_text))
            rows.append(
                (
                    rowid,
                    key,
                    kind,
                    d["id"],
                    d["doc_number"],
                    d["doc_number_key"],
                    d["doc_type"],
                    d["status"],
                    d["box"],
                    d["retention"],
                    d["archive_code"],
                    d["owner_unit_id"],
                    json.dumps(d["issuer_names"], ensure_ascii=False),
                    d["year"],
                    d["date"],
                    d["fingerprint"],
                )
            )
            extra_text = " ".join(
                [
                    d["doc_number"],
                    d.get("reg_number", ""),
                    d["attachments"],
                    " ".join(d["issuer_names"]),
                    d["archive_code"],
                ]
            )
            title_seg, title_bi = text.index_text(d["title"])
            body_seg, body_bi = text.index_text(d["body"])
            extra_seg, extra_bi = text.index_text(extra_text)
            att_seg, att_bi = text.index_text(attachments.plain(att_text))
            token = docno_token(d["doc_number_key"])
            fts.append(
                (
                    rowid,
                    title_seg,
                    body_seg,
                    f"{extra_seg} {token}".strip(),
                    att_seg,
                    title_bi,
                    body_bi,
                    extra_bi,
                    att_bi,
                )
            )
            keys.extend((k, rowid) for k in d["keys"])
            issuers.extend(
                (rowid, unit_id, name, pos)
                for pos, (unit_id, name) in enumerate(zip(d["issuer_ids"], d["issuer_names"], strict=False))
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._delete_rows(conn, ids)
            conn.executemany(f"INSERT INTO docs VALUES ({','.join('?' * 16)})", rows)
            conn.executemany("INSERT INTO doc_text VALUES (?, ?, ?, ?, ?)", texts)
            conn.executemany(
                "INSERT INTO fts(rowid, title_seg, body_seg, extra_seg, att_seg, title_bi, body_bi, extra_bi, att_bi) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                fts,
            )
            conn.executemany("INSERT OR IGNORE INTO doc_keys VALUES (?, ?)", keys)
            conn.executemany("INSERT OR IGNORE INTO doc_issuers VALUES (?, ?, ?, ?)", issuers)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _delete_rows(conn, ids) -> None:
        conn.executemany("DELETE FROM docs WHERE id = ?", ids)
        conn.executemany("DELETE FROM doc_text WHERE id = ?", ids)
        conn.executemany("DELETE FROM fts WHERE rowid = ?", ids)
        conn.executemany("DELETE FROM doc_keys WHERE doc_id = ?", ids)
        conn.executemany("DELETE FROM doc_issuers WHERE doc_id = ?", ids)

    def delete(self, keys) -> None:
        rowids = [(entries.rowid(k),) for k in entries.normalise(keys)]
        if not rowids:
            return
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._delete_rows(conn, rowids)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def clear(self) -> None:
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        for table in ("docs", "doc_text", "fts", "doc_keys", "doc_issuers"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("COMMIT")

    def fingerprints(self) -> dict[str, str]:
        return dict(self.connection().execute("SELECT key, fingerprint FROM docs"))

    def count(self) -> int:
        return self.connection().execute("SELECT count(*) FROM docs").fetchone()[0]

    # --- searching ------------------------------------------------------------------------------------

    @staticmethod
    def _filters(q: SearchQuery) -> tuple[list[str], list]:
        where, params = [], []

        def any_of(column, values):
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)

        # The person's keys are in temp.userkey (filled by ``search``): per candidate row, its few keys are
        # probed there. (An IN-subquery over doc_keys would first build the set of every visible id —
        # 100,000 rows for a person who may see everything — and ``key IN (…)`` per row probes every key.)
        where.append("EXISTS (SELECT 1 FROM doc_keys k JOIN temp.userkey u ON u.key = k.key WHERE k.doc_id = d.id)")
        if q.doc_types:
            any_of("d.doc_type", q.doc_types)
        if q.statuses:
            any_of("d.status", q.statuses)
        if q.boxes:
            any_of("d.box", q.boxes)
        if q.retentions:
            any_of("d.retention", q.retentions)
        if q.issuer_ids:
            any_of("d.id IN (SELECT doc_id FROM doc_issuers WHERE unit_id", [int(i) for i in q.issuer_ids])
            where[-1] += ")"
        if q.doc_number:
            where.append("d.doc_number_key = ?")
            params.append(q.doc_number)
        if q.year_from:
            where.append("d.year >= ?")
            params.append(q.year_from)
        if q.year_to:
            where.append("d.year <= ?")
            params.append(q.year_to)
        if q.date_from:
            where.append("d.date >= ?")
            params.append(q.date_from.isoformat())
        if q.date_to:
            where.append("d.date <= ?")
            params.append(q.date_to.isoformat())
        return where, params

    def search(self, q: SearchQuery) -> SearchResult:
        if not q.keys:
            return SearchResult(0, [], {}, q.page, q.page_size)
        conn = self.connection()
        where, params = self._filters(q)
        match = to_match(q.tree)
        if match:
            sql = (
                f"INSERT INTO temp.hit SELECT d.id, bm25(fts, {', '.join(map(str, WEIGHTS))}), {HIT_COLUMNS} FROM fts "
                f"JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ? AND {' AND '.join(where)}"
            )
            params = [match, *params]
        else:
            sql = f"INSERT INTO temp.hit SELECT d.id, 0, {HIT_COLUMNS} FROM docs d WHERE {' AND '.join(where)}"
        conn.execute("BEGIN")
        try:
            conn.execute("DELETE FROM temp.hit")
            conn.execute("DELETE FROM temp.userkey")
            conn.executemany("INSERT OR IGNORE INTO temp.userkey VALUES (?)", [(k,) for k in q.keys])
            conn.execute(sql, params)
            total = conn.execute("SELECT count(*) FROM temp.hit").fetchone()[0]
            order = {
                "relevance": "h.score ASC, h.date DESC, h.id DESC" if match else "h.date DESC, h.id DESC",
                "date_desc": "h.date DESC, h.id DESC",
                "date_asc": "h.date ASC, h.id ASC",
            }.get(q.sort, "h.date DESC, h.id DESC")
            rows = conn.execute(
                "SELECT d.obj_id, t.title, d.doc_number, d.doc_type, d.status, d.box, d.retention, d.issuer_names, "
                "d.year, d.date, h.score, t.body, t.attachments, t.attachment_text, d.entry, d.key, d.archive_code "
                "FROM "
                f"(SELECT * FROM temp.hit h ORDER BY {order} LIMIT ? OFFSET ?) h JOIN docs d ON d.id = h.id "
                f"JOIN doc_text t ON t.id = h.id ORDER BY {order}",
                (q.page_size, (q.page - 1) * q.page_size),
            ).fetchall()
            facets = self._facets(conn) if q.facets and total else {}
        finally:
            conn.execute("COMMIT")
        terms = highlight_terms(q.tree) if q.highlight else []
        hits = []
        for row in rows:
            title, body, names, att_text = row[1], row[11], row[12], row[13]
            snippet_html, snippet_from = highlight.best_snippet(body, att_text, terms, fallback=names)
            hits.append(
                Hit(
                    id=row[0],
                    title=title,
                    doc_number=row[2],
                    doc_type=row[3],
                    status=row[4],
                    box=row[5],
                    retention=row[6],
                    issuer_names=json.loads(row[7]),
                    year=row[8],
                    date=row[9],
                    score=-float(row[10] or 0),
                    title_html=highlight.mark(title, terms),
                    snippet_html=snippet_html,
                    snippet_from=snippet_from,
                    entry=row[14],
                    key=row[15],
                    archive_code=row[16],
                )
            )
        return SearchResult(total, hits, facets, q.page, q.page_size)

    @staticmethod
    def _facets(conn) -> dict[str, list[dict]]:
        facets = {}
        for name, column in (
            ("doc_type", "doc_type"),
            ("year", "year"),
            ("status", "status"),
            ("box", "box"),
            ("retention", "retention"),
        ):
            rows = conn.execute(
                f"SELECT {column}, count(*) FROM temp.hit WHERE {column} != '' GROUP BY {column} "
                f"ORDER BY count(*) DESC, {column} DESC LIMIT {FACET_LIMIT}"
            ).fetchall()
            facets[name] = [{"value": str(v), "label": str(v), "count": c} for v, c in rows]
        rows = conn.execute(
            # CROSS JOIN keeps the hits as the outer loop: left to itself the planner walks all of doc_issuers
            # in unit order (for the GROUP BY) and probes the hits — 200 ms at 100,000 documents for one hit.
            "SELECT i.unit_id, min(i.name), count(*) FROM temp.hit h CROSS JOIN doc_issuers i ON i.doc_id = h.id "
            f"GROUP BY i.unit_id ORDER BY count(*) DESC, i.unit_id LIMIT {FACET_LIMIT}"
        ).fetchall()
        facets["issuer"] = [{"value": str(u), "label": n, "count": c} for u, n, c in rows]
        return facets
