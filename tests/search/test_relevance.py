"""The relevance set (tests/search/corpus.py): precision@5 and MRR over the queries, on every backend."""

from search import query
from search.backends.base import SearchQuery

from .corpus import QUERIES
from .helpers import corpus_docs

# backend → (precision@5, MRR) it must reach. The embedded backend measures 1.000 / 1.000 on this set: its bar
# leaves room for one imperfect query of the 31. Elasticsearch (smartcn + bigrams) cannot be measured here (no
# cluster), so its bar stays at the level first set; raise it once the contract suite has run on a cluster.
BARS = {"embedded": (0.97, 0.97), "elasticsearch": (0.85, 0.9)}


def evaluate(backend):
    docs, ids = corpus_docs()
    backend.index(docs)
    names = {v: k for k, v in ids.items()}
    precisions, reciprocal_ranks, failures = [], [], []
    for q, relevant, _note in QUERIES:
        result = backend.search(SearchQuery(tree=query.parse(q), keys=["unit:1"], page_size=10, facets=False))
        ranked = [names[h.id] for h in result.hits]
        top5 = ranked[:5]
        precision = len(set(top5) & relevant) / min(5, len(relevant))
        rank = next((i for i, key in enumerate(ranked, start=1) if key in relevant), None)
        precisions.append(precision)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        if precision < 1 or rank != 1:
            failures.append(f"{q}: top5={top5} expected={sorted(relevant)}")
    return sum(precisions) / len(precisions), sum(reciprocal_ranks) / len(reciprocal_ranks), failures


def test_relevance_set_is_big_enough():
    from .corpus import DOCS

    assert len(DOCS) >= 50 and len(QUERIES) >= 20


def test_precision_and_mrr(any_backend):
    p5, mrr, failures = evaluate(any_backend)
    print(f"\n[{any_backend.name}] precision@5={p5:.3f} MRR={mrr:.3f} over {len(QUERIES)} queries")
    for line in failures:
        print("  imperfect:", line)
    min_p5, min_mrr = BARS[any_backend.name]
    print(f"  bar: precision@5 >= {min_p5} and MRR >= {min_mrr}")
    assert p5 >= min_p5, failures
    assert mrr >= min_mrr, failures
