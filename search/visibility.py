"""Visibility keys: who may see an indexed document, stored in the index and matched inside the query.

A document carries the keys of everyone who may see it; a person's search is filtered by the keys they
hold, so hits, counts and facets only ever cover visible documents. The keys mirror
``documents.view_document`` (``documents/rules.py``): today a document is seen by its own unit
(``unit:<owner_unit_id>``). When exchange and archive add readers (recipient units, the archive's 全宗),
they add keys here on both sides — ``tests/search/test_permissions.py`` checks the two rules agree.
"""


def document_keys(document) -> list[str]:
    keys = [f"unit:{document.owner_unit_id}"]
    # Later flows (收文 in recipient units, 档案 with a 全宗) expose their readers as ``reader_unit_ids``.
    for unit_id in getattr(document, "search_reader_unit_ids", lambda: [])():
        keys.append(f"unit:{unit_id}")
    return sorted(set(keys))


def user_keys(user) -> list[str]:
    """The keys ``user`` holds; empty (sees nothing) for anonymous, inactive or unit-less accounts."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    if not getattr(user, "unit_id", None):
        return []
    return [f"unit:{user.unit_id}"]
