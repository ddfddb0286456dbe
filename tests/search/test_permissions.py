"""Two people of different units, the same query: different hits, counts and facets."""

import datetime

import pytest

from documents import services as documents
from documents.selectors import visible_documents
from oa.core.errors import PermissionDeniedError
from search import services
from tests.factories import PersonFactory


def draft(actor, title, text):
    return documents.create_draft(
        actor,
        {
            "doc_type": "通知",
            "title": title,
            "body": [{"kind": "paragraph", "text": text}],
            "written_date": datetime.date(2024, 4, 1),
        },
    )


@pytest.fixture
def indexed(embedded, personas):
    docs = [
        draft(personas.yj_staff, "阳江市关于数字政府建设的通知", "推进数字政府建设。"),
        draft(personas.yj_staff, "阳江市关于数字政府安全的通知", "数字政府网络安全。"),
        draft(personas.jy_staff, "揭阳市关于数字政府建设的通知", "揭阳推进数字政府。"),
    ]
    services.reindex_all()
    return docs


def test_same_query_two_units_different_hits_and_counts(indexed, personas):
    yj = services.search(personas.yj_staff, {"q": "数字政府"})
    jy = services.search(personas.jy_staff, {"q": "数字政府"})
    assert {h.id for h in yj.hits} == {indexed[0].pk, indexed[1].pk} and yj.total == 2
    assert {h.id for h in jy.hits} == {indexed[2].pk} and jy.total == 1
    assert [(f["label"], f["count"]) for f in yj.facets["issuer"]] == [("阳江市人民政府", 2)]
    assert [(f["label"], f["count"]) for f in jy.facets["issuer"]] == [("揭阳市人民政府", 1)]
    # Filtering by the other unit as issuer reveals nothing either.
    other = services.search(personas.yj_staff, {"q": "数字政府", "issuer": str(personas.jy_staff.unit_id)})
    assert other.total == 0 and other.facets == {}


def test_search_agrees_with_the_documents_visibility_rule(indexed, personas):
    for person in (personas.yj_staff, personas.jy_staff, personas.jc_admin, personas.yj_mayor):
        hits = {h.id for h in services.search(person, {"page_size": 100}).hits}
        assert hits == set(visible_documents(person).values_list("pk", flat=True))


def test_people_without_a_unit_cannot_search(indexed):
    loner = PersonFactory(unit=None)
    with pytest.raises(PermissionDeniedError):
        services.search(loner, {"q": "数字政府"})


def _page_visible(person) -> set[tuple[str, int]]:
    """What the pages let ``person`` open: documents (documents.read_document), 收文 (their flow,
    documents/workflow/access.py) and archive items (archive.view_archive). An archive item of the unit's own
    document or 收文 stands for that document (the search lists it once, as the archive's entry)."""
    from documents.archive.models import ArchiveItem
    from documents.models import Document
    from documents.workflow.access import can_view_flow
    from documents.workflow.models import IncomingDocument
    from oa import permissions as perms

    seen = {("doc", d.pk) for d in Document.objects.all() if perms.can(person, "documents.read_document", d)}
    seen |= {("in", i.pk) for i in IncomingDocument.objects.select_related("flow") if can_view_flow(person, i.flow)}
    for item in ArchiveItem.objects.select_related("document", "incoming"):
        if perms.can(person, "archive.view_archive", item):
            seen.add(_standing_for(item))
    return seen


def _standing_for(item) -> tuple[str, int]:
    from search.visibility import item_is_own

    if item_is_own(item):
        return ("doc", item.document_id) if item.document_id else ("in", item.incoming_id)
    return ("arc", item.pk)


def _search_visible(person) -> set[tuple[str, int]]:
    from documents.archive.models import ArchiveItem

    found = set()
    for hit in services.search(person, {"page_size": 100}).hits:
        found.add(_standing_for(ArchiveItem.objects.get(pk=hit.id)) if hit.entry == "arc" else (hit.entry, hit.id))
    return found


def test_search_agrees_with_the_pages_for_received_and_archived_documents(embedded, personas, org_tree):
    from oa.org.models import LeaderKind, Role
    from tests.factories import RoleAssignmentFactory

    from .archive_helpers import archive_item, archivist_of, clerk_of, receive, sent_document

    sent = sent_document(personas.yj_staff, "阳江市关于数字政府建设的通知", "推进数字政府建设。")
    other = sent_document(personas.yj_staff, "阳江市关于营商环境的通知", "优化营商环境。")
    joint = sent_document(personas.yj_staff, "关于联合开展校园安全检查的通知", "校园安全。")
    received = receive(org_tree.jc_gov, sent.title, source=sent)
    paper = receive(org_tree.jc_gov, "关于报送防汛物资的函", sender="江城区应急管理局")
    yj_archivist = archivist_of(org_tree.yj_gov, "yj_arch")
    jc_archivist = archivist_of(org_tree.jc_gov, "jc_arch")
    edu_archivist = archivist_of(org_tree.yj_edu, "edu_arch")
    edu_leader = PersonFactory(username="edu_leader", name="教育局局长", unit=org_tree.yj_edu)
    RoleAssignmentFactory(person=edu_leader, unit=org_tree.yj_edu, role=Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL)
    edu_leader.refresh_from_db()
    archive_item(yj_archivist, document=sent)
    archive_item(jc_archivist, incoming=received, retention="D30")
    archive_item(edu_archivist, document=joint, retention="D10")  # filed by a co-issuer: another unit's document
    services.reindex_all()

    people = [
        personas.yj_staff,
        personas.yj_mayor,
        personas.jy_staff,
        personas.jc_admin,
        yj_archivist,
        jc_archivist,
        edu_archivist,
        edu_leader,
        clerk_of(org_tree.jc_gov),
        PersonFactory(username="edu_staff", name="教育局科员", unit=org_tree.yj_edu),
    ]
    for person in people:
        assert _search_visible(person) == _page_visible(person), person.username
    # The scenario covers each kind for somebody (the comparison above is not between two empty sets).
    assert _search_visible(jc_archivist) == {("in", received.pk), ("in", paper.pk)}
    assert _search_visible(edu_leader) == {("arc", joint.archive_items.get().pk)}
    assert {("doc", sent.pk), ("doc", other.pk), ("doc", joint.pk)} == _search_visible(personas.yj_staff)
