"""People outside a document's unit who read it through its flow find it by search — exactly them.

The truth is the permission rule: ``documents.read_document`` for a 发文 (its unit, and whoever may see its flow:
会签 by a co-issuing unit's leaders or another unit's people, deputies acting for them), ``can_view_flow`` for a
收文 (its unit, and people of another unit asked to help at 承办), ``archive.view_archive`` for an archive item.
For several people in one realistic scenario, "may read by the rule" must equal "found by search" — entry by
entry, and so must the counts and facets. The scenario is built through the services with the on-commit
callbacks run, so the index is the live one (kept up by the receivers), not a fresh rebuild.
"""

import datetime
from collections import Counter
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents import services as documents
from documents.models import Document
from documents.workflow import common, engine, incoming, outgoing
from documents.workflow.access import can_view_flow
from documents.workflow.models import Flow, IncomingDocument, TaskState
from oa import permissions as perms
from oa.org.models import LeaderKind, Role
from search import entries, indexing, services
from search.visibility import item_is_own
from tests.factories import DelegationFactory, PersonFactory, RoleAssignmentFactory

from .archive_helpers import archive_item, archivist_of


def person(username, name, unit, role=None, **role_kwargs):
    p = PersonFactory(username=username, name=name, unit=unit)
    if role:
        RoleAssignmentFactory(person=p, unit=unit, role=role, **role_kwargs)
    p.refresh_from_db()
    return p


def draft(actor, title, text, **extra):
    return documents.create_draft(
        actor,
        {
            "doc_type": "通知",
            "title": title,
            "body": [{"kind": "paragraph", "text": text}],
            "written_date": datetime.date(2024, 6, 3),
            **extra,
        },
    )


@pytest.fixture
def world(embedded, personas, org_tree, django_capture_on_commit_callbacks):
    """阳江 and 揭阳 issue a 通知 jointly (会签 by 揭阳's leaders and by the 市教育局 head); 阳江 handles a 收文
    with the help of a 江城区 colleague (加签 at 承办) and files it; each unit has a draft of its own."""
    w = SimpleNamespace(**vars(personas))
    w.jy_leader = person("jy_leader", "揭阳市长", org_tree.jy_gov, Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL)
    w.jy_vice = person("jy_vice", "揭阳副市长", org_tree.jy_gov, Role.SIGNER, leader_kind=LeaderKind.DEPUTY)
    w.jy_secretary = person("jy_secretary", "揭阳秘书", org_tree.jy_gov)
    w.edu_head = person("edu_head", "教育局局长", org_tree.yj_edu)
    w.edu_staff = person("edu_staff", "教育局科员", org_tree.yj_edu)
    w.jc_helper = person("jc_helper", "江城协办", org_tree.jc_gov)
    w.yj_archivist = archivist_of(org_tree.yj_gov, "yj_arch")
    with django_capture_on_commit_callbacks(execute=True):
        w.joint = draft(
            w.yj_staff,
            "阳江市人民政府 揭阳市人民政府关于联合开展校园安全检查的通知",
            "两市联合开展校园安全大检查，重点排查消防和食品安全隐患。",
            issuers=[org_tree.yj_gov, org_tree.jy_gov],
            main_units=[org_tree.jc_gov],
        )
        w.joint_flow = outgoing.submit(w.yj_staff, w.joint)
    with django_capture_on_commit_callbacks(execute=True):
        # 核稿 → 会签: the co-issuer's leaders (one seat, any of them) and the 市教育局 head
        outgoing.approve(w.yj_clerk, w.joint_flow, countersigners=[w.edu_head])
    with django_capture_on_commit_callbacks(execute=True):
        outgoing.approve(w.jy_leader, w.joint_flow, opinion="同意联合印发")  # jy_vice's seat task is cancelled
        outgoing.approve(w.edu_head, w.joint_flow, opinion="同意")
    with django_capture_on_commit_callbacks(execute=True):
        w.yj_draft = draft(w.yj_staff, "阳江市关于校园安全工作经费的请示", "申请校园安全专项经费。")
        w.jy_draft = draft(w.jy_staff, "揭阳市关于校园安全培训的通知", "组织校园安全培训。")
    with django_capture_on_commit_callbacks(execute=True):
        flow = incoming.receive(
            w.yj_clerk, unit=org_tree.yj_gov, title="关于协查校园周边安全隐患的函", sender_name="江城区人民政府"
        )
        for _ in range(3):  # 签收, 登记, 初审
            incoming.approve(w.yj_clerk, flow)
        incoming.approve(w.yj_clerk, flow, leader=w.yj_mayor)  # 拟办
        incoming.approve(w.yj_mayor, flow, opinion="请王科员办理", lead=w.yj_staff)  # 批办
        common.add_signer(w.yj_staff, Flow.objects.get(pk=flow.pk), w.jc_helper)  # 承办 with 江城区's help
        w.received = IncomingDocument.objects.get(pk=flow.incoming_id)
    with django_capture_on_commit_callbacks(execute=True):
        w.other_received = incoming.receive(
            w.yj_clerk, unit=org_tree.yj_gov, title="关于报送校园安全台账的通知", sender_name="广东省教育厅"
        ).incoming
        w.filed = archive_item(w.yj_archivist, incoming=w.other_received, retention="D30")
    return w


