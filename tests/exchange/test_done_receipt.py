"""办结回执: asked for at dispatch, returned when the recipient's 收文 is finished — signed with the receiving
unit's seal over the package hash, in the ledger, on the sender's board (live and after a reload) and in the
sender's package export. Once only, whatever saves or sweeps happen; never when not asked for."""

import base64
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from documents.exchange import done_receipts, ledger, receipts, services
from documents.exchange.models import Delivery, DoneReceipt, LedgerEntry, State
from documents.workflow import incoming
from documents.workflow.models import Flow
from oa.org.models import LeaderKind, Role
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.todo.helpers import login


@pytest.fixture
def jc_people(org_tree):
    def person(username, name, role=None, **kwargs):
        p = PersonFactory(username=username, name=name, unit=org_tree.jc_gov)
        if role:
            RoleAssignmentFactory(person=p, unit=org_tree.jc_gov, role=role, **kwargs)
        p.refresh_from_db()
        return p

    return {
        "leader": person("jc_leader", "何区长", Role.SIGNER, leader_kind=LeaderKind.PRINCIPAL),
        "staff": person("jc_staff", "林科员"),
    }


def _sign_for_jc(ex, org_tree, run_commits, *, want):
    run_commits(services.dispatch, ex.sender_clerk, ex.document, [org_tree.jc_gov], want_done_receipt=want)
    delivery = Delivery.objects.get(recipient=org_tree.jc_gov)
    assert delivery.want_done_receipt is want
    run_commits(services.sign_for, ex.jc_clerk, delivery.pk)
    delivery.refresh_from_db()
    return delivery, Flow.objects.get(pk=delivery.incoming_flow_id)


def _finish(flow, ex, jc_people, run_commits):
    """登记, 初审, 拟办, 批办, 承办: the last step finishes the 收文 (no 传阅 chosen)."""
    run_commits(incoming.approve, ex.jc_clerk, flow)
    run_commits(incoming.approve, ex.jc_clerk, Flow.objects.get(pk=flow.pk))
    run_commits(incoming.approve, ex.jc_clerk, Flow.objects.get(pk=flow.pk), leader=jc_people["leader"])
    run_commits(incoming.approve, jc_people["leader"], Flow.objects.get(pk=flow.pk), lead=jc_people["staff"])
    flow.refresh_from_db()
    assert flow.state == "handling" and not flow.finished
    assert not DoneReceipt.objects.exists()  # not finished yet: nothing sent
    run_commits(incoming.approve, jc_people["staff"], Flow.objects.get(pk=flow.pk), opinion="已落实")
    flow.refresh_from_db()
    assert flow.state == "done" and flow.finished


def test_finishing_the_incoming_returns_a_signed_done_receipt_to_the_sender(
    ex, org_tree, seals, jc_people, run_commits
):
    delivery, flow = _sign_for_jc(ex, org_tree, run_commits, want=True)
    sender_seq = services.push.current([org_tree.yj_gov.pk])[org_tree.yj_gov.pk]
    _finish(flow, ex, jc_people, run_commits)

    receipt = DoneReceipt.objects.get(delivery=delivery)
    assert receipt.finisher == jc_people["staff"] and receipt.finisher_name == "林科员"
    assert receipt.finished_at == flow.finished_at
    assert receipt.package_sha256 == delivery.package_sha256 and delivery.package_sha256 in receipt.message
    assert receipt.certificate_id == seals.jc.certificate_id and receipts.verify(receipt)
    receipt.message = receipt.message.replace("林科员", "他人")
    assert not receipts.verify(receipt)  # the signature binds who finished it
    events = list(LedgerEntry.objects.filter(delivery_id_ref=delivery.pk).values_list("event", flat=True))
    assert events == ["sent", "delivered", "signed", "done"]
    assert ledger.verify().ok
    # pushed to the sender's board (its stream moved on) …
    assert services.push.current([org_tree.yj_gov.pk])[org_tree.yj_gov.pk] > sender_seq
    # … where the 回执 column shows both receipts, live (JSON) and after a reload (page)
    client = login(Client(), ex.sender_clerk)
    row = client.get(reverse("exchange:board_json", args=[ex.document.pk])).json()["rows"][0]
    assert row["done_receipt"]["finisher"] == "林科员" and row["done_receipt"]["signed"] is True
    assert "签收：" in row["receipt_text"] and "办结：林科员" in row["receipt_text"]
    page = client.get(reverse("exchange:board", args=[ex.document.pk])).content.decode()
    assert "办结：林科员" in page
    # and in the sender's package export, checkable without this system
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("exchange:export", args=[ex.document.pk])).content))
    exported = json.loads(archive.read("receipts.json"))
    assert [(r["kind"], r["person"]) for r in exported] == [("签收", "江城区政府收发员"), ("办结", "林科员")]
    done = exported[1]
    assert done["package_sha256"] == delivery.package_sha256 and done["fingerprint"] == seals.jc.certificate.fingerprint
    from types import SimpleNamespace

    proof = SimpleNamespace(
        message=done["message"],
        signature=base64.b64decode(done["signature"]),
        certificate=SimpleNamespace(der=base64.b64decode(done["certificate_der"])),
    )
    assert receipts.verify(proof)


