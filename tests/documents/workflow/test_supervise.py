"""批办 → 督办: the leader's 批办 with 列入督办 raises a 督办 item (the 批办 opinion as the instruction, linked
back to the 收文) in the same transaction; unchecked raises none; a bad deadline refuses the whole 批办."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.workflow import incoming
from documents.workflow.models import Flow, FlowTask, IncomingDocument
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.supervision.models import Item, SourceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructing(personas, org_tree):
    flow = incoming.receive(
        personas.yj_clerk, unit=org_tree.yj_gov, title="关于加强安全生产检查的通知", sender_name="省政府"
    )
    incoming.approve(personas.yj_clerk, flow)  # 签收
    incoming.approve(personas.yj_clerk, flow)  # 登记
    incoming.approve(personas.yj_clerk, flow)  # 初审
    incoming.approve(personas.yj_clerk, flow, leader=personas.yj_mayor)  # 拟办
    flow = Flow.objects.get(pk=flow.pk)
    assert flow.state == "instructing"
    return flow


def test_instruction_becomes_supervision_item_linked_back(client, instructing, personas, org_tree):
    deadline = IncomingDocument.objects.get(pk=instructing.incoming_id).deadline
    incoming.approve(
        personas.yj_mayor,
        instructing,
        opinion="请江城区牵头，市教育局配合，月底前完成全面检查",
        lead=personas.yj_staff,
        supervise={"lead_unit": org_tree.jc_gov, "cooperating_units": [org_tree.yj_edu], "deadline": None},
    )
    item = Item.objects.get()
    assert item.instruction == "请江城区牵头，市教育局配合，月底前完成全面检查"
    assert item.source_kind == SourceKind.INSTRUCTION and item.leader == personas.yj_mayor
    assert item.source_ref == f"documents.incoming:{instructing.incoming_id}"
    assert item.source_url == reverse("documents:flow", args=[instructing.pk])
    assert item.lead_unit == org_tree.jc_gov and item.deadline >= deadline
    assert set(item.units.values_list("pk", flat=True)) == {org_tree.jc_gov.pk, org_tree.yj_edu.pk}
    assert Flow.objects.get(pk=instructing.pk).state == "handling"

    client.force_login(personas.yj_mayor)
    page = client.get(reverse("documents:flow", args=[instructing.pk])).content.decode()
    assert "已列入督办" in page and reverse("supervision:item", args=[item.pk]) in page
    api = client.get(f"/api/flows/{instructing.pk}/").json()
    assert [i["id"] for i in api["supervision_items"]] == [item.pk]


def test_unchecked_raises_nothing(instructing, personas):
    incoming.approve(personas.yj_mayor, instructing, opinion="请王科员办理", lead=personas.yj_staff)
    assert not Item.objects.exists()
    assert Flow.objects.get(pk=instructing.pk).state == "handling"


@pytest.mark.parametrize(
    ("opinion", "deadline", "message"),
    [
        ("请抓紧办理", datetime.date(2020, 1, 6), "不能早于今天"),
        ("", None, "批办意见"),
    ],
)
def test_refusal_leaves_nothing_half_written(instructing, personas, org_tree, opinion, deadline, message):
    with pytest.raises(ServiceError, match=message):
        incoming.approve(
            personas.yj_mayor,
            instructing,
            opinion=opinion,
            lead=personas.yj_staff,
            supervise={"lead_unit": org_tree.yj_gov, "deadline": deadline},
        )
    flow = Flow.objects.get(pk=instructing.pk)
    assert flow.state == "instructing" and not Item.objects.exists()
    task = FlowTask.objects.get(flow=flow, step="instructing")
    assert task.state == "open" and task.decided_at is None


def test_only_at_instructing_and_only_for_a_leader(instructing, personas, org_tree):
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="另一来文", sender_name="省政府")
    with pytest.raises(PermissionDeniedError):  # the 收发员 is neither leader nor 督查员
        incoming.approve(personas.yj_clerk, flow, supervise={"lead_unit": org_tree.yj_gov})
    assert not Item.objects.exists()


def test_page_form_raises_the_item(client, instructing, personas, org_tree):
    client.force_login(personas.yj_mayor)
    page = client.get(reverse("documents:flow", args=[instructing.pk])).content.decode()
    assert "列入督办" in page and 'name="supervise_deadline"' in page
    later = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("documents:flow_action", args=[instructing.pk]),
        {
            "action": "approve",
            "opinion": "列入督办，本月内落实",
            "lead": personas.yj_staff.pk,
            "supervise": "1",
            "lead_unit": org_tree.yj_gov.pk,
            "cooperating_units": [org_tree.jc_gov.pk],
            "supervise_deadline": later.isoformat(),
        },
    )
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.instruction == "列入督办，本月内落实" and item.deadline >= later
    assert item.lead_unit == org_tree.yj_gov


def test_api_bad_deadline_is_a_400(client, instructing, personas):
    client.force_login(personas.yj_mayor)
    response = client.post(
        f"/api/flows/{instructing.pk}/act/",
        {"action": "approve", "opinion": "督办", "lead": personas.yj_staff.pk, "supervise": True, "deadline": "明天"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "时限" in response.json()["detail"]
    assert Flow.objects.get(pk=instructing.pk).state == "instructing" and not Item.objects.exists()
