"""A received document's archive holds the exchange evidence as files: the 签收回执 and the 办结回执 (signed by
the receiving unit's seal over the package hash), and — for a package imported from another system — the
package file exactly as it arrived. All listed in the manifest with SHA-256 and checked by verify_archive."""

import base64
import hashlib
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from documents.archive import services
from documents.archive.models import ArchiveItem, FileKind
from documents.exchange import done_receipts, package, receipts, transfer
from documents.exchange.models import Delivery, DoneReceipt
from documents.workflow import incoming
from documents.workflow.models import Flow
from oa.core.errors import ServiceError
from tests.signing.conftest import _keeper, _session_ca, make_pdf, signing_ca  # noqa: F401  (fixtures)

from .conftest import receive_to_the_end, send_to_the_end

pytestmark = pytest.mark.django_db


@pytest.fixture
def jc_seal(signing_ca, org_tree):  # noqa: F811
    """江城区人民政府's official seal: its key signs the 回执 (阳江 keeps sealing on paper in these tests)."""
    from signing.services.seals import create_seal

    return create_seal(None, org_tree.jc_gov, custodians=[_keeper(org_tree.jc_gov, "jc_keeper", "江城印管")])


def _receipt_file(item, kind):
    archived = item.files.get(kind=kind)
    data = archived.file.read()
    assert hashlib.sha256(data).hexdigest() == archived.sha256 == item.manifest[archived.name]["sha256"]
    return archived, json.loads(data)


def _signature_holds(entry) -> bool:
    """Check a 回执 file the way an outside reader would: its own certificate, signature and message."""
    proof = SimpleNamespace(
        certificate=SimpleNamespace(der=base64.b64decode(entry["certificate_der"])),
        signature=base64.b64decode(entry["signature"]),
        message=entry["message"],
    )
    return receipts.verify(proof)


def _received(personas, people, make_draft, run_commits, *, want_done_receipt):
    def dispatch_run(fn, *args, **kwargs):
        return run_commits(fn, *args, want_done_receipt=want_done_receipt, **kwargs)

    document = send_to_the_end(personas, make_draft(), dispatch_run)
    return document, receive_to_the_end(people, document, run_commits)


def test_received_item_holds_signed_receipt_and_done_receipt_files(
    personas, people, make_draft, run_commits, jc_seal, settings
):
    document, received = _received(personas, people, make_draft, run_commits, want_done_receipt=True)
    delivery = Delivery.objects.get(document=document, recipient=people.jc_clerk.unit)

    item = services.archive(people.jc_archivist, incoming=received, retention="D30")

    # The 办结回执 was due but its after-commit hook had not run: archiving issued it, once.
    assert DoneReceipt.objects.filter(delivery=delivery).count() == 1
    signed_file, signed = _receipt_file(item, FileKind.RECEIPT)
    done_file, done = _receipt_file(item, FileKind.DONE_RECEIPT)
    assert (signed_file.name, done_file.name) == ("签收回执.json", "办结回执.json")
    assert signed["kind"] == "签收" and signed["person"] == people.jc_clerk.get_full_name()
    assert done["kind"] == "办结" and done["person"] == people.jc_staff.get_full_name()
    for entry in (signed, done):
        assert entry["package_sha256"] == delivery.package_sha256 and delivery.package_sha256 in entry["message"]
        assert entry["recipient"] == "江城区人民政府" and entry["sender"] == "阳江市人民政府"
        assert entry["fingerprint"] == jc_seal.certificate.fingerprint
        assert entry["signature_valid_at_archiving"] is True and _signature_holds(entry)
    assert not _signature_holds({**signed, "message": signed["message"].replace(delivery.package_sha256, "0" * 64)})
    assert item.metadata["公文交换"]["办结回执人"] == people.jc_staff.get_full_name()

    package_zip = zipfile.ZipFile(io.BytesIO(services.export(people.jc_archivist, item)))
    listed = {entry["name"]: entry["sha256"] for entry in json.loads(package_zip.read("manifest.json"))["files"]}
    for name in ("签收回执.json", "办结回执.json"):
        assert hashlib.sha256(package_zip.read(name)).hexdigest() == listed[name]

    call_command("verify_archive", "--code", item.archive_code)
    path = settings.MEDIA_ROOT / done_file.file.name
    path.write_bytes(path.read_bytes().replace("办结".encode(), "签收".encode()))
    result = services.verify(item)
    assert not result.ok and result.files["办结回执.json"] == "changed" and result.files["签收回执.json"] == "ok"
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("verify_archive", "--code", item.archive_code)


