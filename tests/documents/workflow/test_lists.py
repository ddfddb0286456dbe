"""The 发文 list by 状态 / 我的待办 / title, with counts and pages; the 收文 list by 状态 / 已超期 with its 办理时限."""

import datetime

import pytest
from django.urls import reverse

from documents.workflow import incoming, outgoing
from documents.workflow.models import IncomingDocument

pytestmark = pytest.mark.django_db


def _tabs(response) -> dict:
    return {t.key: t.count for t in response.context["tabs"]}


def _titles(response) -> set:
    return {d.title for d in response.context["page"].object_list}


@pytest.fixture
def drafts(make_draft, personas):
    drafting = make_draft(title="阳江市人民政府关于甲事项的通知")
    in_review = make_draft(title="阳江市人民政府关于乙事项的通知")
    outgoing.submit(personas.yj_staff, in_review)  # → 核稿 (收发员's todo)
    signing = make_draft(title="阳江市人民政府关于丙事项的通知")
    flow = outgoing.submit(personas.yj_staff, signing)
    outgoing.approve(personas.yj_clerk, flow)  # → 签发
    return drafting, in_review, signing


def test_outgoing_list_filters_by_status_with_counts(client, drafts, personas):
    client.force_login(personas.yj_staff)
    everything = client.get(reverse("documents:index"))
    assert everything.status_code == 200 and len(_titles(everything)) == 3
    counts = _tabs(everything)
    assert counts[""] == 3 and counts["drafting"] == 1 and counts["office_review"] == 1 and counts["signoff"] == 1
    assert counts["distributed"] == 0 and "todo" in counts
    review = client.get(reverse("documents:index"), {"status": "office_review"})
    assert _titles(review) == {drafts[1].title}
    assert _titles(client.get(reverse("documents:index"), {"status": "bogus"})) == _titles(everything)


def test_my_todo_and_title_search(client, drafts, personas):
    client.force_login(personas.yj_clerk)
    todo = client.get(reverse("documents:index"), {"status": "todo"})
    assert _titles(todo) == {drafts[1].title} and _tabs(todo)["todo"] == 1
    client.force_login(personas.yj_mayor)
    assert _titles(client.get(reverse("documents:index"), {"status": "todo"})) == {drafts[2].title}
    found = client.get(reverse("documents:index"), {"q": "乙事项"})
    assert _titles(found) == {drafts[1].title} and _tabs(found)[""] == 1
    assert _titles(client.get(reverse("documents:index"), {"mine": "1"})) == set()  # the mayor drafted nothing


def test_outgoing_list_pages(client, make_draft, personas):
    for n in range(23):
        make_draft(title=f"阳江市人民政府关于第{n}项工作的通知")
    client.force_login(personas.yj_staff)
    first = client.get(reverse("documents:index"))
    second = client.get(reverse("documents:index"), {"page": "2"})
    assert len(_titles(first)) == 20 and len(_titles(second)) == 3
    assert "第 1 / 2 页" in first.content.decode()
    assert not _titles(first) & _titles(second)


def test_co_issuers_todo_lists_the_other_units_draft(client, make_draft, personas, org_tree):
    from oa.org.models import LeaderKind, Role
    from tests.factories import PersonFactory, RoleAssignmentFactory

    leader = PersonFactory(username="jy_leader", name="揭阳市长", unit=org_tree.jy_gov)
    RoleAssignmentFactory(person=leader, unit=org_tree.jy_gov, role=Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL)
    document = make_draft(issuers=[org_tree.yj_gov, org_tree.jy_gov])
    flow = outgoing.submit(personas.yj_staff, document)
    outgoing.approve(personas.yj_clerk, flow)
    client.force_login(leader)
    todo = client.get(reverse("documents:index"), {"status": "todo"})
    assert _titles(todo) == {document.title}
    assert reverse("documents:flow", args=[flow.pk]) in todo.content.decode()
    assert _titles(client.get(reverse("documents:index"))) == set()  # the 全部 list stays the own unit's


def test_incoming_list_by_status_and_overdue(client, personas, org_tree):
    new = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="待签收的来文", sender_name="省政府")
    late = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="已超期的来文", sender_name="省政府")
    incoming.approve(personas.yj_clerk, late)
    incoming.approve(personas.yj_clerk, late)  # 登记: has a 办理时限
    IncomingDocument.objects.filter(pk=late.incoming_id).update(deadline=datetime.date(2020, 1, 6))
    client.force_login(personas.yj_staff)
    page = client.get(reverse("documents:incoming"))
    counts = _tabs(page)
    assert counts[""] == 2 and counts["receiving"] == 1 and counts["initial_review"] == 1 and counts["overdue"] == 1
    html = page.content.decode()
    assert "2020年1月6日" in html and html.count('class="flow-overdue"') == 1
    assert _titles(client.get(reverse("documents:incoming"), {"status": "receiving"})) == {new.incoming.title}
    assert _titles(client.get(reverse("documents:incoming"), {"status": "overdue"})) == {late.incoming.title}
    assert _titles(client.get(reverse("documents:incoming"), {"q": "超期"})) == {late.incoming.title}
    client.force_login(personas.yj_clerk)
    assert _titles(client.get(reverse("documents:incoming"), {"status": "todo"})) == {
        new.incoming.title,
        late.incoming.title,
    }
