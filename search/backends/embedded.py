"""The embedded backend: SQLite FTS5 in its own file, whatever database the application runs on.

Text goes in pre-tokenised (space-separated jieba tokens and bigrams) and FTS5's ``unicode61`` tokenizer
splits on the spaces. Beside the FTS table: ``docs`` (what a hit shows), ``doc_text``, and the narrow
``doc_facets`` row every candidate is read through (date, an interned facet combination, issuer, keys).

Visibility is applied inside the query that yields the candidates, before anything is counted: a person
holding few keys (nearly everyone) ANDs them into the MATCH as tokens of the ``vis`` column, so FTS5 only
walks what they may see; a person holding many keys (a wide 档案员) is checked per candidate against
``doc_facets.vkey`` (and ``doc_keys`` for the entries with several keys). One pass over the visible
candidates yields the exact total and every facet; bm25 ranking — the costly part, several microseconds a
hit — is computed for at most ``RANK_CAP`` of them (all of them when there are fewer; else the most
recently indexed entries by row id, the rest following in that order).
"""

import heapq
import json
import re
import sqlite3
import threading
from collections import Counter
from operator import itemgetter
from pathlib import Path

from .. import attachments, docnumber, entries, highlight, text
from ..query import And, DocNo, Not, Or, Phrase, Term, highlight_terms
from .base import Backend, Hit, SearchQuery, SearchResult, entry_of