def rule_readable(user, key: str) -> bool:
    """May ``user`` read what the entry ``key`` stands for, by the permission rules alone?"""
    kind, pk = entries.parse(key)
    if kind == entries.DOC:
        return perms.can(user, "documents.read_document", Document.objects.get(pk=pk))
    if kind == entries.INCOMING:
        return can_view_flow(user, IncomingDocument.objects.get(pk=pk).flow)
    item = entries.archive_model().objects.select_related("document", "incoming").get(pk=pk)
    if perms.can(user, "archive.view_archive", item):
        return True
    if not item_is_own(item):
        return False
    if item.document_id:  # the unit's own document or 收文: whoever reads that reads its entry
        return perms.can(user, "documents.read_document", item.document)
    return can_view_flow(user, item.incoming.flow)


def all_entries() -> list[dict]:
    return [doc for _, docs in indexing.all_entries(extract=False) for doc in docs]


def assert_search_is_the_rule(people):
    docs = all_entries()
    for p in people:
        expected = {d["key"] for d in docs if rule_readable(p, d["key"])}
        result = services.search(p, {"page_size": 100})
        assert {h.key for h in result.hits} == expected, p.username
        assert result.total == len(expected), p.username
        # counts and facets are those of the visible entries only
        visible = [d for d in docs if d["key"] in expected]
        for facet, field in (("box", "box"), ("doc_type", "doc_type"), ("status", "status")):
            counts = {f["value"]: f["count"] for f in result.facets.get(facet, [])}
            assert counts == dict(Counter(d[field] for d in visible if d[field])), (p.username, facet)
        issuers = {f["value"]: f["count"] for f in result.facets.get("issuer", [])}
        assert issuers == dict(Counter(str(i) for d in visible for i in d["issuer_ids"])), p.username


def people_of(w):
    return [
        w.yj_staff,
        w.yj_clerk,
        w.yj_mayor,
        w.yj_archivist,
        w.jy_leader,
        w.jy_vice,
        w.jy_secretary,
        w.jy_staff,
        w.edu_head,
        w.edu_staff,
        w.jc_helper,
        w.jc_admin,
    ]


def test_found_by_search_is_exactly_what_the_rule_lets_each_person_read(world):
    w = world
    assert services.check_index().ok  # the live index, kept up after each commit, is the database's
    assert_search_is_the_rule(people_of(w))
    # The comparison is not between empty sets: each way of reading is someone's.
    found = {p.username: {h.key for h in services.search(p, {"q": "校园安全"}).hits} for p in people_of(w)}
    joint, received = f"doc:{w.joint.pk}", f"in:{w.received.pk}"
    assert found["jy_leader"] == {joint, f"doc:{w.jy_draft.pk}"}  # 会签 as the co-issuer's leader
    assert found["jy_vice"] == found["jy_leader"]  # had the seat too, until the leader took it
    assert found["edu_head"] == {joint}  # 会签 by a person of another unit
    assert found["jc_helper"] == {received}  # 加签 at 承办 from another unit
    assert found["jy_staff"] == {f"doc:{w.jy_draft.pk}"}  # colleague of the co-issuer, never in the flow
    assert found["edu_staff"] == set() and found["jc_admin"] == set()
    assert found["jy_secretary"] == {f"doc:{w.jy_draft.pk}"}  # not (yet) acting for anyone


