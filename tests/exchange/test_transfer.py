"""Exchange package files: export with checksums and a sender signature; import checks every byte."""

import io
import json
import zipfile

import pytest

from documents.exchange import package, transfer
from documents.workflow.models import IncomingDocument
from oa.core.errors import PermissionDeniedError, ServiceError
from tests.signing.conftest import make_pdf, seal_in_order


@pytest.fixture
def exported(ex, seals, monkeypatch):
    pdf = seal_in_order(make_pdf(3), [seals.yj], [seals.yj_keeper])
    monkeypatch.setattr(package, "sealed_pdf", lambda document: pdf)
    return transfer.export(ex.document)


def _rewrite(data: bytes, name: str, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            content = source.read(item)
            target.writestr(item, change(content) if item == name else content)
    return out.getvalue()


def test_export_then_import_registers_the_document_at_the_recipient(ex, org_tree, exported):
    names = set(zipfile.ZipFile(io.BytesIO(exported)).namelist())
    assert {"manifest.json", "metadata.json", "document.pdf", "signature.json"} <= names
    content = transfer.read(exported)
    assert content["metadata"]["title"] == ex.document.title
    assert "阳江市人民政府" in content["signer"]
    transfer.import_package(ex.jc_clerk, exported, unit=org_tree.jc_gov)
    incoming = IncomingDocument.objects.get(unit=org_tree.jc_gov)
    assert incoming.title == ex.document.title and incoming.sender_name == "阳江市人民政府"


@pytest.mark.parametrize(
    "name, change, message",
    [
        ("document.pdf", lambda b: b.replace(b"Page 2", b"PAGE 2"), "摘要不符"),
        ("metadata.json", lambda b: b.replace("防汛".encode(), "抗旱".encode()), "摘要不符"),
        ("manifest.json", lambda b: b.replace(b'"version":1', b'"version":1,"x":1'), "签名无效"),
    ],
)
def test_a_changed_package_is_refused_and_nothing_is_imported(ex, org_tree, exported, name, change, message):
    with pytest.raises(ServiceError, match=message):
        transfer.import_package(ex.jc_clerk, _rewrite(exported, name, change), unit=org_tree.jc_gov)
    assert not IncomingDocument.objects.exists()


def test_import_refuses_garbage_and_other_units(ex, org_tree, exported):
    with pytest.raises(ServiceError, match="不是有效的交换包"):
        transfer.import_package(ex.jc_clerk, b"not a zip", unit=org_tree.jc_gov)
    with pytest.raises(PermissionDeniedError):
        transfer.import_package(ex.jy_clerk, exported, unit=org_tree.jc_gov)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(exported)).read("manifest.json"))
    assert all(len(part["sha256"]) == 64 for part in manifest["parts"])


def test_pages_export_for_the_sender_and_import_for_a_recipient_clerk(ex, org_tree, exported, run_commits):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from documents.exchange import services
    from tests.todo.helpers import login

    run_commits(services.dispatch, ex.sender_clerk, ex.document, [org_tree.jc_gov])
    sender = login(Client(), ex.sender_clerk)
    response = sender.get(f"/exchange/sent/{ex.document.pk}/package.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert transfer.read(response.content)["metadata"]["title"] == ex.document.title
    assert login(Client(), ex.jc_clerk).get(f"/exchange/sent/{ex.document.pk}/package.zip").status_code == 404
    clerk = login(Client(), ex.jc_clerk)
    bad = clerk.post("/exchange/import/", {"unit": org_tree.jc_gov.pk, "package": SimpleUploadedFile("p.zip", b"xx")})
    assert bad.status_code == 200 and "不是有效的交换包" in bad.content.decode()
    good = clerk.post(
        "/exchange/import/", {"unit": org_tree.jc_gov.pk, "package": SimpleUploadedFile("p.zip", response.content)}
    )
    assert good.status_code == 302
    assert IncomingDocument.objects.filter(unit=org_tree.jc_gov).count() == 1