# 3: entries of three kinds (doc:/in:/arc:, ``id`` = the row id computed from the key) and attachment text.
# 4: visibility tokens in the FTS table (``vis``), the narrow ``doc_facets`` rows and ``facet_combos``.
SCHEMA_VERSION = 4
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
-- What every candidate of a search is read through: keep it narrow. ``combo`` is the interned
-- (文种, year, status, box, 保管期限) of the entry; ``vkey`` its first visibility key, ``nkeys`` how many it has;
-- ``issuer_id`` its first 发文机关, ``co`` 1 when it has several (then doc_issuers lists them).
CREATE TABLE IF NOT EXISTS doc_facets (
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, combo INTEGER NOT NULL, issuer_id INTEGER, co INTEGER NOT NULL,
    vkey TEXT NOT NULL, nkeys INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS facet_combos (
    id INTEGER PRIMARY KEY, doc_type TEXT NOT NULL, year INTEGER, status TEXT NOT NULL, box TEXT NOT NULL,
    retention TEXT NOT NULL, UNIQUE (doc_type, year, status, box, retention)
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title_seg, body_seg, extra_seg, att_seg, title_bi, body_bi, extra_bi, att_bi, vis,
    tokenize = 'unicode61 remove_diacritics 0'
);
"""
TABLES = ("docs", "doc_text", "fts", "doc_keys", "doc_issuers", "doc_facets", "facet_combos")
SEG = "{title_seg body_seg extra_seg att_seg}"
BI = "{title_bi body_bi extra_bi att_bi}"
# bm25 column weights: the title counts most, 发文字号/附件名/发文机关 next, the body less, attachments' text least.
# The visibility tokens (``vis``) weigh nothing.
WEIGHTS = (10.0, 1.0, 4.0, 0.8, 10.0, 1.0, 4.0, 0.8, 0.0)
FACET_LIMIT = 30
# Up to this many keys go into the MATCH as tokens (FTS5 merges one posting list per key); beyond it the
# candidates are checked one by one against doc_facets/doc_keys, which costs the same whatever the count.
VIS_TOKEN_KEYS = 24
# bm25 is computed for at most this many candidates of one search (see the module docstring).
RANK_CAP = 3000
COMBO_FIELDS = ("doc_type", "year", "status", "box", "retention")


def vis_token(key: str) -> str:
    """unit:12 → vkunit12: one ``unicode61`` token, only ever looked up in the ``vis`` column."""
    return "vk" + re.sub(r"[^0-9a-z]", "", key.lower())


def vis_expr(keys) -> str:
    return "{vis} : (" + " OR ".join(_quote(vis_token(k)) for k in sorted(set(keys))) + ")"


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
                    for table in TABLES:
                        conn.execute(f"DROP TABLE IF EXISTS {table}")
                    conn.executescript(SCHEMA)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS userkey (key TEXT PRIMARY KEY) WITHOUT ROWID")
            self._local.conn = conn
        return conn

    def layout_outdated(self) -> bool:
        if getattr(self._local, "conn", None) is not None or not self.path.exists():
            return False  # opened by this process already (so rebuilt if it was old), or not there yet
        conn = sqlite3.connect(str(self.path), timeout=30)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
        return version not in (0, SCHEMA_VERSION)

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
        rows, texts, fts, keys, issuers, ids, facet_rows = [], [], [], [], [], [], []
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
                    " ".join(vis_token(k) for k in sorted(set(d["keys"]))),
                )
            )
            doc_keys = sorted(set(d["keys"]))
            issuer_ids = list(dict.fromkeys(d["issuer_ids"]))
            combo = tuple(d[f] for f in COMBO_FIELDS)
            facet_rows.append(
                (
                    rowid,
                    d["date"],
                    combo,
                    issuer_ids[0] if issuer_ids else None,
                    int(len(issuer_ids) > 1),
                    doc_keys[0] if doc_keys else "",
                    len(doc_keys),
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
                "INSERT INTO fts(rowid, title_seg, body_seg, extra_seg, att_seg, title_bi, body_bi, extra_bi, att_bi, "
                "vis) VALUES (?,?,?,?,?,?,?,?,?,?)",
                fts,
            )
            combos = {row[2] for row in facet_rows}
            conn.executemany(
                "INSERT OR IGNORE INTO facet_combos (doc_type, year, status, box, retention) VALUES (?,?,?,?,?)", combos
            )
            combo_ids = {
                combo: conn.execute(
                    "SELECT id FROM facet_combos WHERE doc_type IS ? AND year IS ? AND status IS ? AND box IS ? "
                    "AND retention IS ?",
                    combo,
                ).fetchone()[0]
                for combo in combos
            }
            conn.executemany(
                "INSERT INTO doc_facets VALUES (?,?,?,?,?,?,?)",
                [(r[0], r[1], combo_ids[r[2]], *r[3:]) for r in facet_rows],
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
        conn.executemany("DELETE FROM doc_facets WHERE id = ?", ids)

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
        for table in TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("COMMIT")

    def fingerprints(self) -> dict[str, str]:
        return dict(self.connection().execute("SELECT key, fingerprint FROM docs"))

    def count(self) -> int:
        return self.connection().execute("SELECT count(*) FROM docs").fetchone()[0]

    # --- searching ------------------------------------------------------------------------------------

    # Visibility of a candidate for a person holding many keys (they are in temp.userkey): its first key,
    # and only for the entries with several keys (a flow's people) a probe of doc_keys.
    MANY_KEYS_VISIBLE = (
        "(m.vkey IN temp.userkey OR (m.nkeys > 1 AND EXISTS "
        "(SELECT 1 FROM doc_keys k JOIN temp.userkey u ON u.key = k.key WHERE k.doc_id = m.id)))"
    )

    @staticmethod
    def _filters(q: SearchQuery) -> tuple[list[str], list]:
        where, params = [], []
        combo_where, combo_params = [], []

        def any_of(clauses, values_out, column, values):
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            values_out.extend(values)

        if q.doc_types:
            any_of(combo_where, combo_params, "doc_type", q.doc_types)
        if q.statuses:
            any_of(combo_where, combo_params, "status", q.statuses)
        if q.boxes:
            any_of(combo_where, combo_params, "box", q.boxes)
        if q.retentions:
            any_of(combo_where, combo_params, "retention", q.retentions)
        if q.year_from:
            combo_where.append("year >= ?")
            combo_params.append(q.year_from)
        if q.year_to:
            combo_where.append("year <= ?")
            combo_params.append(q.year_to)
        if combo_where:
            # A handful of combinations stand for every (文种, year, status, box, 保管期限) filter.
            where.append(f"m.combo IN (SELECT id FROM facet_combos WHERE {' AND '.join(combo_where)})")
            params.extend(combo_params)
        if q.issuer_ids:
            any_of(
                where, params, "m.id IN (SELECT doc_id FROM doc_issuers WHERE unit_id", [int(i) for i in q.issuer_ids]
            )
            where[-1] += ")"
        if q.doc_number:
            where.append("m.id IN (SELECT id FROM docs WHERE doc_number_key = ?)")
            params.append(q.doc_number)
        if q.date_from:
            where.append("m.date >= ?")
            params.append(q.date_from.isoformat())
        if q.date_to:
            where.append("m.date <= ?")
            params.append(q.date_to.isoformat())
        return where, params

    def search(self, q: SearchQuery) -> SearchResult:
        if not q.keys:
            return SearchResult(0, [], {}, q.page, q.page_size)
        conn = self.connection()
        keys = sorted(set(q.keys))
        few_keys = len(keys) <= VIS_TOKEN_KEYS
        match = to_match(q.tree)
        where, params = self._filters(q)
        if few_keys:
            fts_match = f"({match}) AND {vis_expr(keys)}" if match else vis_expr(keys)
        else:
            fts_match = match
            where.insert(0, self.MANY_KEYS_VISIBLE)
        if fts_match:
            source = "FROM fts JOIN doc_facets m ON m.id = fts.rowid WHERE fts MATCH ?"
            params = [fts_match, *params]
        else:
            source = "FROM doc_facets m WHERE 1"
        source += "".join(f" AND {w}" for w in where)
        by_relevance = bool(match) and q.sort == "relevance"
        start = (q.page - 1) * q.page_size
        end = start + q.page_size
        bm25 = f"bm25(fts, {', '.join(map(str, WEIGHTS))})"
        conn.execute("BEGIN")  # one snapshot for the candidates, the ranking and the page
        try:
            if not few_keys:
                conn.execute("DELETE FROM temp.userkey")
                conn.executemany("INSERT OR IGNORE INTO temp.userkey VALUES (?)", [(k,) for k in keys])
            # Every visible candidate, once, without scoring: the total and the facets come from these rows
            # (id, combo, issuer when it is the only one, id when co-issued[, date when sorting by it]).
            candidates = conn.execute(
                "SELECT m.id, m.combo, CASE WHEN m.co THEN NULL ELSE m.issuer_id END, CASE WHEN m.co THEN m.id END"
                f"{'' if by_relevance else ', m.date'} {source}",
                params,
            ).fetchall()
            total = len(candidates)
            scores: dict[int, float] = {}
            if by_relevance:
                page_ids = self._ranked_page(conn, source, params, bm25, total, start, end, scores)
            else:
                pick = heapq.nsmallest if q.sort == "date_asc" else heapq.nlargest
                page_ids = [r[0] for r in pick(end, candidates, key=itemgetter(4, 0))[start:]]
                if match and page_ids:
                    scores.update(
                        conn.execute(
                            f"SELECT rowid, {bm25} FROM fts WHERE fts MATCH ? AND rowid IN "
                            f"({','.join('?' * len(page_ids))})",
                            [fts_match, *page_ids],
                        )
                    )
            rows = self._page_rows(conn, page_ids)
            facets = self._facets(conn, candidates) if q.facets and total else {}
        finally:
            conn.execute("COMMIT")
        terms = highlight_terms(q.tree) if q.highlight else []
        hits = []
        for row in rows:
            title, body, names, att_text = row[2], row[11], row[12], row[13]
            snippet_html, snippet_from = highlight.best_snippet(body, att_text, terms, fallback=names)
            hits.append(
                Hit(
                    id=row[1],
                    title=title,
                    doc_number=row[3],
                    doc_type=row[4],
                    status=row[5],
                    box=row[6],
                    retention=row[7],
                    issuer_names=json.loads(row[8]),
                    year=row[9],
                    date=row[10],
                    score=-float(scores.get(row[0]) or 0),
                    title_html=highlight.mark(title, terms),
                    snippet_html=snippet_html,
                    snippet_from=snippet_from,
                    entry=row[14],
                    key=row[15],
                    archive_code=row[16],
                )
            )
        ranked = RANK_CAP if by_relevance and total > RANK_CAP else None
        return SearchResult(total, hits, facets, q.page, q.page_size, ranked=ranked)

    @staticmethod
    def _ranked_page(conn, source, params, bm25, total, start, end, scores) -> list[int]:
        """Ids of the page in relevance order (bm25, then newest): the first ``RANK_CAP`` candidates by row id
        ranked, any further ones after them in row-id order."""
        ranked = conn.execute(
            f"SELECT m.id, {bm25}, m.date {source} ORDER BY fts.rowid DESC LIMIT {RANK_CAP}", params
        ).fetchall()
        ranked.sort(key=itemgetter(2, 0), reverse=True)
        ranked.sort(key=itemgetter(1))  # stable: equal scores stay newest first
        scores.update((r[0], r[1]) for r in ranked)
        page_ids = [r[0] for r in ranked[start:end]]
        if end > len(ranked) and total > len(ranked):
            first = max(start, len(ranked))
            tail = conn.execute(
                f"SELECT m.id, {bm25} {source} ORDER BY fts.rowid DESC LIMIT ? OFFSET ?",
                [*params, end - first, first],
            ).fetchall()
            scores.update(tail)
            page_ids += [r[0] for r in tail]
        return page_ids

    @staticmethod
    def _page_rows(conn, page_ids) -> list[tuple]:
        if not page_ids:
            return []
        rows = conn.execute(
            "SELECT d.id, d.obj_id, t.title, d.doc_number, d.doc_type, d.status, d.box, d.retention, d.issuer_names, "
            "d.year, d.date, t.body, t.attachments, t.attachment_text, d.entry, d.key, d.archive_code "
            f"FROM docs d JOIN doc_text t ON t.id = d.id WHERE d.id IN ({','.join('?' * len(page_ids))})",
            page_ids,
        ).fetchall()
        by_id = {r[0]: r for r in rows}
        return [by_id[i] for i in page_ids if i in by_id]

    @staticmethod
    def _facets(conn, candidates) -> dict[str, list[dict]]:
        """Facet counts over the visible candidates (see ``search``): counted at C speed, with no more SQL than
        the few combinations' values and the co-issued entries' issuers."""
        combos = Counter(map(itemgetter(1), candidates))
        sole_issuers = list(map(itemgetter(2), candidates))
        issuers = Counter(sole_issuers)
        issuers.pop(None, None)
        example = {}  # issuer → a visible entry of theirs, whose issuer name labels the facet
        co_ids = list(filter(None, map(itemgetter(3), candidates)))
        for chunk in _chunks(co_ids):
            for doc_id, unit_id in conn.execute(
                f"SELECT doc_id, unit_id FROM doc_issuers WHERE doc_id IN ({','.join('?' * len(chunk))})", chunk
            ):
                issuers[unit_id] += 1
                example.setdefault(unit_id, doc_id)
        values = {}
        for chunk in _chunks(list(combos)):
            for row in conn.execute(
                f"SELECT id, {', '.join(COMBO_FIELDS)} FROM facet_combos WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                values[row[0]] = row[1:]
        counts = {}
        for i, name in enumerate(COMBO_FIELDS):
            acc = counts[name] = {}
            for combo, n in combos.items():
                value = values[combo][i]
                acc[value] = acc.get(value, 0) + n
            acc.pop("", None)
            acc.pop(None, None)
        facets = {}
        for name in ("doc_type", "year", "status", "box", "retention"):
            top = sorted(counts[name].items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:FACET_LIMIT]
            facets[name] = [{"value": str(v), "label": str(v), "count": c} for v, c in top]
        top = sorted(issuers.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
        names = {}
        for unit_id, _ in top:
            doc_id = example[unit_id] if unit_id in example else candidates[sole_issuers.index(unit_id)][0]
            names[unit_id] = conn.execute(
                "SELECT name FROM doc_issuers WHERE doc_id = ? AND unit_id = ?", (doc_id, unit_id)
            ).fetchone()[0]
        facets["issuer"] = [{"value": str(u), "label": names[u], "count": c} for u, c in top]
        return facets


def _chunks(values, size=500):
    for i in range(0, len(values), size):
        yield values[i : i + size]
