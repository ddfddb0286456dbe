"""Full-text search: indexing rate and query latency of the embedded backend (SQLite FTS5 + jieba + bigrams)
beside a LIKE-scan baseline over the same documents, measured in the same run.

    python bench/search.py [--quick] [--count N]

100,000 synthetic 公文 (--quick: 5,000) from 200 units are indexed in batches of 1,000 (tokenising included).
Then 20 queries (words, AND, OR, phrase, exclusion, an unknown word, a 发文字号) run 3 times each, as a person
who may see every unit (the worst case: the most hits to count and facet), with facets, highlights and the
first page of 20; once more as a person of one unit. The baseline runs the same words as
``title LIKE '%w%' OR body LIKE '%w%'`` (ANDed) on a plain SQLite table of the same documents: total count plus
the newest 20. Ends with ``RESULT key=value …``.
"""

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = 200
TOPICS = [
    ("数字政府", "推进数字政府改革建设，提升政府数字化履职能力"),
    ("一网通办", "深化政务服务一网通办，推动更多事项网上办掌上办"),
    ("粤政易", "全面推广粤政易移动办公平台，实现公文流转统一入口"),
    ("营商环境", "持续优化营商环境，压减企业开办时间"),
    ("防汛防风", "压实三防责任，做好水库山塘巡查和人员转移"),
    ("安全生产", "开展安全生产大检查，防范遏制重特大事故"),
    ("乡村振兴", "全面推进乡村振兴，巩固拓展脱贫攻坚成果"),
    ("网络安全", "落实网络安全等级保护，开展攻防演练"),
    ("电子证照", "推进电子证照和电子印章在政务服务中的应用"),
    ("教育", "做好义务教育招生入学和校园安全工作"),
    ("河长制", "落实河长制湖长制，开展河湖清四乱"),
    ("公共数据", "加强公共数据共享开放，编制数据资源目录"),
]
FILLER = [
    "各地各部门要高度重视，加强组织领导，明确责任分工。",
    "要建立健全工作机制，定期调度，确保各项任务落到实处。",
    "请于每季度末将工作进展情况报送市人民政府办公室。",
    "对工作推进不力的单位予以通报批评。",
    "本通知自印发之日起施行。",
    "加强宣传引导，营造良好社会氛围。",
    "做好经费保障，严格资金使用管理。",
]
KINDS = ["通知", "通知", "通知", "意见", "报告", "请示", "批复", "函", "纪要", "通报"]
QUERIES = [
    "数字政府",
    "一网通办",
    "粤政易",
    "营商环境",
    "防汛",
    "安全生产 检查",
    "乡村振兴 OR 河长制",
    '"等级保护"',
    "电子证照 -印章",
    "公共数据 共享",
    "教育 招生",
    "政府数字化",
    "移动办公",
    "水库",
    "攻防演练",
    "脱贫攻坚",
    "海陵岛",
    "阳府办〔2021〕7号",
    "通报批评",
    "资金 管理",
]