def test_a_deputy_finds_what_their_principal_reads_while_the_delegation_lasts(
    world, django_capture_on_commit_callbacks
):
    w = world
    joint = f"doc:{w.joint.pk}"
    delegation = DelegationFactory(principal=w.jy_leader, deputy=w.jy_secretary, role=Role.SIGNER)
    perms.forget_roles(w.jy_secretary)
    # Delegations are read at query time: nothing had to be re-indexed.
    assert joint in {h.key for h in services.search(w.jy_secretary, {"q": "校园安全"}).hits}
    assert_search_is_the_rule([w.jy_secretary, w.jy_leader])
    delegation.revoked_at = timezone.now()
    delegation.save()
    perms.forget_roles(w.jy_secretary)
    assert joint not in {h.key for h in services.search(w.jy_secretary, {"q": "校园安全"}).hits}
    assert_search_is_the_rule([w.jy_secretary])


def test_archived_received_document_stays_found_by_the_flows_people(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        item = archive_item(w.yj_archivist, incoming=w.received, retention="D10")
    assert services.check_index().ok
    assert {h.key for h in services.search(w.jc_helper, {"q": "校园周边"}).hits} == {f"arc:{item.pk}"}
    assert_search_is_the_rule([w.jc_helper, w.jc_admin, w.yj_staff, w.yj_archivist])


def test_hits_of_documents_read_through_the_flow_link_to_pages_that_open(client, world):
    w = world
    hit = services.search(w.jy_leader, {"q": "联合开展"}).hits[0]
    assert hit.key == f"doc:{w.joint.pk}"
    assert hit.url == reverse("documents:flow", args=[w.joint_flow.pk])  # not the drafting unit's edit page
    client.force_login(w.jy_leader)
    assert client.get(hit.url).status_code == 200
    assert client.get(hit.preview_url).status_code == 200
    own = services.search(w.yj_staff, {"q": "联合开展"}).hits[0]
    assert own.url == reverse("documents:edit", args=[w.joint.pk])
    assert client.get(reverse("search:preview", args=[f"in:{w.received.pk}"])).status_code == 404
    client.force_login(w.jc_helper)
    assert client.get(reverse("search:preview", args=[f"in:{w.received.pk}"])).status_code == 200


def test_assigning_a_task_reindexes_the_entry_after_commit(world, django_capture_on_commit_callbacks):
    w = world
    stranger = person("jc_other", "江城另一人", w.jc_admin.unit)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():  # a task alone, no audit event: the task's own save re-indexes
            flow = Flow.objects.get(pk=w.joint_flow.pk)
            engine.assign(flow, flow.state, [stranger], None, role_note="加签")
        assert services.search(stranger, {"q": "联合开展"}).total == 0  # not before commit
    for callback in callbacks:
        callback()
    assert [h.key for h in services.search(stranger, {"q": "联合开展"}).hits] == [f"doc:{w.joint.pk}"]
    assert services.check_index().ok


def test_finishing_or_cancelling_a_task_reindexes_the_entry_after_commit(world, django_capture_on_commit_callbacks):
    w = world
    flow = Flow.objects.get(pk=w.received.flow.pk)
    task = flow.tasks.get(assignee=w.jc_helper, state=TaskState.OPEN)
    with mock.patch("search.tasks.index_documents.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                engine.close(task, "approve", w.jc_helper, opinion="已协办")
            delay.assert_not_called()  # inside the transaction: nothing yet
        delay.assert_called_once_with([f"in:{w.received.pk}"])
    # A finished task still lets its person read the flow, and so find it.
    assert f"in:{w.received.pk}" in {h.key for h in services.search(w.jc_helper, {"page_size": 100}).hits}


def test_a_task_the_index_missed_is_reported_stale_and_repaired(world, django_capture_on_commit_callbacks, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    w = world
    newcomer = person("edu_new", "教育局新人", w.edu_staff.unit)
    with mock.patch("search.services.index_documents", side_effect=OSError("index unavailable")):
        with django_capture_on_commit_callbacks(execute=True):
            common.add_signer(w.yj_staff, Flow.objects.get(pk=w.received.flow.pk), newcomer)
    assert services.search(newcomer, {"q": "校园周边"}).total == 0
    assert services.check_index().stale == [f"in:{w.received.pk}"]
    with pytest.raises(CommandError):
        call_command("search_check")
    assert f"过期（索引内容与数据库不一致）：1 in:{w.received.pk}" in capsys.readouterr().out
    call_command("search_check", "--fix")
    assert [h.key for h in services.search(newcomer, {"q": "校园周边"}).hits] == [f"in:{w.received.pk}"]
