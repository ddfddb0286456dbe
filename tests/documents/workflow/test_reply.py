"""答复: a received document is answered by a draft that links back to it; the 收文 page lists its replies."""

import pytest
from django.urls import reverse

from documents.models import Document
from documents.workflow import incoming
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(personas, org_tree):
    flow = incoming.receive(
        personas.yj_clerk,
        unit=org_tree.yj_gov,
        title="关于报送防汛工作情况的通知",
        sender_name="广东省人民政府",
        sender_unit=org_tree.gd_gov,
        source_number="粤府〔2025〕12号",
    )
    incoming.approve(personas.yj_clerk, flow)  # 签收
    flow.refresh_from_db()
    return flow


def test_reply_button_creates_linked_draft_and_pages_link_both_ways(client, received, personas, org_tree):
    client.force_login(personas.yj_staff)
    page = client.get(reverse("documents:flow", args=[received.pk])).content.decode()
    assert reverse("documents:flow_reply", args=[received.pk]) in page
    response = client.post(reverse("documents:flow_reply", args=[received.pk]), {"title": "", "doc_type": "报告"})
    document = Document.objects.get(reply_to=received.incoming)
    assert response.status_code == 302 and response["Location"] == reverse("documents:edit", args=[document.pk])
    assert document.drafter == personas.yj_staff and document.doc_type == "报告"
    assert document.title == "关于《关于报送防汛工作情况的通知》的复函"
    assert [u.pk for u in document.addressee_units("main")] == [org_tree.gd_gov.pk]
    assert AuditEvent.objects.filter(action="documents.flow.reply").exists()

    editor = client.get(reverse("documents:edit", args=[document.pk])).content.decode()
    assert "答复来文：" in editor and "粤府〔2025〕12号" in editor
    assert reverse("documents:flow", args=[received.pk]) in editor

    flow_page = client.get(reverse("documents:flow", args=[received.pk])).content.decode()
    assert 'id="flow-replies"' in flow_page and reverse("documents:edit", args=[document.pk]) in flow_page

    api = client.get(f"/api/documents/{document.pk}/").json()
    assert api["reply_to"] == received.incoming_id


def test_custom_title_is_kept(client, received, personas):
    client.force_login(personas.yj_staff)
    client.post(reverse("documents:flow_reply", args=[received.pk]), {"title": "阳江市防汛工作情况的报告"})
    assert Document.objects.get(reply_to=received.incoming).title == "阳江市防汛工作情况的报告"


def test_outsiders_cannot_reply_and_see_no_button(client, received, personas):
    client.force_login(personas.jy_staff)
    assert client.post(reverse("documents:flow_reply", args=[received.pk])).status_code == 404
    with pytest.raises(PermissionDeniedError):
        incoming.start_reply(personas.jy_staff, received, {"title": "越权答复"})
    assert not Document.objects.filter(reply_to=received.incoming).exists()


def test_no_reply_before_signing_for_it(personas, org_tree):
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="未签收来文", sender_name="省政府")
    assert not incoming.can_reply(personas.yj_staff, flow)
    with pytest.raises(ServiceError, match="签收"):
        incoming.start_reply(personas.yj_staff, flow, {"title": "答复"})
