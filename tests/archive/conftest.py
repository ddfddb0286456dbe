"""Archive fixtures: finished documents made by walking the real 发文 / 收文 flows through their services
(the same steps as tests/exchange/test_with_workflow.py), and the 档案员 of 阳江市人民政府 and 江城区人民政府."""

from types import SimpleNamespace

import pytest

from documents.exchange import services as exchange
from documents.exchange.models import Delivery
from documents.models import Document
from documents.workflow import incoming, outgoing
from documents.workflow.models import Flow, IncomingDocument
from oa.org.models import LeaderKind, Role
from tests.documents.conftest import _fresh_cache, draft_data, make_draft  # noqa: F401  (shared fixtures)
from tests.exchange.conftest import ex, run_commits  # noqa: F401  (shared fixtures)
from tests.factories import PersonFactory, RoleAssignmentFactory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _person(username, name, unit, role=None, **role_kwargs):
    person = PersonFactory(username=username, name=name, unit=unit)
    if role:
        RoleAssignmentFactory(person=person, unit=unit, role=role, **role_kwargs)
        person.refresh_from_db()
    return person


@pytest.fixture
def people(personas, org_tree, ex):  # noqa: F811  (the imported fixture)
    """档案员 at 阳江市政府 and 江城区政府, a 江城区 leader and 承办人 for the 收文 flow."""
    return SimpleNamespace(
        yj_archivist=_person("yj_archivist", "林档案", org_tree.yj_gov, Role.ARCHIVIST),
        jc_archivist=_person("jc_archivist", "何档案", org_tree.jc_gov, Role.ARCHIVIST),
        jc_leader=_person("jc_leader", "区长", org_tree.jc_gov, Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL),
        jc_staff=_person("jc_staff", "区科员", org_tree.jc_gov),
        jc_clerk=ex.jc_clerk,
    )


def send_to_the_end(personas, document, run=None) -> Document:
    """A draft of 阳江市人民政府 → 核稿 → 签发 → 编号 → 用印 (paper) → 分发 to its 主送: 已分发. ``run`` runs the
    dispatch and its after-commit work (``run_commits``); in a transactional test the real commit does."""
    flow = outgoing.submit(personas.yj_staff, document)
    outgoing.approve(personas.yj_clerk, flow, opinion="核稿无误")
    outgoing.approve(personas.yj_mayor, Flow.objects.get(pk=flow.pk), opinion="同意印发")
    outgoing.approve(personas.yj_clerk, Flow.objects.get(pk=flow.pk))
    if Flow.objects.get(pk=flow.pk).state == "sealing":
        outgoing.mark_sealed(personas.yj_clerk, document)
    main, cc = exchange.addressee_units(document)
    (run or (lambda fn, *a, **k: fn(*a, **k)))(exchange.dispatch, personas.yj_clerk, document, main, cc=cc)
    return Document.objects.get(pk=document.pk)


def receive_to_the_end(people, document, run=None) -> IncomingDocument:
    """江城区 signs for the delivered document and walks its 收文 flow to 办结."""
    delivery = Delivery.objects.get(document=document, recipient=people.jc_clerk.unit)
    (run or (lambda fn, *a, **k: fn(*a, **k)))(exchange.sign_for, people.jc_clerk, delivery.pk)
    flow = Flow.objects.get(pk=Delivery.objects.get(pk=delivery.pk).incoming_flow_id)
    incoming.approve(people.jc_clerk, flow)  # 登记
    incoming.approve(people.jc_clerk, flow, opinion="属我单位")  # 初审
    incoming.approve(people.jc_clerk, flow, opinion="拟请区长阅示", leader=people.jc_leader)  # 拟办
    # 批办 names a 协办 too: documents.workflow.incoming refuses a 批办 without one (engine.assign of nobody).
    incoming.approve(people.jc_leader, flow, opinion="请区科员办理", lead=people.jc_staff, assisting=[people.jc_clerk])
    incoming.approve(people.jc_clerk, flow, opinion="已配合")  # 协办
    incoming.approve(people.jc_staff, flow, opinion="已办理")  # 承办 → 办结
    item = IncomingDocument.objects.get(pk=flow.incoming_id)
    assert item.status == "done"
    return item


@pytest.fixture
def finished_sent(personas, make_draft, run_commits):  # noqa: F811  (the imported fixtures)
    def make(**changes) -> Document:
        return send_to_the_end(personas, make_draft(**changes), run_commits)

    return make


def login(client, person):
    client.force_login(person, backend=MODEL_BACKEND)
    return client
