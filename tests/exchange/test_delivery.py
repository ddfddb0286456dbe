"""Dispatch, arrival, 签收/退回/撤回/重发 and the 回执."""

import pytest

from documents.exchange import ledger, services
from documents.exchange.models import Delivery, LedgerEntry, Receipt, State
from documents.models import Document, Status
from documents.workflow.models import IncomingDocument
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.todo.models import TodoItem


def _send(ex, run_commits, org_tree, **kwargs):
    kwargs.setdefault("recipients", [org_tree.jc_gov, org_tree.yj_edu])
    return run_commits(services.dispatch, ex.sender_clerk, ex.document, **kwargs)


def test_dispatch_reaches_main_cc_and_every_unit_of_a_level_under_a_parent(ex, org_tree, run_commits):
    created = _send(
        ex,
        run_commits,
        org_tree,
        recipients=[org_tree.jc_gov],
        cc=[org_tree.jy_gov],
        include_levels_under=[(org_tree.jc_gov, ex.Level.VILLAGE)],
    )
    got = {d.recipient_id: d for d in Delivery.objects.all()}
    assert set(got) == {org_tree.jc_gov.pk, org_tree.jy_gov.pk, *[v.pk for v in ex.villages]}
    assert len(created) == 2 + len(ex.villages)
    assert got[org_tree.jy_gov.pk].get_kind_display() == "抄送"
    assert all(d.state == State.DELIVERED for d in got.values())
    assert Document.objects.get(pk=ex.document.pk).status == Status.DISTRIBUTED
    # the recipient clerk got a 签收 todo
    assert TodoItem.objects.filter(owner=ex.jc_clerk, source_app="exchange", step="签收").count() == 1


def test_rows_are_written_with_the_state_change_and_delivered_only_after_commit(
    ex, org_tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dispatch(ex.sender_clerk, ex.document, [org_tree.jc_gov])
    assert Delivery.objects.get().state == State.PENDING
    assert Document.objects.get(pk=ex.document.pk).status == Status.DISTRIBUTED
    assert callbacks  # wake-up queued for after commit
    # broker lost the wake-up: the sweeper finds the row
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep(older_than_seconds=0) == 1
    assert Delivery.objects.get().state == State.DELIVERED


def test_a_second_dispatch_to_the_same_unit_creates_no_duplicate(ex, org_tree, run_commits):
    _send(ex, run_commits, org_tree)
    with pytest.raises(ServiceError, match="均已分发"):
        _send(ex, run_commits, org_tree)
    created = _send(ex, run_commits, org_tree, recipients=[org_tree.jc_gov, org_tree.jy_gov])
    assert [d.recipient_id for d in created] == [org_tree.jy_gov.pk]
    assert Delivery.objects.count() == 3


def test_only_the_sending_units_clerk_may_dispatch_a_document_ready_for_it(ex, org_tree, personas, run_commits):
    with pytest.raises(PermissionDeniedError):
        services.dispatch(personas.yj_staff, ex.document, [org_tree.jc_gov])
    with pytest.raises(PermissionDeniedError):
        services.dispatch(ex.jc_clerk, ex.document, [org_tree.jc_gov])
    Document.objects.filter(pk=ex.document.pk).update(status=Status.SEALING)
    with pytest.raises(ServiceError, match="分发环节"):
        services.dispatch(ex.sender_clerk, ex.document, [org_tree.jc_gov])
    assert not Delivery.objects.exists()


def test_sign_for_creates_the_received_document_and_a_signed_receipt(ex, org_tree, run_commits):
    _send(ex, run_commits, org_tree)
    delivery = Delivery.objects.get(recipient=org_tree.jc_gov)
    receipt = run_commits(services.sign_for, ex.jc_clerk, delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.SIGNED
    incoming = IncomingDocument.objects.get(unit=org_tree.jc_gov)
    assert incoming.title == ex.document.title and incoming.source_document_id == ex.document.pk
    assert receipt.clerk == ex.jc_clerk and receipt.package_sha256 == delivery.package_sha256
    assert delivery.package_sha256 in receipt.message
    assert not TodoItem.objects.filter(owner=ex.jc_clerk, source_app="exchange", state="open").exists()
    with pytest.raises(ServiceError, match="不能签收"):
        services.sign_for(ex.jc_clerk, delivery.pk)
    assert Receipt.objects.count() == 1


def test_return_with_reason_then_the_sender_corrects_and_resends(ex, org_tree, run_commits):
    _send(ex, run_commits, org_tree)
    delivery = Delivery.objects.get(recipient=org_tree.jc_gov)
    with pytest.raises(ServiceError, match="退回原因"):
        services.return_delivery(ex.jc_clerk, delivery.pk, reason=" ")
    run_commits(services.return_delivery, ex.jc_clerk, delivery.pk, reason="主送单位有误")
    delivery.refresh_from_db()
    assert delivery.state == State.RETURNED and delivery.return_reason == "主送单位有误"
    Document.objects.filter(pk=ex.document.pk).update(title="关于做好防汛工作的通知（更正）")
    run_commits(services.resend, ex.sender_clerk, delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED and delivery.round == 2


def test_recall_before_sign_for_and_not_after(ex, org_tree, run_commits):
    _send(ex, run_commits, org_tree)
    jc = Delivery.objects.get(recipient=org_tree.jc_gov)
    edu = Delivery.objects.get(recipient=org_tree.yj_edu)
    run_commits(services.recall, ex.sender_clerk, jc.pk)
    jc.refresh_from_db()
    assert jc.state == State.RECALLED
    with pytest.raises(ServiceError, match="不能签收"):
        services.sign_for(ex.jc_clerk, jc.pk)
    run_commits(services.sign_for, ex.edu_clerk, edu.pk)
    with pytest.raises(ServiceError, match="不能撤回"):
        services.recall(ex.sender_clerk, edu.pk)


def test_a_package_changed_after_dispatch_is_rejected_and_flagged(ex, org_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.dispatch(ex.sender_clerk, ex.document, [org_tree.jc_gov])
    Document.objects.filter(pk=ex.document.pk).update(title="被篡改的标题")
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep(older_than_seconds=0)
    delivery = Delivery.objects.get()
    assert delivery.state == State.REJECTED and delivery.flagged
    assert "摘要" in delivery.flag_reason
    assert not TodoItem.objects.filter(source_app="exchange").exists()
    assert LedgerEntry.objects.filter(event="rejected").count() == 1


def test_the_other_unit_cannot_act_on_or_see_a_delivery(ex, org_tree, run_commits):
    _send(ex, run_commits, org_tree)
    delivery = Delivery.objects.get(recipient=org_tree.jc_gov)
    with pytest.raises(NotFoundError):
        services.sign_for(ex.jy_clerk, delivery.pk)
    with pytest.raises(NotFoundError):
        services.recall(ex.jc_clerk, delivery.pk)
    assert not services.inbox_for(ex.jy_clerk).exists()
    assert list(services.inbox_for(ex.jc_clerk)) == [delivery]


def test_every_event_is_in_the_ledger_and_it_verifies(ex, org_tree, run_commits):
    _send(ex, run_commits, org_tree)
    delivery = Delivery.objects.get(recipient=org_tree.jc_gov)
    run_commits(services.sign_for, ex.jc_clerk, delivery.pk)
    events = list(LedgerEntry.objects.filter(delivery_id_ref=delivery.pk).values_list("event", flat=True))
    assert events == ["sent", "delivered", "signed"]
    assert ledger.verify().ok