def test_done_receipt_issued_before_is_archived_as_is_and_none_is_made_when_not_asked(
    personas, people, make_draft, run_commits
):
    document, received = _received(personas, people, make_draft, run_commits, want_done_receipt=True)
    flow = Flow.objects.get(incoming=received)
    issued = done_receipts.issue_for_flow(flow.pk)  # the worker got there first
    item = services.archive(people.jc_archivist, incoming=received, retention="D30")
    assert DoneReceipt.objects.count() == 1
    _, done = _receipt_file(item, FileKind.DONE_RECEIPT)
    assert done["message"] == issued.message and done["signature"] is None  # 江城区 holds no seal key here
    assert done["signature_valid_at_archiving"] is False

    other, received_other = _received(personas, people, make_draft, run_commits, want_done_receipt=False)
    plain = services.archive(people.jc_archivist, incoming=received_other, retention="D30")
    assert set(plain.files.values_list("kind", flat=True)) >= {FileKind.RECEIPT, FileKind.SHEET}
    assert not plain.files.filter(kind=FileKind.DONE_RECEIPT).exists()
    assert DoneReceipt.objects.count() == 1


# --- a package imported from another system ---------------------------------------------------------------


@pytest.fixture
def outside_package(ex, monkeypatch):
    """A package as another system would send it: sealed PDF, an attachment-free document, signed manifest
    (阳江 holds no seal key here: unsigned, which the importer accepts and the archive records)."""
    pdf = make_pdf(2, "outside")
    with monkeypatch.context() as patch:
        patch.setattr(package, "sealed_pdf", lambda document: pdf)
        data = transfer.export(ex.document)
    return SimpleNamespace(data=data, pdf=pdf, title=ex.document.title)


def _finish_imported(people, flow):
    incoming.approve(people.jc_clerk, flow)  # 签收
    incoming.approve(people.jc_clerk, flow)  # 登记
    incoming.approve(people.jc_clerk, flow, opinion="属我单位")  # 初审
    incoming.approve(people.jc_clerk, flow, opinion="拟请区长阅示", leader=people.jc_leader)  # 拟办
    incoming.approve(people.jc_leader, flow, opinion="请办理", lead=people.jc_staff, assisting=[people.jc_clerk])
    incoming.approve(people.jc_clerk, flow, opinion="已配合")  # 协办
    incoming.approve(people.jc_staff, flow, opinion="已办理")  # 承办 → 办结
    received = Flow.objects.get(pk=flow.pk).incoming
    assert received.status == "done"
    return received


def test_imported_package_is_kept_and_frozen_byte_for_byte(outside_package, people, org_tree):
    flow = transfer.import_package(people.jc_clerk, outside_package.data, unit=org_tree.jc_gov)
    assert transfer.original_package(flow.incoming) == outside_package.data
    received = _finish_imported(people, flow)

    item = services.archive(people.jc_archivist, incoming=received, retention="D10")

    original = item.files.get(kind=FileKind.PACKAGE)
    assert original.name == "交换包原件.zip" and original.file.read() == outside_package.data
    assert item.manifest["交换包原件.zip"]["sha256"] == hashlib.sha256(outside_package.data).hexdigest()
    pdf = item.files.get(kind=FileKind.SEALED_PDF)
    assert pdf.sha256 == hashlib.sha256(outside_package.pdf).hexdigest()
    assert item.metadata["格式要素"]["标题"] == outside_package.title
    evidence = item.metadata["公文交换"]
    assert evidence["交换包原件摘要"] == original.sha256
    assert evidence["交换包摘要"] == transfer.read(outside_package.data)["package_sha256"]
    assert services.verify(item).ok
    exported = zipfile.ZipFile(io.BytesIO(services.export(people.jc_archivist, item)))
    assert exported.read("交换包原件.zip") == outside_package.data


def test_a_changed_kept_package_is_refused_at_archiving(outside_package, people, org_tree, settings):
    flow = transfer.import_package(people.jc_clerk, outside_package.data, unit=org_tree.jc_gov)
    received = _finish_imported(people, flow)
    [kept] = (settings.MEDIA_ROOT / transfer.IMPORTS_DIR / str(received.pk)).iterdir()
    kept.write_bytes(kept.read_bytes() + b"changed")
    with pytest.raises(ServiceError, match="交换包原件.*已被改动"):
        services.archive(people.jc_archivist, incoming=received, retention="D10")
    kept.unlink()
    with pytest.raises(ServiceError, match="交换包原件缺失"):
        services.archive(people.jc_archivist, incoming=received, retention="D10")
    assert not ArchiveItem.objects.exists()


def test_a_failed_import_keeps_no_file(outside_package, people, org_tree, settings, monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(transfer, "record", failing)
    with pytest.raises(RuntimeError):
        transfer.import_package(people.jc_clerk, outside_package.data, unit=org_tree.jc_gov)
    imports = settings.MEDIA_ROOT / transfer.IMPORTS_DIR
    assert not imports.exists() or not [p for p in imports.rglob("*") if p.is_file()]
