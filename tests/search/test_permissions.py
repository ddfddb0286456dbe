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
