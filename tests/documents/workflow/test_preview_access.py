"""联合行文: the co-issuing unit's leader, once in the flow (会签), may preview the draft through the pages and
the API — the same rule as seeing the flow. Anyone else outside the drafting unit gets a 404."""

import pytest
from django.urls import reverse

from documents.workflow import outgoing
from oa.org.models import LeaderKind, Role
from tests.factories import PersonFactory, RoleAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(make_draft, personas, org_tree):
    leader = PersonFactory(username="jy_leader", name="揭阳市长", unit=org_tree.jy_gov)
    RoleAssignmentFactory(person=leader, unit=org_tree.jy_gov, role=Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL)
    document = make_draft(issuers=[org_tree.yj_gov, org_tree.jy_gov])
    flow = outgoing.submit(personas.yj_staff, document)
    return document, flow, leader


def _urls(document):
    return [
        reverse("documents:preview", args=[document.pk]),
        reverse("documents:preview_pdf", args=[document.pk]),
        reverse("documents:preview_page", args=[document.pk, 1]),
        f"/api/documents/{document.pk}/",
        f"/api/documents/{document.pk}/preview.pdf/",
    ]


def test_co_issuer_previews_once_in_the_flow(client, joint, personas):
    document, flow, leader = joint
    client.force_login(leader)
    # not yet in the flow (still at 核稿): nothing to see
    assert [client.get(url).status_code for url in _urls(document)] == [404] * 5
    outgoing.approve(personas.yj_clerk, flow)  # → 会签 with the co-issuer
    responses = [client.get(url) for url in _urls(document)]
    assert [r.status_code for r in responses] == [200] * 5
    page, pdf, png, api, api_pdf = responses
    assert "办理页面" in page.content.decode() and "返回编辑" not in page.content.decode()
    assert pdf.content.startswith(b"%PDF") and api_pdf.content.startswith(b"%PDF")
    assert png["Content-Type"] == "image/png"
    assert api.json()["title"] == document.title
    # reading is not editing: the draft's own pages stay the drafting unit's
    assert client.get(reverse("documents:edit", args=[document.pk])).status_code == 404
    patch = client.patch(f"/api/documents/{document.pk}/", {"title": "改"}, content_type="application/json")
    assert patch.status_code == 404


def test_unrelated_unit_cannot_preview(client, joint, personas, org_tree):
    document, flow, _leader = joint
    outgoing.approve(personas.yj_clerk, flow)
    colleague_of_co_issuer = personas.jy_staff  # same unit as the co-issuer, but not in the flow
    stranger = PersonFactory(username="jc_someone", name="江城某人", unit=org_tree.jc_gov)
    for person in (colleague_of_co_issuer, stranger):
        client.force_login(person)
        assert [client.get(url).status_code for url in _urls(document)] == [404] * 5
        assert client.get(reverse("documents:flow", args=[flow.pk])).status_code == 404
