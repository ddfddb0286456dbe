"""What every search backend offers, and the query/result objects they share."""

from dataclasses import dataclass, field
from datetime import date

FACETS = ("doc_type", "issuer", "year", "status", "box", "retention")
SORTS = ("relevance", "date_desc", "date_asc")


@dataclass
class SearchQuery:
    """A parsed search: ``tree`` from ``search.query.parse`` (None: filters only) plus filters.

    ``keys`` are the searching person's visibility keys (``search.visibility.user_keys``); an empty list
    finds nothing. Backends apply them inside the query, before counting and faceting."""

    tree: object = None
    keys: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    issuer_ids: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    boxes: list[str] = field(default_factory=list)
    retentions: list[str] = field(default_factory=list)
    doc_number: str = ""  # canonical 发文字号 (exact)
    year_from: int | None = None
    year_to: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: bool = True
    highlight: bool = True


@dataclass
class Hit:
    id: int
    title: str
    doc_number: str
    doc_type: str
    status: str
    box: str
    retention: str
    issuer_names: list[str]
    year: int
    date: str
    score: float = 0.0
    title_html: str = ""  # escaped, with <mark> around matches
    snippet_html: str = ""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict]]  # facet → [{value, label, count}], count descending
    page: int = 1
    page_size: int = 20

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class Backend:
    """Index documents are the dicts built by ``search.indexing.build``."""

    name = "base"

    def index(self, docs: list[dict]) -> None:
        raise NotImplementedError

    def delete(self, ids: list[int]) -> None:
        raise NotImplementedError

    def search(self, query: SearchQuery) -> SearchResult:
        raise NotImplementedError

    def fingerprints(self) -> dict[int, str]:
        """id → fingerprint of everything indexed (for the consistency check)."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def count(self) -> int:
        return len(self.fingerprints())
