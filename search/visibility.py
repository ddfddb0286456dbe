"""Visibility keys: who may see an index entry, stored in the index and matched inside the query.

An entry carries the keys of everyone who may see it; a person's search is filtered by the keys they hold,
so hits, counts and facets only ever cover visible entries. The keys mirror the pages' permissions:

    发文/草稿 (doc:)   unit:<owner unit>       ``documents.read_document`` (documents/rules.py): its unit,
                       + person:<assignee>     and whoever may see its flow — everyone who has (had) a task
                                               in it, whatever the task's state (会签 by a co-issuing unit's
                                               leaders, 加签, 用印 by a co-issuer's seal keepers)
    收文 (in:)         unit:<receiving unit>   the 收文 flow (``can_view_flow``, documents/workflow/access.py):
                       + person:<assignee>     its unit and everyone with a task in it (加签 from another unit)
    归档 (arc:)        archive:<全宗 unit>     ``archive.view_archive``: that unit's 档案员 and leaders
                       + unit:<全宗 unit>      when it holds the unit's own 发文 or 收文, which the whole unit
                       + person:<assignee>     and the flow's people read anyway (the entry replaces the
                                               doc:/in: one)

A person holds ``unit:<their unit>``, ``person:<themselves>``, ``person:<p>`` for each person ``p`` they act
for today (代理: ``documents.workflow.engine.principals_of``, the very function ``can_view_flow`` asks) and
``archive:<unit>`` for each unit where they are 档案员 or leader (签发人), directly or as today's deputy.
Delegations are therefore read at query time: starting or ending one needs no reindexing. A task assigned,
finished or cancelled re-indexes its document or 收文 after commit (``search.receivers``).

``tests/search/test_permissions.py`` and ``tests/search/test_flow_readers.py`` check that what the search
finds is exactly what the rules let each person read.
"""


def _unit_keys(*unit_ids) -> list[str]:
    return sorted({f"unit:{int(u)}" for u in unit_ids if u})


def person_keys(person_ids) -> list[str]:
    return sorted({f"person:{int(p)}" for p in person_ids or () if p})


def flow_readers(field: str, ids) -> dict[int, set[int]]:
    """``field`` "document" or "incoming": for each of ``ids``, the people with a task in its flow (any state)."""
    from documents.workflow.models import FlowTask

    ids = [int(i) for i in ids if i]
    out: dict[int, set[int]] = {i: set() for i in ids}
    if not ids:
        return out
    rows = FlowTask.objects.filter(**{f"flow__{field}_id__in": ids}).values_list(f"flow__{field}_id", "assignee_id")
    for subject_id, assignee_id in rows:
        out[subject_id].add(assignee_id)
    return out


def _readers(field: str, pk, readers) -> set[int]:
    if readers is not None:
        return set(readers)
    return flow_readers(field, [pk]).get(int(pk), set()) if pk else set()


def document_keys(document, readers=None) -> list[str]:
    """``readers``: the flow's assignees when the caller loaded them in bulk (else they are read here)."""
    return sorted(_unit_keys(document.owner_unit_id) + person_keys(_readers("document", document.pk, readers)))


def incoming_keys(incoming, readers=None) -> list[str]:
    return sorted(_unit_keys(incoming.unit_id) + person_keys(_readers("incoming", incoming.pk, readers)))


def archive_keys(item, readers=None) -> list[str]:
    """``readers``: the assignees of the flow of the document or 收文 the item holds (used when it is own)."""
    keys = {f"archive:{int(item.unit_id)}"}
    if item_is_own(item):
        keys.update(_unit_keys(item.unit_id))
        field, pk = ("document", item.document_id) if item.document_id else ("incoming", item.incoming_id)
        keys.update(person_keys(_readers(field, pk, readers)))
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


def acting_for(user) -> set[int]:
    """People ``user`` acts for today: whose flows they see (the rule of ``can_view_flow``)."""
    from documents.workflow.engine import principals_of

    return principals_of(user)


def user_keys(user) -> list[str]:
    """The keys ``user`` holds; empty (sees nothing) for anonymous, inactive or unit-less accounts."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    if not getattr(user, "unit_id", None):
        return []
    return [
        f"unit:{user.unit_id}",
        *person_keys({user.pk, *acting_for(user)}),
        *(f"archive:{u}" for u in sorted(archive_unit_ids(user))),
    ]


def may_see(user, keys) -> bool:
    """The same test the index applies, for pages that show one entry (the search preview)."""
    return bool(set(user_keys(user)) & set(keys))