def setup(workdir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["OA_VAR_DIR"] = workdir
    os.environ["OA_SEARCH_BACKEND"] = "embedded"
    os.environ["OA_SEARCH_SQLITE_PATH"] = os.path.join(workdir, "index.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "oa.settings"
    os.environ.setdefault("OA_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def synthetic(n: int, seed: int = 8):
    from search import docnumber, indexing

    rng = random.Random(seed)
    for i in range(1, n + 1):
        topic, sentence = rng.choice(TOPICS)
        unit = rng.randrange(UNITS)
        year = rng.randint(2000, 2025)
        kind = rng.choice(KINDS)
        code = f"单位{unit}办"
        number = f"{code}〔{year}〕{i}号" if i != 7 else "阳府办〔2021〕7号"
        body = sentence + "。" + "".join(rng.sample(FILLER, 4))
        if i % 997 == 0:
            body += "海陵岛旅游发展需统筹推进。"
        box = rng.choice(["sent", "received", "archived"])
        entry = {"sent": "doc", "received": "in", "archived": "arc"}[box]
        doc = {
            "key": f"{entry}:{i}",
            "entry": entry,
            "id": i,
            "title": f"{code}关于{topic}工作的{kind}",
            "body": body,
            "attachments": "附件：工作台账.xlsx" if i % 5 == 0 else "",
            "attachment_text": "\ue000工作台账.xlsx\ue001\n" + sentence if i % 5 == 0 else "",
            "doc_number": number,
            "doc_number_key": docnumber.canonical(number),
            "doc_type": kind,
            "status": "drafting",
            "box": box,
            "retention": rng.choice(["永久", "30年", "10年"]) if box == "archived" else "",
            "archive_code": "",
            "owner_unit_id": unit,
            "issuer_ids": [unit],
            "issuer_names": [f"测试单位{unit}"],
            "year": year,
            "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "keys": [f"unit:{unit}"],
        }
        doc["fingerprint"] = indexing.fingerprint(doc)
        yield doc


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def like_baseline(path: str, docs: list[dict], keys: list[str]):
    from search import query as q
    from search.query import DocNo, Phrase, Term

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT, body TEXT, date TEXT, key TEXT)")
    conn.executemany(
        "INSERT INTO docs VALUES (?,?,?,?,?)", [(d["id"], d["title"], d["body"], d["date"], d["keys"][0]) for d in docs]
    )
    conn.commit()
    placeholders = ",".join("?" * len(keys))
    samples = []
    for _ in range(3):
        for text in QUERIES:
            words = [
                (leaf.number if isinstance(leaf, DocNo) else leaf.text)
                for leaf, negated in q.leaves(q.parse(text))
                if isinstance(leaf, (Term, Phrase, DocNo)) and not negated
            ]
            where = " AND ".join("(title LIKE ? OR body LIKE ?)" for _ in words)
            params = [p for w in words for p in (f"%{w}%", f"%{w}%")] + keys
            started = time.perf_counter()
            conn.execute(f"SELECT count(*) FROM docs WHERE {where} AND key IN ({placeholders})", params).fetchone()
            conn.execute(
                f"SELECT id, title FROM docs WHERE {where} AND key IN ({placeholders}) ORDER BY date DESC LIMIT 20",
                params,
            ).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 documents")
    parser.add_argument("--count", type=int, default=None)
    args = parser.parse_args()
    count = args.count or (5_000 if args.quick else 100_000)
    workdir = tempfile.mkdtemp(prefix="oa-bench-search-")
    try:
        run(workdir, count)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: str, count: int) -> None:
    setup(workdir)
    from search import query
    from search.backends import get_backend
    from search.backends.base import SearchQuery

    backend = get_backend()
    docs = list(synthetic(count))
    started = time.perf_counter()
    for start in range(0, count, 1000):
        backend.index(docs[start : start + 1000])
        print(f"\rindexed {min(start + 1000, count)}/{count}", end="", flush=True)
    index_seconds = time.perf_counter() - started
    rate = count / index_seconds
    print(f"\nindexing: {count} documents in {index_seconds:.1f}s = {rate:.0f} docs/s")

    keys = [f"unit:{u}" for u in range(UNITS)]
    samples, totals = [], {}
    for _ in range(3):
        for text in QUERIES:
            sq = SearchQuery(tree=query.parse(text), keys=keys, page_size=20)
            t0 = time.perf_counter()
            result = backend.search(sq)
            samples.append((time.perf_counter() - t0) * 1000)
            totals[text] = result.total
    per_query = {text: statistics.median(samples[i :: len(QUERIES)]) for i, text in enumerate(QUERIES)}
    own_unit = []  # a typical person: the documents of one unit
    for text in QUERIES:
        t0 = time.perf_counter()
        backend.search(SearchQuery(tree=query.parse(text), keys=keys[:1], page_size=20))
        own_unit.append((time.perf_counter() - t0) * 1000)
    for text in QUERIES:
        print(f"  {text:<24} {totals[text]:>7} hits  {per_query[text]:7.1f} ms")
    like = like_baseline(os.path.join(workdir, "like.sqlite3"), docs, keys)
    fts_p50, fts_p95 = statistics.median(samples), percentile(samples, 95)
    like_p50, like_p95 = statistics.median(like), percentile(like, 95)
    print(f"FTS5 (jieba + bigrams, facets, highlights): p50 {fts_p50:.1f} ms, p95 {fts_p95:.1f} ms")
    print(f"  the same as a person of one unit:        p50 {statistics.median(own_unit):.1f} ms")
    print(f"LIKE scan (count + newest 20):             p50 {like_p50:.1f} ms, p95 {like_p95:.1f} ms")
    print(
        f"RESULT docs={count} index_docs_per_s={rate:.0f} query_p50_ms={fts_p50:.1f} query_p95_ms={fts_p95:.1f} "
        f"one_unit_p50_ms={statistics.median(own_unit):.1f} like_p50_ms={like_p50:.1f} like_p95_ms={like_p95:.1f} "
        f"speedup_p50={like_p50 / max(fts_p50, 1e-6):.1f}"
    )


if __name__ == "__main__":
    main()
