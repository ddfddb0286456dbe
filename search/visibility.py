"""Visibility keys: who may see an index entry, stored in the index and matched inside the query.

An entry carries the keys of everyone who may see it; a person's search is filtered by the keys they hold,
so hits, counts and facets only ever cover visible entries. The keys mirror the pages' permissions:

    发文/草稿 (doc:)   unit:<owner unit>       ``documents.view_document`` (documents/rules.py)
    收文 (in:)         unit:<receiving unit>   the 收文 flow's unit (documents/workflow/access.py)
    归档 (arc:)        archive:<全宗 unit>     ``archive.view_archive``: that unit's 档案员 and leaders
                       + unit:<全宗 unit>      when it holds the unit's own 发文 or 收文, which the whole unit
                                               reads anyway (the entry replaces the doc:/in: one)

A person holds ``unit:<their unit>`` and ``archive:<unit>`` for each unit where they are 档案员 or leader
(签发人), directly or as today's deputy.

``tests/search/test_permissions.py`` checks the search rule agrees with the pages' rules. People who see a
flow only through a task of theirs in another unit (会签, delegation) find it through their 待办, not search.
"""


def _unit_keys(*unit_ids) -> list[str]:
    return sorted({f"unit:{int(u)}" for u in unit_ids if u})


def document_keys(document) -> list[str]:
    return _unit_keys(document.owner_unit_id)


def incoming_keys(incoming) -> list[str]:
    return _unit_keys(incoming.unit_id)


def archive_keys(item) -> list[str]:
    keys = {f"archive:{int(item.unit_id)}"}
    if item_is_own(item):
        keys.update(_unit_keys(item.unit_id))
    return sorted(keys)


def item_is_own(item) -> bool:
    """The archive item holds a 发文 or 收文 of its own unit (not one it co-issued)."""
    if item.document_id:
        return item.document.owner_unit_id == item.unit_id
    if item.incoming_id:
        return item.incoming.unit_id == item.unit_id
    return False


def archive_unit_ids(user) -> set[int]:
    """Units whose archive ``user`` reads (the rule of ``archive.view_archive``)."""
    from oa import permissions as perms
    from oa.org.models import Role

    roles = perms.roles_of(user) | perms.acting_roles_of(user)
    return {unit for role, unit in roles if role in (Role.ARCHIVIST, Role.SIGNER)}


def user_keys(user) -> list[str]:
    """The keys ``user`` holds; empty (sees nothing) for anonymous, inactive or unit-less accounts."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    if not getattr(user, "unit_id", None):
        return []
    return [f"unit:{user.unit_id}", *(f"archive:{u}" for u in sorted(archive_unit_ids(user)))]


def may_see(user, keys) -> bool:
    """The same test the index applies, for pages that show one entry (the search preview)."""
    return bool(set(user_keys(user)) & set(keys))
