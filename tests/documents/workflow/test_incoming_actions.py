"""The actions of every step work in the 收文 flow too: 撤回 while unopened, 转办, 加签, 催办 — each keeping
tasks and todo items in step, each refused to anyone but the right person."""

import pytest
from django.urls import reverse

from documents.workflow import common, incoming
from documents.workflow.access import mark_opened
from documents.workflow.models import Flow, NoteKind
from oa.core.errors import PermissionDeniedError, ServiceError

from .conftest import assert_todos_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_instructing(personas, org_tree):
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文", sender_name="省政府")
    for _ in range(3):  # 签收, 登记, 初审
        incoming.approve(personas.yj_clerk, flow)
    incoming.approve(personas.yj_clerk, flow, leader=personas.yj_mayor)  # 拟办
    return Flow.objects.get(pk=flow.pk)


def test_withdraw_until_the_leader_opens_it(at_instructing, personas, open_actor_ids):
    with pytest.raises(PermissionDeniedError):
        common.withdraw(personas.yj_staff, at_instructing)
    common.withdraw(personas.yj_clerk, at_instructing)
    flow = Flow.objects.get(pk=at_instructing.pk)
    assert flow.state == "proposing" and flow.incoming.status == "proposing"
    assert open_actor_ids(flow) == [personas.yj_clerk.pk]
    assert_todos_match(flow)
    incoming.approve(personas.yj_clerk, flow, leader=personas.yj_mayor)
    mark_opened(personas.yj_mayor, flow)
    with pytest.raises(ServiceError, match="已经打开"):
        common.withdraw(personas.yj_clerk, flow)


def test_transfer_add_signer_and_urge_at_handling(at_instructing, personas, open_actor_ids):
    incoming.approve(personas.yj_mayor, at_instructing, opinion="请王科员办理", lead=personas.yj_staff)
    flow = Flow.objects.get(pk=at_instructing.pk)
    common.add_signer(personas.yj_staff, flow, personas.yj_admin)
    assert open_actor_ids(flow, "handling") == sorted([personas.yj_staff.pk, personas.yj_admin.pk])
    common.transfer(personas.yj_admin, flow, personas.yj_vice, reason="请郑副市长协调")
    assert open_actor_ids(flow, "handling") == sorted([personas.yj_staff.pk, personas.yj_vice.pk])
    assert_todos_match(flow)
    note = common.urge(personas.yj_mayor, flow, "本周内办结")
    assert note.kind == NoteKind.URGE
    with pytest.raises(PermissionDeniedError):
        common.urge(personas.jy_staff, flow)


def test_page_offers_and_performs_incoming_transfer(client, at_instructing, personas):
    incoming.approve(personas.yj_mayor, at_instructing, opinion="请王科员办理", lead=personas.yj_staff)
    client.force_login(personas.yj_staff)
    page = client.get(reverse("documents:flow", args=[at_instructing.pk])).content.decode()
    assert 'value="transfer"' in page and 'value="return_to_sender"' not in page
    client.post(
        reverse("documents:flow_action", args=[at_instructing.pk]), {"action": "transfer", "to": personas.yj_admin.pk}
    )
    flow = Flow.objects.get(pk=at_instructing.pk)
    assert [t.assignee_id for t in flow.tasks.filter(state="open")] == [personas.yj_admin.pk]