def test_done_receipt_is_issued_once_and_only_when_asked(ex, org_tree, jc_people, run_commits):
    delivery, flow = _sign_for_jc(ex, org_tree, run_commits, want=True)
    _finish(flow, ex, jc_people, run_commits)
    assert DoneReceipt.objects.count() == 1
    # more saves of the finished flow, a redelivered task, sweeper runs: still one
    flow.refresh_from_db()
    run_commits(flow.save)
    assert done_receipts.issue_for_flow(flow.pk).pk == DoneReceipt.objects.get().pk
    run_commits(services.sweep, older_than_seconds=0)
    assert DoneReceipt.objects.count() == 1
    assert LedgerEntry.objects.filter(event="done").count() == 1
    # a delivery that did not ask for one never gets one
    DoneReceipt.objects.all().delete()
    Delivery.objects.filter(pk=delivery.pk).update(want_done_receipt=False)
    run_commits(flow.save)
    run_commits(services.sweep, older_than_seconds=0)
    assert not DoneReceipt.objects.exists()


def test_not_asked_for_shows_no_done_receipt(ex, org_tree, jc_people, run_commits):
    delivery, flow = _sign_for_jc(ex, org_tree, run_commits, want=False)
    _finish(flow, ex, jc_people, run_commits)
    assert not DoneReceipt.objects.exists()
    assert services.row_json(Delivery.objects.get(pk=delivery.pk))["done_receipt"] is None
    assert "办结" not in services.receipt_text(Delivery.objects.get(pk=delivery.pk))


def test_a_lost_after_commit_hook_is_made_good_by_the_sweeper(
    ex, org_tree, jc_people, run_commits, django_capture_on_commit_callbacks, monkeypatch
):
    delivery, flow = _sign_for_jc(ex, org_tree, run_commits, want=True)
    monkeypatch.setattr(done_receipts, "enqueue_for_flow", lambda flow_id: None)  # crashed before enqueueing
    _finish(flow, ex, jc_people, run_commits)
    assert not DoneReceipt.objects.exists()
    assert services.receipt_text(Delivery.objects.get(pk=delivery.pk)).endswith("待办结回执")
    run_commits(services.sweep, older_than_seconds=0)
    assert DoneReceipt.objects.get().delivery_id == delivery.pk


def test_dispatch_page_checkbox_and_api_ask_for_a_done_receipt(
    ex, org_tree, run_commits, django_capture_on_commit_callbacks
):
    client = login(Client(), ex.sender_clerk)
    page = client.get(reverse("exchange:dispatch", args=[ex.document.pk])).content.decode()
    assert 'name="want_done_receipt"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchange:dispatch", args=[ex.document.pk]),
            {"main": [org_tree.jc_gov.pk], "want_done_receipt": "1"},
        )
        client.post(reverse("exchange:dispatch", args=[ex.document.pk]), {"main": [org_tree.jy_gov.pk]})
        response = client.post(
            "/api/exchange/deliveries/dispatch_document/",
            {"document": ex.document.pk, "recipients": [org_tree.yj_edu.pk], "want_done_receipt": True},
            content_type="application/json",
        )
    assert response.status_code == 201 and response.json()[0]["want_done_receipt"] is True
    wanted = dict(Delivery.objects.values_list("recipient_id", "want_done_receipt"))
    assert wanted == {org_tree.jc_gov.pk: True, org_tree.jy_gov.pk: False, org_tree.yj_edu.pk: True}
    assert Delivery.objects.filter(state=State.DELIVERED).count() == 3
    # the recipient sees that the sender asked for it; another recipient does not
    assert "办结后回执" in login(Client(), ex.jc_clerk).get(reverse("exchange:inbox")).content.decode()
    assert "办结后回执" not in login(Client(), ex.jy_clerk).get(reverse("exchange:inbox")).content.decode()
