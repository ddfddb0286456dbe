"""Pages and API: outsiders see nothing (404) and cannot act (403 / 404); handwriting is bound to the exact
content; the processing sheet carries every opinion and the handwriting."""

import base64
import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from documents.workflow import incoming, outgoing
from documents.workflow.models import FlowTask

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 20), "white").save(out, "PNG")
    return out.getvalue()


STROKES = [[[1, 2, 0.4, 0], [10, 12, 0.7, 16], [20, 5, 0.9, 32]]]


@pytest.fixture
def flow(make_draft, personas):
    flow = outgoing.submit(personas.yj_staff, make_draft())
    outgoing.approve(personas.yj_clerk, flow)
    flow.refresh_from_db()
    return flow


def test_outsider_cannot_read_or_act_through_pages(client, flow, personas):
    client.force_login(personas.jy_staff)
    for name in ("documents:flow", "documents:flow_sheet", "documents:sign"):
        assert client.get(reverse(name, args=[flow.pk])).status_code == 404
    assert client.post(reverse("documents:flow_action", args=[flow.pk]), {"action": "approve"}).status_code == 404
    flow.refresh_from_db()
    assert flow.state == "signoff"


def test_colleague_not_in_turn_gets_403_page(client, flow, personas):
    client.force_login(personas.yj_staff)
    assert client.get(reverse("documents:flow", args=[flow.pk])).status_code == 200
    response = client.post(reverse("documents:flow_action", args=[flow.pk]), {"action": "approve"})
    assert response.status_code == 403 and "不是当前环节的办理人" in response.content.decode()


def test_api_outsider_404_and_not_in_turn_403(client, flow, personas):
    url = f"/api/flows/{flow.pk}/"
    client.force_login(personas.jy_staff)
    assert client.get(url).status_code == 404
    assert client.post(url + "act/", {"action": "approve"}, content_type="application/json").status_code == 404
    client.force_login(personas.yj_staff)
    response = client.post(url + "act/", {"action": "approve"}, content_type="application/json")
    assert response.status_code == 403 and "办理人" in response.json()["detail"]
    assert client.post(url + "act/", {"action": "bogus"}, content_type="application/json").status_code in (400, 403)


def test_api_signoff_with_handwriting_bound_to_the_version(client, flow, personas):
    client.force_login(personas.yj_mayor)
    data = client.get(f"/api/flows/{flow.pk}/").json()
    assert data["my_turn"] and data["state"] == "signoff"
    payload = {
        "action": "approve",
        "opinion": "同意",
        "strokes": STROKES,
        "png": base64.b64encode(_png()).decode(),
        "seen_sha256": "0" * 64,
    }
    stale = client.post(f"/api/flows/{flow.pk}/act/", payload, content_type="application/json")
    assert stale.status_code == 400 and "当前版本" in stale.json()["detail"]
    payload["seen_sha256"] = data["content_sha256"]
    ok = client.post(f"/api/flows/{flow.pk}/act/", payload, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "numbering"
    task = FlowTask.objects.get(flow=flow, step="signoff", decision="approve")
    assert task.content_sha256 == data["content_sha256"] and bytes(task.handwriting_png).startswith(b"\x89PNG")
    assert task.handwriting_strokes[0][1][:3] == [10.0, 12.0, 0.7]


def test_tablet_page_posts_handwriting_and_sheet_contains_it(client, flow, personas):
    client.force_login(personas.yj_mayor)
    assert client.get(reverse("documents:sign_queue")).status_code == 302
    page = client.get(reverse("documents:sign", args=[flow.pk]))
    assert page.status_code == 200 and b"sign-pad" in page.content
    sha = outgoing.current_sha256(flow.document)
    png = "data:image/png;base64," + base64.b64encode(_png()).decode()
    response = client.post(
        reverse("documents:flow_action", args=[flow.pk]),
        {
            "action": "approve",
            "opinion": "同意印发",
            "seen_sha256": sha,
            "strokes": json.dumps(STROKES),
            "png": png,
            "next": "sign",
        },
    )
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.state == "numbering"
    sheet = client.get(reverse("documents:flow_sheet", args=[flow.pk]))
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert b"/Subtype /Image" in sheet.content or b"/Image" in sheet.content


def test_incoming_sheet_and_overdue_page(client, personas, org_tree):
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文一", sender_name="省政府")
    incoming.approve(personas.yj_clerk, flow, opinion="签收")
    client.force_login(personas.yj_clerk)
    assert client.get(reverse("documents:flow_sheet", args=[flow.pk])).content.startswith(b"%PDF")
    assert client.get(reverse("documents:overdue")).status_code == 200
    client.force_login(personas.jy_staff)
    assert client.get(reverse("documents:flow", args=[flow.pk])).status_code == 404


def test_submit_from_drafting_page(client, make_draft, personas):
    document = make_draft()
    client.force_login(personas.yj_staff)
    assert "提交核稿" in client.get(reverse("documents:edit", args=[document.pk])).content.decode()
    response = client.post(reverse("documents:submit", args=[document.pk]), {"opinion": "请审核"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "office_review"


def test_incoming_register_page_for_clerk_only(client, personas):
    client.force_login(personas.yj_staff)
    page = client.get(reverse("documents:incoming"))
    assert page.status_code == 200 and "收文登记" not in page.content.decode()
    assert client.post(reverse("documents:incoming"), {"title": "x", "sender_name": "y"}).status_code == 403
    client.force_login(personas.yj_clerk)
    response = client.post(
        reverse("documents:incoming"), {"title": "关于检查的通知", "sender_name": "省政府", "urgency": "加急"}
    )
    assert response.status_code == 302
    listing = client.get(reverse("documents:incoming")).content.decode()
    assert "关于检查的通知" in listing and "签收" in listing


def test_important_checkbox_needs_the_principal_to_sign(client, make_draft, personas):
    from documents.workflow.models import Flow

    document = make_draft()
    client.force_login(personas.yj_staff)
    assert "重要公文" in client.get(reverse("documents:edit", args=[document.pk])).content.decode()
    client.post(reverse("documents:submit", args=[document.pk]), {"opinion": "请审核", "important": "1"})
    flow = Flow.objects.get(document=document)
    assert flow.important
    outgoing.approve(personas.yj_clerk, flow)
    signers = set(flow.tasks.filter(step="signoff", state="open").values_list("assignee_id", flat=True))
    assert signers == {personas.yj_mayor.pk}  # the 分管 vice mayor may not sign an important document
