"""On arrival the recipient verifies the seals of the sealed PDF and stores the report; the 回执 is signed with
the receiving unit's seal certificate over the package hash."""

import pytest

from documents.exchange import package, receipts, services
from documents.exchange.models import Delivery, State
from tests.signing.conftest import make_pdf, seal_in_order


@pytest.fixture
def sealed_bytes(seals):
    return seal_in_order(make_pdf(3), [seals.yj], [seals.yj_keeper])


def test_arrival_verifies_the_seals_and_the_receipt_is_signed_by_the_recipients_seal(
    ex, org_tree, seals, sealed_bytes, monkeypatch, run_commits
):
    monkeypatch.setattr(package, "sealed_pdf", lambda document: sealed_bytes)
    run_commits(services.dispatch, ex.sender_clerk, ex.document, [org_tree.jc_gov, org_tree.jy_gov])
    delivery = Delivery.objects.get(recipient=org_tree.jc_gov)
    assert delivery.state == State.DELIVERED and not delivery.flagged
    assert delivery.seal_report["verdict"] == "ok" and delivery.seal_report["seal_count"] == 1
    manifest = package.manifest(ex.document, [("document.pdf", sealed_bytes)])
    assert {"name": "document.pdf", "sha256": package.sha256(sealed_bytes), "size": len(sealed_bytes)} in manifest[
        "parts"
    ]
    receipt = run_commits(services.sign_for, ex.jc_clerk, delivery.pk)
    assert receipt.certificate_id == seals.jc.certificate_id
    assert receipts.verify(receipt)
    receipt.message = receipt.message.replace(delivery.package_sha256, "0" * 64)
    assert not receipts.verify(receipt)  # the signature binds the exact package hash
    # a unit whose seal key is not held here gets an unsigned, plainly marked receipt
    seals.all[4].certificate.__class__.objects.filter(pk=seals.all[4].certificate_id).update(encrypted_key=None)
    jy_receipt = run_commits(services.sign_for, ex.jy_clerk, Delivery.objects.get(recipient=org_tree.jy_gov).pk)
    assert jy_receipt.signature is None and not receipts.verify(jy_receipt)


def test_a_sealed_pdf_altered_after_dispatch_is_rejected_and_flagged(
    ex, org_tree, sealed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    current = {"pdf": sealed_bytes}
    monkeypatch.setattr(package, "sealed_pdf", lambda document: current["pdf"])
    with django_capture_on_commit_callbacks(execute=False):
        services.dispatch(ex.sender_clerk, ex.document, [org_tree.jc_gov])
    current["pdf"] = sealed_bytes.replace(b"Page 1 body text", b"Page 1 BODY TEXT")
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep(older_than_seconds=0)
    delivery = Delivery.objects.get()
    assert delivery.state == State.REJECTED and delivery.flagged
    assert delivery.seal_report["verdict"] == "tampered"
