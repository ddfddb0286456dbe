"""印发 without a 发文 flow (documents.services.issue_direct): the unit's 收发员 numbers, seals (when the unit
keeps a seal, through the signing service) and puts a single-issuer draft at 待分发 in one audited step, or
nothing changes."""

import pytest

from documents.exchange.services import dispatch
from documents.models import Status
from documents.services.issue_direct import issue_without_flow
from documents.workflow.sealed_models import SealedDocument
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.models import Role
from signing.models import SealUse
from tests.factories import RoleAssignmentFactory
from tests.signing.conftest import _session_ca, seals, signing_ca  # noqa: F401  (shared fixtures)


def _make_keeper(person, seal):
    RoleAssignmentFactory(person=person, unit=seal.unit, role=Role.SEAL_KEEPER)
    seal.custodians.add(person)
    person.refresh_from_db()


def test_the_clerk_issues_a_draft_without_a_seal_and_it_can_be_dispatched(personas, org_tree, make_draft):
    draft = make_draft()
    issued = issue_without_flow(personas.yj_clerk, draft, purpose="会议通知")
    document = issued.document
    assert document.status == Status.DISTRIBUTING and issued.sealed is None
    assert issued.doc_number and document.doc_number == issued.doc_number
    event = AuditEvent.objects.filter(action="documents.issue_without_flow").get()
    assert event.after["status"] == Status.DISTRIBUTING and "会议通知" in event.summary
    [delivery] = dispatch(personas.yj_clerk, document, [org_tree.jc_gov])
    assert delivery.recipient == org_tree.jc_gov


def test_the_units_seal_is_applied_by_its_keeper(personas, make_draft, seals):  # noqa: F811
    _make_keeper(personas.yj_clerk, seals.yj)
    issued = issue_without_flow(personas.yj_clerk, make_draft(), approved_by=personas.yj_mayor)
    sealed = SealedDocument.objects.get(document=issued.document)
    assert sealed.locked and sealed.complete and sealed.issuer_seals.get().seal == seals.yj
    assert sealed.file.read(5) == b"%PDF-"
    use = SealUse.objects.filter(seal=seals.yj).latest("pk")
    assert use.approved_by == personas.yj_mayor


def test_refusals_change_nothing(personas, make_draft, seals):  # noqa: F811
    draft = make_draft()
    with pytest.raises(PermissionDeniedError):
        issue_without_flow(personas.yj_staff, draft)  # not the unit's 收发员
    assert AuditEvent.objects.filter(action="documents.issue_without_flow", result="denied").exists()
    with pytest.raises(ServiceError, match="印章管理员"):
        issue_without_flow(personas.yj_clerk, draft)  # the unit keeps a seal the clerk does not hold
    draft.refresh_from_db()
    assert (draft.status, draft.doc_number) == (Status.DRAFTING, "")
    assert not SealedDocument.objects.exists()
    _make_keeper(personas.yj_clerk, seals.yj)
    issue_without_flow(personas.yj_clerk, draft)
    with pytest.raises(ServiceError, match="发文流程"):
        issue_without_flow(personas.yj_clerk, draft)  # already issued


def test_joint_documents_need_the_flow(personas, org_tree, make_draft):
    draft = make_draft(issuers=[org_tree.yj_gov, org_tree.yj_edu])
    with pytest.raises(ServiceError, match="联合行文"):
        issue_without_flow(personas.yj_clerk, draft)
