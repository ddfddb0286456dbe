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
    id: int  # of the entry's row: a Document, an IncomingDocument or an ArchiveItem (see ``entry``)
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
    snippet_from: str = ""  # "" for the body, else 附件《name》: the snippet is from that attachment's text
    entry: str = "doc"  # doc / in / arc (``search.entries``)
    key: str = ""  # doc:12, in:5, arc:3
    archive_code: str = ""
    box_label: str = ""  # filled by the service: 草稿 / 发文 / 收文 / 归档
    url: str = ""  # filled by the service: the page of the entry, and its preview
    preview_url: str = ""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict]]  # facet → [{value, label, count}], count descending
    page: int = 1
    page_size: int = 20
    # Set when only this many of the hits were compared by relevance (a very broad query); None: all were.
    ranked: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def entry_of(doc: dict) -> tuple[str, str]:
    """(entry kind, key) of an index document (documents built before 收文/档案 entries have neither)."""
    kind = doc.get("entry") or "doc"
    return kind, doc.get("key") or f"{kind}:{doc['id']}"


class Backend:
    """Index documents are the dicts built by ``search.indexing``; an entry is known by its key (doc:12)."""

    name = "base"

    def index(self, docs: list[dict]) -> None:
        raise NotImplementedError

    def delete(self, keys: list[str]) -> None:
        """Drop these entries (keys, or bare document ids)."""
        raise NotImplementedError

    def search(self, query: SearchQuery) -> SearchResult:
        raise NotImplementedError

    def fingerprints(self) -> dict[str, str]:
        """key → fingerprint of everything indexed (for the consistency check)."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def count(self) -> int:
        return len(self.fingerprints())

    def layout_outdated(self) -> bool:
        """True when the stored index was built with an older layout and must be filled again."""
        return False
